"""Multiple-choice evaluation (MIRAGE/MedRAG style): each question answered closed-book and with the
guideline passages retrieved for it, accuracy compared with paired statistics.

items (read MIRAGE benchmark.json or JSONL) -> prompts (base few-shot or chat) -> run (concurrent
requests through the OpenAI generator's replicas, resumable JSONL) -> parse (the letter, or unparsed)
-> stats (accuracy, Wilson interval, McNemar).
"""
