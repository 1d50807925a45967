"""The API's guards: keys, per-key rate limits, CORS allow-list, body size and question length.

Keys and rate limits are dependencies of the whole `/v1` router, so every route added there
(now or later, e.g. batch) is guarded; `/healthz`, `/readyz`, `/metrics` (unless settings.metrics_require_key)
and the widget stay open.
"""

from __future__ import annotations

import hmac
import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.errors import error_body
from rag.settings import Settings
from rag.text.question import Question, QuestionError, as_question

bearer = HTTPBearer(auto_error=False, description="An API key from GQA_API_KEYS (only when keys are set).")


async def api_key(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> str | None:
    """The caller's key; 401 when keys are configured and it is missing or wrong."""
    keys: list[str] = request.app.state.settings.api_keys
    if not keys:
        return None
    given = credentials.credentials if credentials else ""
    # Compare against every key, always, so timing says nothing about which key nearly matched.
    matched = None
    for key in keys:
        if hmac.compare_digest(given.encode(), key.encode()):
            matched = key
    if matched is None:
        raise HTTPException(401, "a valid API key is required: Authorization: Bearer KEY",
                            headers={"WWW-Authenticate": "Bearer"})
    return matched


def _spend(tokens: float, last: float, now: float, per_minute: int) -> tuple[float, float]:
    """One request against a token bucket: (tokens left, seconds to wait; 0 = go ahead)."""
    rate = per_minute / 60.0
    tokens = min(float(per_minute), tokens + max(0.0, now - last) * rate)
    if tokens < 1.0:
        return tokens, (1.0 - tokens) / rate
    return tokens - 1.0, 0.0


class RateLimiter:
    """Token bucket per caller, in this process: `per_minute` requests, refilled continuously."""

    def __init__(self, per_minute: int):
        self.per_minute = per_minute
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, caller: str) -> float:
        """0 when the request may go ahead, else seconds until it may."""
        if self.per_minute <= 0:
            return 0.0
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(caller, (float(self.per_minute), now))
            tokens, wait = _spend(tokens, last, now, self.per_minute)
            self._buckets[caller] = (tokens, now)
            if len(self._buckets) > 10_000:  # forget idle callers so the table cannot grow without bound
                self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < 120}
        return wait


def open_bucket_db(path: Path, wait_s: float = 10.0) -> sqlite3.Connection:
    """Open (creating if need be) the shared bucket file in WAL mode.

    Switching a new file to WAL takes an exclusive lock and SQLite answers "database is locked" at once,
    without waiting on the busy timeout, when another process is doing the same: workers starting together
    hit that, so the setup is retried until `wait_s` has passed.
    """
    db = sqlite3.connect(str(path), timeout=5, isolation_level=None, check_same_thread=False)
    deadline = time.monotonic() + wait_s
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS buckets (caller TEXT PRIMARY KEY, tokens REAL, at REAL)")
            break
        except sqlite3.OperationalError as exc:
            contention = "locked" in str(exc) or "busy" in str(exc)
            if not contention or time.monotonic() > deadline:
                db.close()
                raise
            time.sleep(0.05)
    db.execute("PRAGMA synchronous=OFF")  # per connection; losing a few buckets in a power cut costs nothing
    return db


class SharedRateLimiter:
    """The same token buckets in a SQLite file, so every process that names it shares one budget per
    caller (`gqa serve --workers N`: otherwise each worker would grant the whole budget again)."""

    def __init__(self, path: Path, per_minute: int):
        self.per_minute = per_minute
        self._db = open_bucket_db(path)
        self._lock = threading.Lock()
        self._takes = 0

    def take(self, caller: str) -> float:
        """0 when the request may go ahead, else seconds until it may."""
        if self.per_minute <= 0:
            return 0.0
        now = time.time()  # wall clock: comparable between processes
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute("SELECT tokens, at FROM buckets WHERE caller = ?", (caller,)).fetchone()
                tokens, wait = _spend(*(row or (float(self.per_minute), now)), now, self.per_minute)
                self._db.execute("INSERT OR REPLACE INTO buckets VALUES (?, ?, ?)", (caller, tokens, now))
                self._takes += 1
                if self._takes % 1000 == 0:  # forget idle callers so the table cannot grow without bound
                    self._db.execute("DELETE FROM buckets WHERE at < ?", (now - 120,))
            finally:
                self._db.execute("COMMIT")
        return wait


def rate_limiter(settings: Settings) -> RateLimiter | SharedRateLimiter:
    """Shared through settings.rate_limit_db when set, else in this process."""
    if settings.rate_limit_db is not None and settings.rate_limit_per_minute > 0:
        return SharedRateLimiter(settings.rate_limit_db, settings.rate_limit_per_minute)
    return RateLimiter(settings.rate_limit_per_minute)


async def rate_limit(request: Request, key: Annotated[str | None, Depends(api_key)]) -> None:
    """429 when this key (or, with no keys, this client address) is over its budget."""
    caller = f"key:{key}" if key else f"ip:{request.client.host if request.client else '-'}"
    wait = request.app.state.rate_limiter.take(caller)
    if wait > 0:
        raise HTTPException(429, f"rate limit of {request.app.state.settings.rate_limit_per_minute} requests "
                                 f"per minute exceeded; retry in {wait:.1f} s",
                            headers={"Retry-After": str(max(1, round(wait)))})


V1_GUARDS = [Depends(rate_limit)]  # rate_limit depends on api_key: one key check per request


def check_question(text: str, settings: Settings, field: tuple[str, ...] = ("body", "question")) -> Question:
    """The question, checked and translated once for the whole request; 422 when empty or longer than
    settings.max_question_chars."""
    try:
        return as_question(text, settings.max_question_chars, settings.query_translation)
    except QuestionError as exc:
        if exc.reason == "empty":
            raise RequestValidationError([{"loc": field, "msg": "question is empty", "type": "string_too_short"}]) from None
        raise RequestValidationError([{"loc": field, "type": "string_too_long",
                                       "msg": f"question longer than {settings.max_question_chars} characters"}]) from None


class _TooLarge(HTTPException):
    # An HTTPException, so FastAPI re-raises it from its body reader instead of turning it into a 400.
    def __init__(self, limit: int):
        super().__init__(413, f"request body larger than {limit} bytes", headers={"Connection": "close"})


class BodyLimit:
    """ASGI middleware: 413 for bodies over `limit` bytes, by Content-Length or while streaming in."""

    def __init__(self, app, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            return await self._reject(send)
        seen = 0
        started = False

        async def counting_receive():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _TooLarge(self.limit)
            return message

        async def tracking_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._reject(send)

    async def _reject(self, send) -> None:
        body = json.dumps(error_body("payload_too_large", f"request body larger than {self.limit} bytes")).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


def install(app: FastAPI, settings: Settings) -> None:
    """Add the body limit and CORS middlewares; CORS outermost so even errors carry its headers."""
    app.state.rate_limiter = rate_limiter(settings)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Authorization", "Content-Type", "Accept"],
        max_age=600,
    )
