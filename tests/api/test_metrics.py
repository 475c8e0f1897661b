"""/metrics in Prometheus' text format, moving when a quote is made; request ids on every response."""

from __future__ import annotations

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families


def sample(client: TestClient, name: str, **labels: str) -> float:
    """One sample of the exposition, read with Prometheus' own parser (0 when absent)."""
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    for family in text_string_to_metric_families(response.text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return float(s.value)
    return 0.0


def test_metrics_parse_and_move_when_a_quote_is_made(api: TestClient) -> None:
    before_quotes = sample(api, "planbridge_quote_seconds_count", entrypoint="api")
    before_requests = sample(api, "planbridge_http_requests_total", route="/api/quote", method="POST", status="200")

    answer = api.post("/api/quote", json={"item": "PUMP-A", "qty": 5})
    assert answer.status_code == 200
    tier = "exact" if answer.json().get("exact", True) else "first"

    assert sample(api, "planbridge_quote_seconds_count", entrypoint="api", tier=tier) >= 1
    assert sample(api, "planbridge_quote_seconds_count", entrypoint="api") == before_quotes + 1
    assert sample(api, "planbridge_http_requests_total", route="/api/quote", method="POST",
                  status="200") == before_requests + 1


def test_every_response_carries_a_request_id_and_a_given_one_is_kept(api: TestClient) -> None:
    assert len(api.get("/healthz").headers["X-Request-ID"]) == 16
    assert api.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    assert api.get("/healthz", headers={"X-Request-ID": "bad id\n"}).headers["X-Request-ID"] != "bad id\n"


def test_unmatched_paths_share_one_label(api: TestClient) -> None:
    before = sample(api, "planbridge_http_requests_total", route="unmatched", status="404")
    api.get("/no/such/path/1")
    api.get("/no/such/path/2")
    assert sample(api, "planbridge_http_requests_total", route="unmatched", status="404") == before + 2
