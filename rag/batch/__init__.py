"""Batch answering: the engine, batch files, the API's jobs and Ray Data."""
