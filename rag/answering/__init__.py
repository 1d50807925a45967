"""Answering: prompts, generators, citation checks and the decision to abstain."""
