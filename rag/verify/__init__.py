"""Claim verification: claim -> one evidence span -> supported | contradicted | unsupported, with a reason.

claims (split text into claims), facts (numbers, units, comparators, negation, drugs, routes,
populations), spans (the one sentence or table row a claim is checked against), verdict (the rules),
verifier (retrieval + the above, for any text or an answer), source (quotes checked against the
original page), judge (an optional LLM for claims the rules cannot decide).
"""
