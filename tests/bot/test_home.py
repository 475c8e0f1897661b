"""App Home over signed `app_home_opened` events: a sales rep's orders and requests, a production lead's
pending requests with their impact and the next 14 days' load, and the hint to ask, in each reader's language."""

from __future__ import annotations

import json
from typing import Any

from planbridge.presentation.formats import percent
from planbridge.records import RequestKind
from planbridge.services.material import KpiCommand, kpis
from planbridge.services.requests import CreateRequest, create_request
from tests.bot.conftest import AS_OF, PRODUCTION, SALES, STRANGER, Harness, all_text


def open_home(harness: Harness, user: str, *, tab: str = "home", ts: str = "1700000300.000100") -> dict[str, Any]:
    event = {"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": tab, "event_ts": ts}
    assert harness.event({**event, "ts": ts}).status_code == 200
    published = [c.body for c in harness.slack.to("views.publish") if c.body["user_id"] == user]
    if not published:
        return {}
    view = published[-1]["view"]
    return json.loads(view) if isinstance(view, str) else view


def a_pending_rush(harness: Harness) -> str:
    return create_request(CreateRequest(kind=RequestKind.RUSH, user_id=SALES, order_id="A-2",
                                        due=AS_OF.replace(day=6)), harness.services).request.request_id


def test_a_sales_rep_sees_their_open_orders_with_status_and_their_pending_requests(harness: Harness) -> None:
    request_id = a_pending_rush(harness)

    view = open_home(harness, SALES)

    assert view["type"] == "home"
    text = all_text(view["blocks"])
    assert "*Your open orders*" in text
    assert "A-1 · Acme · 15 × Centrifugal pump A · promised Jan 5, projected Jan 5" in text
    assert ":white_check_mark: on track · A-1" in text
    assert "A-2" not in text.split("*Your pending requests*")[0]  # Li Na's order, not Mia's
    assert f"{request_id} · Rush A-2 · asked " in text
    assert "Ask a question: mention @planbridge" in text
    assert "Requests waiting for a decision" not in text


def test_a_production_lead_sees_pending_requests_with_their_impact_and_the_load(harness: Harness) -> None:
    request_id = a_pending_rush(harness)

    view = open_home(harness, PRODUCTION)  # Wang reads Chinese

    text = all_text(view["blocks"])
    assert "*待审批的申请*" in text
    assert f"{request_id} · Mia Sales申请加急 A-2 · 可于1月6日完成 · 将延误的订单：A-1 延误3天" in text
    assert "*未来14天负荷*" in text
    loads = {r.resource_id: r.load_ratio for r in kpis(KpiCommand(as_of=AS_OF), harness.services).report.utilization.resources}
    for resource, name in (("ASSY", "装配"), ("LATHE", "车床"), ("DRILL1", "钻床1"), ("DRILL2", "钻床2")):
        assert f"{name}：{percent(loads[resource])}" in text  # by its Chinese name, every resource
    assert loads["ASSY"] and loads["ASSY"] > 0  # the open pump orders load assembly
    assert "提问：在频道里 @planbridge" in text
    assert "您的未完成订单" not in text  # a lead owns no orders


def test_a_stranger_is_told_how_to_get_in_and_the_messages_tab_draws_nothing(harness: Harness) -> None:
    assert "I don't know you yet" in all_text(open_home(harness, STRANGER)["blocks"])

    assert open_home(harness, SALES, tab="messages", ts="1700000400.000100") == {}
