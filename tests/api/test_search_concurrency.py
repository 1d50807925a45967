"""/v1/search runs at most settings.search_concurrency searches at once per process; the rest wait."""

from __future__ import annotations

import os
import threading

import anyio
import pytest

from api.app import create_app, search_slots
from rag.settings import Settings
from tests.support.servers import asgi_client

pytestmark = pytest.mark.anyio


class InFlight:
    """The real retriever, counting the searches running on it at once."""

    def __init__(self, retriever):
        self.retriever = retriever
        self.now = self.most = 0
        self._lock = threading.Lock()

    def __getattr__(self, name):  # everything but search (the index, the filters check) is the retriever's own
        return getattr(self.retriever, name)

    def search(self, *args, **kwargs):
        with self._lock:
            self.now += 1
            self.most = max(self.most, self.now)
        try:
            return self.retriever.search(*args, **kwargs)
        finally:
            with self._lock:
                self.now -= 1


@pytest.mark.parametrize("slots", [1, 3])
async def test_searches_beyond_the_limit_wait_their_turn(make_settings, embedder, slots):
    app = create_app(make_settings(search_concurrency=slots), embedder=embedder)
    services = app.state.services
    counted = InFlight(services.retriever())
    services._retriever = counted
    statuses = []
    async with asgi_client(app) as client:

        async def one(i: int) -> None:
            r = await client.get("/v1/search", params={"q": f"artesunate severe malaria children {i}"})
            statuses.append(r.status_code)

        async with anyio.create_task_group() as tg:
            for i in range(8):
                tg.start_soon(one, i)
    assert statuses == [200] * 8
    assert counted.most == slots


def test_default_slots_are_the_process_share_of_the_cores():
    cores = os.cpu_count() or 1
    assert search_slots(Settings(workers=1)) == cores
    assert search_slots(Settings(workers=2)) == max(1, cores // 2)
    assert search_slots(Settings(workers=64)) == 1
    assert search_slots(Settings(search_concurrency=5, workers=2)) == 5
