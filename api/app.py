"""The HTTP service: `create_app(settings)` builds it; the index and models load once, in the lifespan.

Every `/v1` route sits on one router guarded by API keys and rate limits (api.security);
another router (e.g. batch, `APIRouter(prefix="/v1")`) joins them with `include_v1(app, router)`.
"""

from __future__ import annotations

import gc
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from anyio import CapacityLimiter
from fastapi import APIRouter, FastAPI
from starlette.concurrency import run_in_threadpool

from api import docs_assets, errors, security
from api.metrics import Metrics, Observer
from api.routes.ask import router as ask_router
from api.routes.batch import router as batch_router
from api.routes.documents import router as documents_router
from api.routes.health import router as health_router
from api.routes.pages import router as pages_router
from api.routes.pages import viewer_router
from api.routes.search import router as search_router
from api.routes.verify import router as verify_router
from api.routes.widget import router as widget_router
from api.services import Services
from api.settings_errors import quiet_model_loading, settings_or_exit
from rag.settings import Settings
from rag.wiring import configure_process

DESCRIPTION = """Question answering over WHO and MSF clinical guidelines, every claim cited to
organisation, guideline, edition, section and page.

**Research use only: not medical advice.** Check the cited page before acting.

With `GQA_API_KEYS` set, every `/v1` route needs `Authorization: Bearer KEY`."""


def include_v1(app: FastAPI, router: APIRouter) -> None:
    """Add a `/v1` router (declared with prefix="/v1", so metrics see full route templates) behind the guards."""
    if router.prefix != "/v1":
        raise ValueError(f"a /v1 router must be declared with prefix='/v1', not {router.prefix!r}")
    app.include_router(router, dependencies=security.V1_GUARDS)


def search_slots(settings: Settings) -> int:
    """How many searches this process runs at once (settings.search_concurrency; 0 = its share of the cores)."""
    return settings.search_concurrency or max(1, (os.cpu_count() or 1) // settings.workers)


def create_app(settings: Settings, embedder: Any = None, warm: bool = True, freeze_gc: bool = False) -> FastAPI:
    """The FastAPI app; `embedder` lets a caller share an already-loaded model (tests, benchmarks).

    `freeze_gc` (for a process that only serves this app): after warm-up, move everything loaded so far
    out of the garbage collector's reach. With the models and index loaded a full collection walks
    ~525k objects, holding the GIL for ~290 ms, and every request in the process waits for it;
    after the freeze it walks only what requests leave behind.
    """
    services = Services(settings, embedder)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if warm:
            await run_in_threadpool(services.warm_up)
        if freeze_gc:
            gc.collect()  # free what loading left behind first: frozen garbage is never freed
            gc.freeze()
        yield

    # docs_url/redoc_url None: FastAPI's pages load from a CDN; docs_assets serves the same pages offline.
    app = FastAPI(title="Guideline QA", version="0.1.0", description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.services = services
    app.state.search_limiter = CapacityLimiter(search_slots(settings))
    app.state.metrics = Metrics()
    app.state.metrics.watch_index(services.reader_or_none)
    errors.install(app)
    for router in (search_router, ask_router, documents_router, pages_router, batch_router, verify_router):
        include_v1(app, router)
    app.include_router(health_router)
    app.include_router(widget_router)
    app.include_router(viewer_router)  # open like the widget: the page holds no data, its fetches carry the key
    docs_assets.install(app)
    security.install(app, settings)
    app.add_middleware(Observer, metrics=app.state.metrics, log_queries=settings.log_queries)
    return app


def app_from_environment() -> FastAPI:
    """The app over settings read from the environment: what each `gqa serve --workers N` process runs."""
    settings = settings_or_exit()  # a bad GQA_ value: one `error:` line and exit 2, not a traceback
    quiet_model_loading()
    configure_process(settings)  # each worker process is an entry point of its own
    return create_app(settings, freeze_gc=True)
