"""The board without a browser: sign-in, the cookie, CSRF, roles, decisions once, languages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from planbridge.api.board import reader_language
from planbridge.api.board_session import COOKIE, BoardKeys
from planbridge.services.requests import audit_log, list_requests
from tests.board.conftest import LEAD, SALES, TOKEN, DemoBoard

HTMX = {"HX-Request": "true"}


def signed_in(board: DemoBoard, user: str, **headers: str) -> TestClient:
    client = TestClient(board.app, headers=headers)
    response = client.post("/board/login", data={"user": user, "token": TOKEN}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/board"
    return client


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def status_of(board: DemoBoard, request_id: str) -> str:
    return next(r.status for r in list_requests(board.services, limit=500) if r.request_id == request_id)


def test_without_a_session_the_board_sends_to_the_login_form(demo_board: DemoBoard) -> None:
    anonymous = TestClient(demo_board.app)
    response = anonymous.get("/board", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/board/login")
    form = anonymous.get("/board/login")
    assert form.status_code == 200 and 'name="token"' in form.text and 'type="password"' in form.text
    forged = TestClient(demo_board.app, cookies={COOKIE: "VTAxUFJPRDI.9999999999.00"})
    assert forged.get("/board", follow_redirects=False).status_code == 303
    # POSTs without a session are refused outright
    assert anonymous.post("/board/requests/REQ-1/approve", data={"csrf": "x"}).status_code == 401


def test_a_wrong_token_or_an_unknown_user_gets_no_cookie(demo_board: DemoBoard) -> None:
    client = TestClient(demo_board.app)
    wrong = client.post("/board/login", data={"user": LEAD, "token": "nope"}, follow_redirects=False)
    unknown = client.post("/board/login", data={"user": "U-NOBODY", "token": TOKEN}, follow_redirects=False)
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "set-cookie" not in response.headers
        assert "Wrong token or unknown user." in response.text


def test_the_session_cookie_is_http_only_strict_and_signed(demo_board: DemoBoard) -> None:
    client = TestClient(demo_board.app)
    response = client.post("/board/login", data={"user": LEAD, "token": TOKEN}, follow_redirects=False)
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Path=/board" in cookie
    keys = BoardKeys.for_token(TOKEN)
    value = client.cookies[COOKIE]
    assert keys.user_of(value) == LEAD
    assert BoardKeys.for_token("another token").user_of(value) is None  # a new token signs everyone out
    assert keys.user_of(value, now=10**11) is None  # expired


def test_the_board_shows_the_schedule_every_resource_and_the_late_orders(demo_board: DemoBoard) -> None:
    page = signed_in(demo_board, LEAD).get("/board", params={"days": 28})
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    text = page.text
    snapshot = demo_board.schedule.snapshot
    rows = re.findall(r'class="gantt-row" data-resource="([^"]+)"', text)
    assert rows == sorted(snapshot.resources)  # every resource, idle or not
    for resource in snapshot.resources.values():
        assert resource.name in text
    late = demo_board.schedule.late_orders
    assert late, "the demo's schedule has late orders to show"
    window_end = (demo_board.schedule.as_of + timedelta(days=28)).isoformat()
    on_chart = {op["order_id"] for op in demo_board.schedule.document["operations"] if op["start"] < window_end}
    for order_id in set(late) & on_chart:  # their bars in the late colour
        assert re.search(rf'data-status="late" data-orders="[^"]*\b{order_id}\b', text), order_id
    for order_id in late:  # and in the order list
        assert f'data-order="{order_id}" data-status="late"' in text
    assert '<li data-status="late"><span class="swatch" style="background: #c62828">' in text
    assert 'style="left:' in text and 'class="closed"' in text
    assert "/board/static/htmx.min.js" in text and "https://" not in text  # no CDN
    assert "On-time delivery (30 days)" in text  # the digest's tiles


def test_static_assets_are_served_from_the_package(demo_board: DemoBoard) -> None:
    htmx = TestClient(demo_board.app).get("/board/static/htmx.min.js")
    assert htmx.status_code == 200 and htmx.text.startswith("var htmx=")


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(demo_board: DemoBoard) -> None:
    request_id = demo_board.new_request()
    lead = signed_in(demo_board, LEAD)
    lead.get("/board")
    refused = lead.post(f"/board/requests/{request_id}/approve", headers=HTMX)
    wrong = lead.post(f"/board/requests/{request_id}/approve", data={"csrf": "0" * 64}, headers=HTMX)
    other = signed_in(demo_board, SALES)  # another session's token does not fit this one
    stolen = lead.post(f"/board/requests/{request_id}/approve", data={"csrf": csrf_of(other.get("/board").text)})
    assert refused.status_code == wrong.status_code == stolen.status_code == 403
    assert status_of(demo_board, request_id) == "pending"
    assert lead.post("/board/logout", follow_redirects=False).status_code == 403


def test_a_production_lead_approves_once_from_the_board(demo_board: DemoBoard) -> None:
    request_id = demo_board.new_request()
    lead = signed_in(demo_board, LEAD)
    page = lead.get("/board").text
    assert f'hx-post="/board/requests/{request_id}/approve"' in page
    token = csrf_of(page)

    first = lead.post(f"/board/requests/{request_id}/approve", headers={**HTMX, "X-CSRF-Token": token})
    again = lead.post(f"/board/requests/{request_id}/approve", headers={**HTMX, "X-CSRF-Token": token})

    assert first.status_code == again.status_code == 200
    assert "Approved by Tom Becker" in first.text and "hx-post" not in first.text
    assert "Approved by Tom Becker" in again.text and "your click changed nothing" in again.text
    assert status_of(demo_board, request_id) == "approved"
    decisions = [e for e in audit_log(demo_board.services, limit=1000)
                 if e.action == "approve" and e.detail.get("request_id") == request_id]
    assert len(decisions) == 1 and decisions[0].user_id == LEAD


def test_a_plain_form_post_decides_and_returns_to_the_board(demo_board: DemoBoard) -> None:
    request_id = demo_board.new_request("SO-2425", due=demo_board.schedule.as_of.replace(day=28))
    lead = signed_in(demo_board, LEAD)
    token = csrf_of(lead.get("/board").text)
    response = lead.post(f"/board/requests/{request_id}/reject", data={"csrf": token}, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/board")
    assert status_of(demo_board, request_id) == "rejected"


def test_a_sales_user_reads_the_board_but_cannot_decide(demo_board: DemoBoard) -> None:
    request_id = demo_board.new_request()
    sales = signed_in(demo_board, SALES)
    page = sales.get("/board").text
    assert request_id in page  # the pending request and its impact are there to read
    assert "hx-post" not in page and "Approve</button>" not in page
    assert "Read-only: only production leads approve or reject." in page
    forced = sales.post(f"/board/requests/{request_id}/approve", data={"csrf": csrf_of(page)}, headers=HTMX)
    assert forced.status_code == 403
    assert status_of(demo_board, request_id) == "pending"
    refusals = [e for e in audit_log(demo_board.services, limit=1000)
                if e.action == "approve_refused" and e.detail.get("request_id") == request_id]
    assert [e.user_id for e in refusals] == [SALES]


def test_sign_out_needs_the_token_and_ends_the_session(demo_board: DemoBoard) -> None:
    lead = signed_in(demo_board, LEAD)
    token = csrf_of(lead.get("/board").text)
    response = lead.post("/board/logout", data={"csrf": token}, follow_redirects=False)
    assert response.status_code == 303 and f'{COOKIE}=""' in response.headers["set-cookie"]
    assert lead.get("/board", follow_redirects=False).status_code == 303


@pytest.mark.parametrize(("header", "title", "late"), [
    ("zh-CN,zh;q=0.9,en;q=0.8", "计划看板", "延误"),
    ("zh-TW", "計劃看板", "延誤"),
    ("en-GB,en;q=0.9", "Planner's board", "late"),
])
def test_the_board_speaks_the_language_the_browser_asks_for(demo_board: DemoBoard, header: str, title: str,
                                                           late: str) -> None:
    page = signed_in(demo_board, LEAD, **{"Accept-Language": header}).get("/board").text
    assert title in page.replace("&#39;", "'") and f"</span>{late}</li>" in page


def test_reader_language_follows_quality_order() -> None:
    assert reader_language(None) == "en"
    assert reader_language("fr-FR, zh-Hans-CN;q=0.5") == "zh"
    assert reader_language("en;q=0.4, zh-Hant-HK;q=0.8") == "zh-Hant"
    assert reader_language("de, fr") == "en"


def test_the_saved_schedule_as_a_png_for_chat_and_scripts(demo_board: DemoBoard) -> None:
    api = TestClient(demo_board.app, headers={"Authorization": f"Bearer {TOKEN}"})
    png = api.get("/api/schedule/gantt.png", params={"days": 7})
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n" and len(png.content) > 20_000
    assert TestClient(demo_board.app).get("/api/schedule/gantt.png").status_code == 401
    assert api.get("/api/schedule/gantt.png", params={"days": 99}).status_code == 400
