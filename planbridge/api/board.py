"""The planner's board at /board: server-rendered HTML (Jinja2) with htmx, behind a login form.

Routes turn the request into a service call and render the answer; the board's data, the Gantt
model and decisions are `planbridge.services.board`. Signed in with the API token and a user id
(an HttpOnly cookie); everyone signed in reads, only production leads and admins see and may use
Approve/Reject (the service checks the role again and audits). Every POST carries the session's
CSRF token. The page is in Chinese when the browser's Accept-Language asks for it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, FastAPI, Form, Header, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from planbridge.api.board_session import COOKIE, CSRF_HEADER, SESSION_SECONDS, BoardKeys
from planbridge.api.deps import Services
from planbridge.errors import NotFound
from planbridge.languages import EN, is_known, normalize
from planbridge.presentation import board as pages
from planbridge.presentation.catalogue import t
from planbridge.services import board
from planbridge.services.requests import Decide

board_router = APIRouter(prefix="/board", tags=["board"], include_in_schema=False)
LOGIN = "/board/login"
BOARD_DAYS = 14  # two weeks: bars wide enough to carry their order and item


def install_board(app: FastAPI, api_token: str | None) -> None:
    """The board's routes, its static files (htmx, CSS) and its signing key."""
    app.state.board_keys = BoardKeys.for_token(api_token)
    app.include_router(board_router)
    app.mount("/board/static", StaticFiles(directory=pages.STATIC), name="board-static")


def reader_language(accept_language: str | None) -> str:
    """The first language of the Accept-Language header the board speaks (by q), else English."""
    ranked = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, parameters = part.strip().partition(";")
        quality = 1.0
        if parameters.strip().startswith("q="):
            try:
                quality = float(parameters.strip()[2:])
            except ValueError:
                continue
        ranked.append((-quality, position, tag.strip()))
    for _, _, tag in sorted(ranked):
        lowered = tag.lower()
        if is_known(lowered):
            return normalize(lowered)
        if lowered.startswith("zh"):  # zh-Hant-TW, zh-Hans-CN, zh-MO …
            return normalize("zh-hant" if any(x in lowered for x in ("hant", "tw", "hk", "mo")) else "zh")
        if lowered.startswith("en"):
            return EN
    return EN


Language = Annotated[str | None, Header(alias="Accept-Language")]


def _keys(request: Request) -> BoardKeys:
    keys: BoardKeys = request.app.state.board_keys
    return keys


def _signed_in(request: Request) -> tuple[str, str] | None:
    """(user id, cookie) of the session, or None."""
    cookie = request.cookies.get(COOKIE)
    user_id = _keys(request).user_of(cookie)
    return (user_id, cookie) if user_id and cookie else None


def _html(text: str, status_code: int = 200) -> HTMLResponse:
    # The board is never framed and never cached: it shows who may approve what.
    return HTMLResponse(text, status_code=status_code, headers={
        "Cache-Control": "no-store", "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
    })


@board_router.get("", response_class=HTMLResponse)
def show_board(request: Request, services: Services, accept_language: Language = None,
               days: Annotated[int, Query(ge=board.MIN_DAYS, le=board.MAX_DAYS)] = BOARD_DAYS) -> Response:
    session = _signed_in(request)
    if session is None:
        return RedirectResponse(LOGIN, status_code=303)
    user_id, cookie = session
    try:
        view = board.board_view(board.BoardCommand(user_id=user_id, language=reader_language(accept_language), days=days),
                                services)
    except NotFound:  # the user was removed from the plant data since signing in
        return _signed_out(RedirectResponse(LOGIN, status_code=303))
    return _html(pages.render_board(view, csrf=_keys(request).csrf_for(cookie)))


@board_router.get("/login", response_class=HTMLResponse)
def login_form(accept_language: Language = None) -> HTMLResponse:
    return _html(pages.render_login(reader_language(accept_language)))


@board_router.post("/login", response_class=HTMLResponse)
def login(request: Request, services: Services, user: Annotated[str, Form()],
          token: Annotated[str, Form()] = "", accept_language: Language = None) -> Response:
    keys = _keys(request)
    language = reader_language(accept_language)
    try:
        known = keys.token_accepted(token) and board.board_user(services, user).user_id
    except NotFound:
        known = False
    if not known:
        return _html(pages.render_login(language, failed=True, user=user), status_code=401)
    response = RedirectResponse("/board", status_code=303)
    response.set_cookie(COOKIE, keys.cookie_for(known), max_age=SESSION_SECONDS, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/board")
    return response


@board_router.post("/logout")
def logout(request: Request, csrf: Annotated[str | None, Form()] = None,
           accept_language: Language = None) -> Response:
    refused = _refused(request, csrf, accept_language)
    if refused is not None:
        return refused
    return _signed_out(RedirectResponse(LOGIN, status_code=303))


@board_router.post("/requests/{request_id}/{decision}", response_class=HTMLResponse)
def decide(request: Request, request_id: str, decision: Literal["approve", "reject"], services: Services,
           csrf: Annotated[str | None, Form()] = None, accept_language: Language = None,
           hx_request: Annotated[str | None, Header(alias="HX-Request")] = None) -> Response:
    """Approve or reject through the same service as chat; a decided request answers with its result."""
    refused = _refused(request, csrf, accept_language)
    if refused is not None:
        return refused
    session = _signed_in(request)
    assert session is not None  # _refused lets no one through without a session
    user_id, cookie = session
    answer = board.decide_from_board(Decide(request_id=request_id, user_id=user_id, approve=decision == "approve"),
                                     services)
    if not hx_request:  # a plain form post (no JavaScript): back to the board
        return RedirectResponse("/board", status_code=303)
    names = board.user_names(services)
    return _html(pages.render_decision(answer, language=reader_language(accept_language), names=names,
                                       csrf=_keys(request).csrf_for(cookie)))


def _refused(request: Request, csrf: str | None, accept_language: str | None) -> Response | None:
    """401 without a session, 403 without the session's CSRF token (form field or htmx header)."""
    language = reader_language(accept_language)
    session = _signed_in(request)
    if session is None:
        return _html(t(language, "board.sign_in_first"), status_code=401)
    given = csrf or request.headers.get(CSRF_HEADER)
    if not _keys(request).csrf_ok(session[1], given):
        return _html(t(language, "board.form_expired"), status_code=403)
    return None


def _signed_out(response: Response) -> Response:
    response.delete_cookie(COOKIE, path="/board")
    return response
