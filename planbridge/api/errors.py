"""Errors as `{"error": "..."}` with the status code that says what went wrong."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from planbridge import logs
from planbridge.errors import BadRequest, Conflict, DataValidationError, NotFound, PermissionDenied, PlanbridgeError

log = logging.getLogger("planbridge.api")

STATUS: tuple[tuple[type[PlanbridgeError], int], ...] = (
    (BadRequest, 400),
    (NotFound, 404),
    (PermissionDenied, 403),
    (Conflict, 409),
    (DataValidationError, 422),
)
OTHER_PLANNING_ERROR = 422  # a clean refusal the user can act on (e.g. "orders do not fit four years")


def status_of(error: PlanbridgeError) -> int:
    return next((code for kind, code in STATUS if isinstance(error, kind)), OTHER_PLANNING_ERROR)


def install(app: FastAPI) -> None:
    @app.exception_handler(PlanbridgeError)
    async def planning_error(_: Request, error: PlanbridgeError) -> JSONResponse:
        body: dict[str, object] = {"error": error.message}
        if error.details:
            body["details"] = list(error.details)
        return JSONResponse(body, status_code=status_of(error))

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, error: HTTPException) -> JSONResponse:
        return JSONResponse({"error": str(error.detail)}, status_code=error.status_code, headers=error.headers)

    @app.exception_handler(RequestValidationError)
    async def bad_input(_: Request, error: RequestValidationError) -> JSONResponse:
        problems = [_describe(e) for e in error.errors()]
        return JSONResponse({"error": problems[0] if problems else "bad request", "details": problems}, status_code=400)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        # The request id is the reference: the log line (with the traceback) carries it too.
        reference = logs.request_id.get() or logs.new_id()
        log.exception("%s %s failed (reference %s)", request.method, request.url.path, reference)
        return JSONResponse({"error": f"Sorry, something went wrong on our side (reference {reference})",
                             "reference": reference}, status_code=500)


def _describe(error: dict[str, object]) -> str:
    where = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path"))  # type: ignore[attr-defined]
    return f"{where}: {error.get('msg')}" if where else str(error.get("msg"))
