"""Prometheus metrics and the access log: requests, latency by route and stage, index size, generator errors.

One registry per app (tests build many apps in one process). Under `gqa serve --workers N` each
worker counts into prometheus_client's multiprocess files (PROMETHEUS_MULTIPROC_DIR, set by the
parent) and /metrics, answered by any worker, sums them all. The access log names the route
template, never the query string, unless settings.log_queries: questions can hold patient details.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

log = logging.getLogger("gqa.access")

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class Metrics:
    """The app's metrics, in their own registry."""

    def __init__(self) -> None:
        disable_created_metrics()  # the *_created series double the output and nobody graphs them
        self.registry = CollectorRegistry()
        self.requests = Counter("gqa_http_requests", "HTTP requests by route template, method and status.",
                                ["route", "method", "status"], registry=self.registry)
        self.latency = Histogram("gqa_http_request_seconds", "HTTP request latency (streams: to the last byte).",
                                 ["route", "method"], buckets=_LATENCY_BUCKETS, registry=self.registry)
        self.stages = Histogram("gqa_stage_seconds", "Time spent per pipeline stage (embed, dense, lexical, generate...).",
                                ["route", "stage"], buckets=_LATENCY_BUCKETS, registry=self.registry)
        self._index: _IndexCollector | None = None
        # prometheus_client itself chose file-backed values at import from the same variable
        self._shared_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        self.generator_errors = Counter("gqa_generator_errors", "Answers that failed because the generator failed.",
                                        registry=self.registry)

    def observe_stages(self, route: str, timings_ms: dict) -> None:
        """Record a timings dict (milliseconds per stage) from a search or an answer."""
        for stage, ms in (timings_ms or {}).items():
            if isinstance(ms, (int, float)) and stage != "total":
                self.stages.labels(route, stage).observe(ms / 1000.0)

    def watch_index(self, reader_of: Callable[[], object | None]) -> None:
        """Report the served index's size at each scrape."""
        self._index = _IndexCollector(reader_of)
        self.registry.register(self._index)

    def render(self) -> bytes:
        """The exposition text: this process's metrics, or every worker's when they share a directory."""
        if not self._shared_dir:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=self._shared_dir)
        if self._index is not None:
            registry.register(self._index)  # the same index in every worker: this one's view is enough
        return generate_latest(registry)


class _IndexCollector:
    def __init__(self, reader_of: Callable[[], object | None]):
        self.reader_of = reader_of

    def collect(self) -> Iterator[GaugeMetricFamily]:
        reader = self.reader_of()
        docs = GaugeMetricFamily("gqa_index_documents", "Documents in the served index version.")
        chunks = GaugeMetricFamily("gqa_index_chunks", "Chunks (vectors) in the served index version.")
        if reader is not None:
            docs.add_metric([], len(reader.documents))
            chunks.add_metric([], reader.dense.ntotal)
        yield docs
        yield chunks

    def describe(self) -> list:
        return []


class Observer:
    """ASGI middleware: counts and times every HTTP request by route template, and logs one line."""

    def __init__(self, app, metrics: Metrics, log_queries: bool):
        self.app = app
        self.metrics = metrics
        self.log_queries = log_queries

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status = 500

        async def tracking_send(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        finally:
            self._record(scope, status, time.perf_counter() - started)

    def _record(self, scope, status: int, seconds: float) -> None:
        route = route_of(scope)
        method = scope["method"]
        self.metrics.requests.labels(route, method, str(status)).inc()
        self.metrics.latency.labels(route, method).observe(seconds)
        target = scope["path"] if self.log_queries else route
        if self.log_queries and scope.get("query_string"):
            target += "?" + scope["query_string"].decode("latin-1")
        log.info("%s %s %d %.1fms", method, target, status, seconds * 1000)


def route_of(scope) -> str:
    """The route template of a request: the one that served it, else the one its path matches (a 413
    answered before routing, /openapi.json and /docs, which are not API routes); "unmatched" for a 404."""
    served = getattr(scope.get("route"), "path", None)
    if served:
        return served
    path = scope.get("path", "")
    for prefix, route in _leaf_routes(getattr(scope.get("app"), "routes", ())):
        if path.startswith(prefix) and route.path_regex.match(path[len(prefix):]):
            return prefix + route.path
    return "unmatched"


def _leaf_routes(routes, prefix: str = "") -> Iterator[tuple[str, object]]:
    """(prefix, route) of every route with a path pattern, inside included routers too (FastAPI keeps
    an included router as one entry of app.routes, holding the router and the prefix it was given)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            context = getattr(route, "include_context", None)
            yield from _leaf_routes(inner.routes, prefix + (getattr(context, "prefix", "") or ""))
        elif getattr(route, "path_regex", None) is not None and hasattr(route, "path"):
            yield prefix, route
