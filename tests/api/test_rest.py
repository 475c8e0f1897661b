"""The REST API: same JSON shapes as the CLI, bearer token, and errors as {"error"} with the right status."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from planbridge.services.context import ServiceContext
from tests.api.conftest import AUTH

QUOTE_KEYS = {"item_id", "qty", "due_date", "as_of", "promise_date", "feasible_by_due", "partial", "constraints",
              "explanation"}


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/api/kpi"), ("POST", "/api/quote"), ("GET", "/api/requests"), ("POST", "/api/requests/REQ-1/approve"),
    ("GET", "/api/digest"), ("POST", "/api/ask"),
])
def test_the_api_needs_the_bearer_token(anonymous: TestClient, method: str, path: str) -> None:
    response = anonymous.request(method, path, json={})

    assert response.status_code == 401
    assert response.json() == {"error": "missing or wrong bearer token"}
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert anonymous.request(method, path, json={}, headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_a_refused_approval_without_the_token_changes_nothing(anonymous: TestClient, api: TestClient) -> None:
    created = api.post("/api/requests", json={"kind": "rush", "user": "U1SALES", "order_id": "A-2", "due": "2027-01-06"})

    assert anonymous.post(f"/api/requests/{created.json()['request_id']}/approve", json={"user": "U3PROD"}).status_code == 401
    assert api.get("/api/requests").json()[0]["status"] == "pending"


def test_healthz_and_docs_need_no_token(anonymous: TestClient) -> None:
    health = anonymous.get("/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "slack": False, "feishu": False, "plant_loaded": True}
    assert anonymous.get("/docs").status_code == 200
    paths = anonymous.get("/openapi.json").json()["paths"]
    assert {"/api/quote", "/api/rush", "/api/book", "/api/requests", "/api/requests/{request_id}/approve",
            "/api/requests/{request_id}/reject", "/api/mrp", "/api/kpi", "/api/schedule", "/api/available", "/api/digest", "/api/parse",
            "/api/ask", "/healthz"} <= set(paths)


def test_quote_by_post_and_by_get_gives_the_cli_shape(api: TestClient) -> None:
    posted = api.post("/api/quote", json={"item": "pump A", "qty": 30, "due": "2027-01-12", "customer": "Acme"})
    got = api.get("/api/quote", params={"item": "PUMP-A", "qty": 30, "due": "2027-01-12", "customer": "Acme"})

    assert posted.status_code == got.status_code == 200
    assert posted.json() == got.json()
    quote = posted.json()
    assert set(quote) >= QUOTE_KEYS
    assert (quote["item_id"], quote["promise_date"], quote["feasible_by_due"]) == ("PUMP-A", "2027-01-11", True)
    assert quote["partial"] == [{"qty": 15, "date": "2027-01-04"}, {"qty": 15, "date": "2027-01-11"}]


def test_available_is_the_largest_quantity_whose_quote_makes_the_date(api: TestClient) -> None:
    # The example plant: 25 pump A are promised Jan 11, 40 only on Jan 12 (pumps_cases.json).
    answer = api.get("/api/available", params={"item": "pump A", "by": "2027-01-11"})
    assert answer.status_code == 200
    document = answer.json()
    assert {"item_id", "by", "qty", "schedule"} <= set(document)
    assert document["item_id"] == "PUMP-A" and document["by"] == "2027-01-11"
    assert 25 <= document["qty"] < 40
    assert sum(p["qty"] for p in document["schedule"]) == document["qty"]

    def promise(qty: int) -> str:
        return str(api.post("/api/quote", json={"item": "PUMP-A", "qty": qty}).json()["promise_date"])

    assert promise(document["qty"]) <= "2027-01-11" < promise(document["qty"] + 1)
    assert api.get("/api/available", params={"item": "PUMP-A", "by": "2026-12-01"}).status_code == 400


@pytest.mark.parametrize(("body", "status", "error"), [
    ({"item": "PUMP-A", "qty": -5}, 400, "quantity must be greater than zero, got -5.0"),
    ({"item": "PUMP-A", "qty": 0}, 400, "quantity must be greater than zero, got 0.0"),
    ({"item": "PUMP-A", "qty": 5, "due": "2027-01-01"}, 400, "due date 2027-01-01 is before today (2027-01-04)"),
    ({"item": "PUMP-A", "qty": 5, "due": "2027-13-01"}, 400, None),
    ({"item": "PUMP-A"}, 400, "qty: Field required"),
    ({"item": "NO-SUCH-ITEM", "qty": 5}, 404, "unknown item 'NO-SUCH-ITEM'"),
])
def test_bad_quotes_get_one_clear_error(api: TestClient, body: dict[str, object], status: int,
                                        error: str | None) -> None:
    response = api.post("/api/quote", json=body)

    assert response.status_code == status
    assert set(response.json()) <= {"error", "details"}
    if error:
        assert response.json()["error"].startswith(error)


def test_rush_analyses_without_changing_anything(api: TestClient, services: ServiceContext) -> None:
    response = api.post("/api/rush", json={"order_id": "A-2", "due": "2027-01-06"})

    assert response.status_code == 200
    assert response.json()["impacted"] == [{"order_id": "A-1", "customer": "Acme", "item_id": "PUMP-A", "qty": 15,
                                            "promised_date": "2027-01-05", "projected_date": "2027-01-08",
                                            "days_late": 3}]
    assert services.snapshot().orders_by_id["A-2"].promised_date.isoformat() == "2027-01-08"
    assert api.post("/api/rush", json={"order_id": "A-404", "due": "2027-01-06"}).status_code == 404


def test_book_records_a_confirmed_order(api: TestClient) -> None:
    response = api.post("/api/book", json={"item": "PUMP-A", "qty": 30, "customer": "Acme", "due": "2027-01-12",
                                           "user": "U1SALES"})

    assert response.status_code == 201
    booked = response.json()
    # Ready by Jan 11 at the earliest, booked for the 12th as asked (not early, which would look late).
    assert (booked["order_id"], booked["promise_date"], booked["booked"]) == ("SO-1001", "2027-01-12", True)
    assert (booked["requested_date"], booked["earliest_date"]) == ("2027-01-12", "2027-01-11")
    assert api.get("/api/kpi").json()["backlog_orders"] == 3
    assert api.post("/api/book", json={"item": "PUMP-A", "qty": 3, "customer": " "}).status_code == 400


def test_requests_are_approved_only_by_production(api: TestClient, services: ServiceContext) -> None:
    created = api.post("/api/requests", json={"kind": "rush", "user": "U1SALES", "order_id": "A-2", "due": "2027-01-06"})
    assert created.status_code == 201
    request_id = created.json()["request_id"]
    assert created.json()["status"] == "pending"

    refused = api.post(f"/api/requests/{request_id}/approve", json={"user": "U1SALES"})
    assert refused.status_code == 403
    assert refused.json() == {"error": "Mia Sales (sales) may not approve or reject changes: only production or "
                                       "admin users can"}
    assert [r["status"] for r in api.get("/api/requests", params={"status": "pending"}).json()] == ["pending"]
    assert services.snapshot().orders_by_id["A-2"].priority.value == "normal"

    approved = api.post(f"/api/requests/{request_id}/approve", json={"user": "U3PROD"})
    assert approved.status_code == 200
    assert (approved.json()["status"], approved.json()["decided_by"]) == ("approved", "U3PROD")
    a2 = services.snapshot().orders_by_id["A-2"]
    assert (a2.priority.value, a2.promised_date.isoformat()) == ("rush", "2027-01-06")

    assert api.post(f"/api/requests/{request_id}/reject", json={"user": "U3PROD"}).status_code == 409
    assert api.post("/api/requests/REQ-NOPE/approve", json={"user": "U3PROD"}).status_code == 404
    assert api.post(f"/api/requests/{request_id}/approve", json={"user": "U404"}).status_code == 404
    actions = [e["action"] for e in api.get("/api/audit", params={"subject": "A-2"}).json()]
    assert sorted(actions) == ["approve", "approve_refused", "request_rush"]


def test_a_request_with_a_bad_kind_or_field_is_a_bad_request(api: TestClient) -> None:
    assert api.post("/api/requests", json={"kind": "teleport", "user": "U1SALES"}).status_code == 400
    assert api.post("/api/requests", json={"kind": "rush", "user": "U1SALES", "order_id": "A-2", "due": "2027-01-06",
                                           "approve": True}).status_code == 400
    assert api.post("/api/requests", json={"kind": "change", "user": "U1SALES", "order_id": "A-2"}).status_code == 400


def test_mrp_and_kpi_have_the_cli_shapes(api: TestClient) -> None:
    mrp = api.get("/api/mrp", params={"horizon_days": 30}).json()
    assert {"planned_orders", "shortages", "exceptions"} <= set(mrp)
    assert [(p["item_id"], p["qty"], p["due_date"]) for p in mrp["planned_orders"]] == [
        ("PUMP-A", 10, "2027-01-05"), ("PUMP-A", 20, "2027-01-08")]
    assert api.get("/api/mrp", params={"horizon_days": 0}).status_code == 400

    kpi = api.get("/api/kpi").json()
    assert (kpi["otd_last_30_days"], kpi["backlog_orders"], kpi["late_open_orders"], kpi["shortages"]) == (
        0.6667, 2, 0, 0)
    assert kpi["utilization_next_14_days"]["ASSY"] == 0.15


def test_schedule_computes_saves_and_returns_the_latest(api: TestClient) -> None:
    missing = api.get("/api/schedule")
    assert missing.status_code == 404
    assert missing.json()["error"].startswith("no schedule has been saved yet")

    made = api.post("/api/schedule", json={"time_limit": 5, "save": True})
    assert made.status_code == 200
    schedule = made.json()
    assert {"operations", "orders", "resources", "solver"} <= set(schedule)
    assert sorted(o["order_id"] for o in schedule["orders"]) == ["A-1", "A-2"]
    assert api.get("/api/schedule").json()["saved_id"] == schedule["saved_id"]
    assert api.post("/api/schedule", json={"time_limit": 600}).status_code == 400


def test_digest_and_its_chart(api: TestClient) -> None:
    digest = api.get("/api/digest", params={"lang": "zh"}).json()
    assert set(digest) == {"text", "blocks", "figures"}
    assert digest["figures"]["otd_last_30_days"] == 0.6667
    assert digest["text"].startswith("每日摘要")
    chart = api.get("/api/digest/chart.png")
    assert chart.headers["content-type"] == "image/png"
    assert chart.content.startswith(b"\x89PNG")
    assert api.get("/api/digest", params={"lang": "fr"}).status_code == 400


def test_parse_and_ask(api: TestClient) -> None:
    parsed = api.post("/api/parse", json={"text": "12月20日之前能交30个A型离心泵吗？"}).json()
    assert parsed["intent"] == "quote"
    assert parsed["slots"] == {"item_id": "PUMP-A", "qty": 30, "due_date": "2027-12-20", "customer": None,
                               "order_id": None, "resource_id": None, "metric": None}

    asked = api.post("/api/ask", json={"text": "when can we ship 30 pump A to Acme?", "user": "U1SALES",
                                       "thread": "api-1"}).json()
    assert asked["answer"]["promise_date"] == "2027-01-11"
    follow_up = api.post("/api/ask", json={"text": "and 10?", "user": "U1SALES", "thread": "api-1"}).json()
    assert follow_up["answer"]["qty"] == 10

    assert api.post("/api/ask", json={"text": "   "}).json() == {"error": "nothing to parse: the text is empty"}


def test_no_plant_loaded_is_a_404(sqlite_url: str) -> None:
    from planbridge.api import create_app
    from planbridge.settings import Settings
    from tests.conftest import make_services

    empty = TestClient(create_app(make_services(sqlite_url), Settings(database_url=sqlite_url)), headers=AUTH)
    response = empty.post("/api/quote", json={"item": "X", "qty": 1})
    assert response.status_code == 404
    assert response.json()["error"].startswith("no plant is loaded")
    assert empty.get("/healthz").json()["plant_loaded"] is False


def test_an_unexpected_failure_is_a_500_without_a_traceback(api: TestClient, monkeypatch, caplog) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("secret internals")

    monkeypatch.setattr("planbridge.services.material.kpis", broken)
    client = TestClient(api.app, headers=AUTH, raise_server_exceptions=False)

    response = client.get("/api/kpi")

    assert response.status_code == 500
    reference = response.json()["reference"]
    assert response.json() == {"error": f"Sorry, something went wrong on our side (reference {reference})",
                               "reference": reference}
    [logged] = [r for r in caplog.records if r.levelname == "ERROR" and reference in r.getMessage()]
    assert logged.exc_info is not None and "secret internals" not in response.text


def test_every_api_route_describes_its_answer_in_openapi(anonymous: TestClient) -> None:
    spec = anonymous.get("/openapi.json").json()
    undescribed = []
    for path, operations in spec["paths"].items():
        if not path.startswith("/api/") or path.endswith(".png"):
            continue
        for method, operation in operations.items():
            ok = next(v for k, v in operation["responses"].items() if k.startswith("2"))
            schema = ok["content"]["application/json"]["schema"]
            if "$ref" not in schema and "$ref" not in schema.get("items", {}):
                undescribed.append(f"{method.upper()} {path}")
    assert undescribed == []
    quote = spec["components"]["schemas"]["QuoteDocument"]["properties"]
    assert {"promise_date", "feasible_by_due", "partial", "constraints", "explanation", "exact",
            "first_answer_date"} <= set(quote)


def test_quality_events_are_logged_listed_and_closed_once(api: TestClient) -> None:
    logged = api.post("/api/quality/events", json={"kind": "complaint", "user": "U1SALES", "order_id": "A-1", "qty": 2,
                                                   "note": "leaks"})
    assert logged.status_code == 201
    assert (logged.json()["event_id"], logged.json()["customer_id"], logged.json()["item_id"]) == ("QE-1001", "Acme", "PUMP-A")
    refused = api.post("/api/quality/events", json={"kind": "ncr", "user": "U1SALES", "item": "CASING"})
    assert refused.status_code == 403
    overview = api.get("/api/quality", params={"customer": "ACME"}).json()
    assert [e["event_id"] for e in overview["open_events"]] == ["QE-1001"]
    assert api.get("/api/kpi").json()["quality"]["open_complaints"] == 1
    assert api.post("/api/quality/events/QE-1001/close", json={"user": "U1SALES"}).status_code == 403
    closed = api.post("/api/quality/events/QE-1001/close", json={"user": "U4PLAN"}).json()
    again = api.post("/api/quality/events/QE-1001/close", json={"user": "U4PLAN"}).json()
    assert (closed["status"], closed["changed"], again["changed"]) == ("closed", True, False)
    assert [e["action"] for e in api.get("/api/audit", params={"subject": "QE-1001"}).json()] == [
        "quality_close", "quality_log"]
