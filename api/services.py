"""What the HTTP routes share: settings, the live index, the retriever and the answerer, each built once.

Built in the app's lifespan. A missing index at start-up does not stop the server (it answers
503 and /readyz says why); the retriever and answerer are built on the first request that finds it.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from rag.errors import GuidelineQAError
from rag.index.reader import IndexReader
from rag.settings import Settings
from rag.wiring import build_qa, build_retriever, open_index

log = logging.getLogger("gqa.api")


class Services:
    """Heavy, shared, thread-safe things, each built once per process."""

    def __init__(self, settings: Settings, embedder: Any = None):
        self.settings = settings
        self.embedder = embedder
        self.index = open_index(settings, check=False)
        self._lock = threading.Lock()
        self._retriever = None
        self._qa = None

    def reader(self) -> IndexReader:
        """The index version being served now (a new one is picked up without a restart)."""
        return self.index.get()

    def reader_or_none(self) -> IndexReader | None:
        try:
            return self.index.get()
        except GuidelineQAError:
            return None

    @property
    def built_retriever(self):
        """The retriever if it is built already, else None (never blocks)."""
        return self._retriever

    @property
    def built_qa(self):
        """The answerer if it is built already, else None (never blocks)."""
        return self._qa

    def retriever(self):
        """The retriever, built on first use."""
        if self._retriever is None:
            with self._lock:
                if self._retriever is None:
                    # The services' own live index: one reader of each version in memory, not two.
                    self._retriever = build_retriever(self.settings, embedder=self.embedder, index=self.index)
        return self._retriever

    def qa(self):
        """The answerer (this retriever + the configured generator + citation checks), built on first use."""
        if self._qa is None:
            retriever = self.retriever()
            with self._lock:
                if self._qa is None:
                    self._qa = build_qa(self.settings, retriever=retriever)  # sharing the retriever's embedder
        return self._qa

    def warm_up(self) -> None:
        """Load the index and models now rather than on the first request; log, don't fail, if absent."""
        try:
            self.reader()
            self.retriever()
            self.qa()
        except GuidelineQAError as exc:
            log.warning("not ready yet: %s", exc)

