"""The board in a real browser: Playwright driving Debian's Chromium (`make browser` installs it).

Skipped, saying why, where Chromium is not installed or cannot start. Screenshots are kept under
test-artifacts/ (ignored by git).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from planbridge.presentation.charts import STATUS_COLOURS
from planbridge.services.board import BarStatus
from planbridge.services.requests import audit_log
from tests.board.conftest import ARTIFACTS, LEAD, SALES, TOKEN, DemoBoard

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path(os.environ.get("PLANBRIDGE_CHROMIUM", "/usr/bin/chromium"))
STARTUP_SECONDS = 20


def rgb(colour: str) -> str:
    """"#c62828" as the browser computes it: "rgb(198, 40, 40)"."""
    return "rgb({}, {}, {})".format(*(int(colour[i:i + 2], 16) for i in (1, 3, 5)))


@dataclass
class BrowserBoard:
    board: DemoBoard
    browser: Browser
    url: str

    def page_of(self, user: str, **context: Any) -> Page:
        """A fresh browser context signed in as `user` through the login form."""
        page = self.browser.new_context(viewport={"width": 1500, "height": 1000}, **context).new_page()
        page.goto(f"{self.url}/board")
        assert page.url.endswith("/board/login")
        page.fill("input[name=user]", user)
        page.fill("input[name=token]", TOKEN)
        page.click("button[type=submit]")
        page.wait_for_selector("#requests")
        return page


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def board_browser(demo_board: DemoBoard) -> Iterator[BrowserBoard]:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: run `make browser` (apt-get install chromium, as root on Debian) "
                    "to run the board's browser tests")
    import uvicorn
    from playwright.sync_api import Error, sync_playwright

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(demo_board.app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_SECONDS
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        except Error as exc:
            server.should_exit = True
            pytest.skip(f"Chromium at {CHROMIUM} cannot start here: {str(exc).splitlines()[0]}")
        try:
            yield BrowserBoard(demo_board, browser, f"http://127.0.0.1:{port}")
        finally:
            browser.close()
            server.should_exit = True
            thread.join(timeout=10)


def test_the_board_shows_the_demo_schedule_with_every_resource_and_late_orders_in_red(
        board_browser: BrowserBoard) -> None:
    page = board_browser.page_of(LEAD)
    page.goto(f"{board_browser.url}/board?days=28")
    snapshot = board_browser.board.schedule.snapshot
    rows = page.locator(".gantt-row[data-resource]")
    assert rows.count() == len(snapshot.resources)
    for resource in snapshot.resources.values():
        row = page.locator(f'.gantt-row[data-resource="{resource.resource_id}"] .row-name')
        assert row.is_visible() and resource.name in row.inner_text()

    late_colour = rgb(STATUS_COLOURS[BarStatus.LATE])
    legend = page.locator('#legend li[data-status="late"] .swatch')
    assert legend.evaluate("e => getComputedStyle(e).backgroundColor") == late_colour
    late = board_browser.board.schedule.late_orders
    drawn = [o for o in late if page.locator(f'.bar[data-orders~="{o}"]').count()]
    assert drawn, "late orders on the chart"
    for order_id in drawn:
        bar = page.locator(f'.bar[data-orders~="{order_id}"]').first
        assert bar.evaluate("e => getComputedStyle(e).backgroundColor") == late_colour, order_id
        title = bar.get_attribute("title") or ""
        order = snapshot.orders_by_id[order_id]
        assert order_id in title and order.customer in title and "promise" in title
    assert page.locator(".closed").count() > 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "board.png"), full_page=True)
    assert (ARTIFACTS / "board.png").stat().st_size > 10_000


def test_a_production_lead_approves_from_the_board_and_it_is_decided_once(board_browser: BrowserBoard) -> None:
    request_id = board_browser.board.new_request()
    page = board_browser.page_of(LEAD)
    stale = page.context.new_page()  # a second tab, still showing the request as pending
    stale.goto(f"{board_browser.url}/board")
    row = page.locator(f"#req-{request_id}")

    row.locator("button.approve").click()
    page.wait_for_selector(f"#req-{request_id}[data-status=approved]")
    assert "Approved by Tom Becker" in row.inner_text()
    assert row.locator("button").count() == 0

    stale.locator(f"#req-{request_id} button.approve").click()
    stale.wait_for_selector(f"#req-{request_id}[data-status=approved]")
    assert "your click changed nothing" in stale.locator(f"#req-{request_id}").inner_text()
    decisions = [e for e in audit_log(board_browser.board.services, limit=1000)
                 if e.action == "approve" and e.detail.get("request_id") == request_id]
    assert len(decisions) == 1
    page.screenshot(path=str(ARTIFACTS / "board-approved.png"), full_page=True)


def test_a_sales_user_sees_no_approve_button(board_browser: BrowserBoard) -> None:
    request_id = board_browser.board.new_request()
    page = board_browser.page_of(SALES)
    assert page.locator(f"#req-{request_id}").is_visible()
    assert page.locator("button.approve").count() == 0 and page.locator("button.reject").count() == 0
    assert page.locator("#read-only").is_visible()


def test_the_board_is_in_chinese_when_the_browser_asks(board_browser: BrowserBoard) -> None:
    page = board_browser.page_of(LEAD, locale="zh-CN")
    assert page.locator("h1").inner_text().startswith("计划看板")
    assert page.locator('#legend li[data-status="late"]').inner_text() == "延误"
