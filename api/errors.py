"""Every error an HTTP client can see, mapped once: domain errors and validation to JSON, never a traceback.

Body of every error response: `{"error": CODE, "message": TEXT}` (plus `details` for validation).

GuidelineQAError            -> 503 (the service cannot answer now), except:
├── BadRequest              -> 400
├── IndexNotFound           -> 503 "index_not_found" (run `gqa ingest`)
├── IndexBusy               -> 503 "index_busy" (another ingest is writing; retry)
├── ExtraNotInstalled       -> 503 "extra_not_installed" (pip install the extra)
├── GeneratorUnavailable    -> 503 "generator_unavailable" (counted in /metrics)
RequestValidationError      -> 422 "invalid_request"; 415 "unsupported_media_type" when the body was not
                               sent as JSON (no `Content-Type: application/json`)
HTTPException               -> its status, with a code from the status
anything else               -> 500 "internal_error" (logged server side, without the question)
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from rag import errors

log = logging.getLogger("gqa.api")

_DOMAIN: list[tuple[type[errors.GuidelineQAError], int, str]] = [
    (errors.BadRequest, 400, "bad_request"),
    (errors.IndexNotFound, 503, "index_not_found"),
    (errors.IndexBusy, 503, "index_busy"),
    (errors.ExtraNotInstalled, 503, "extra_not_installed"),
    (errors.IndexCorrupt, 503, "index_corrupt"),
    (errors.EmbedderMismatch, 503, "embedder_mismatch"),
    (errors.GeneratorUnavailable, 503, "generator_unavailable"),
    (errors.ModelNotFound, 503, "model_not_found"),
    (errors.BadDocument, 400, "bad_document"),
]

_STATUS_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    413: "payload_too_large", 415: "unsupported_media_type", 422: "invalid_request", 429: "rate_limited",
    503: "unavailable",
}


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    """The JSON body of every error response."""
    return {"error": code, "message": message, **extra}


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    """A JSON error response."""
    return JSONResponse(error_body(code, message, **extra), status_code=status, headers=headers)


def classify(exc: errors.GuidelineQAError) -> tuple[int, str]:
    """(HTTP status, error code) of a domain error."""
    for cls, status, code in _DOMAIN:
        if isinstance(exc, cls):
            return status, code
    return 503, "unavailable"


def _clean_validation(errs: list[dict]) -> list[dict]:
    # pydantic echoes the offending input: a question may hold patient details, and it can be huge.
    return [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in errs]


async def _domain(request: Request, exc: errors.GuidelineQAError) -> JSONResponse:
    status, code = classify(exc)
    if isinstance(exc, errors.GeneratorUnavailable):
        metrics = getattr(request.app.state, "metrics", None)
        if metrics is not None:
            metrics.generator_errors.inc()
    return error_response(status, code, str(exc))


def _not_json(request: Request, details: list[dict]) -> str | None:
    """The Content-Type of a body FastAPI did not read as JSON, when that is why validation failed."""
    content_type = request.headers.get("content-type")
    if not content_type or not any(d["loc"][:1] == ["body"] for d in details):
        return None
    media = content_type.split(";")[0].strip().lower()
    if media == "application/json" or media.endswith("+json"):
        return None
    return media


async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    details = _clean_validation(list(exc.errors()))
    media = _not_json(request, details)
    if media is not None:  # FastAPI left the body unparsed: say why instead of "Input should be a valid dictionary"
        return error_response(415, "unsupported_media_type", f"the request body must be JSON sent with "
                              f"'Content-Type: application/json' (got {media!r}); e.g. curl -H 'Content-Type: "
                              "application/json' -d '{\"question\": \"...\"}'")
    message = "; ".join(f"{'.'.join(str(p) for p in d['loc'])}: {d['msg']}" for d in details) or "invalid request"
    return error_response(422, "invalid_request", message, details=details)


async def _http(request: Request, exc: HTTPException) -> JSONResponse:
    code = _STATUS_CODES.get(exc.status_code, "error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    return error_response(exc.status_code, code, message, headers=getattr(exc, "headers", None))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    route = getattr(request.scope.get("route"), "path", request.url.path)
    log.error("internal error on %s %s: %s", request.method, route, type(exc).__name__, exc_info=exc)
    return error_response(500, "internal_error", "internal error; see the server log")


def install(app: FastAPI) -> None:
    """Register the handlers on an app."""
    app.add_exception_handler(errors.GuidelineQAError, _domain)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
