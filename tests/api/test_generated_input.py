"""schemathesis against /api/: no generated request, valid or not, gets a 500.

Every operation gets `EXAMPLES` generated cases (bodies, query and path values from the OpenAPI
description, plus malformed ones); the answers must be a success or a clean 4xx. `POST /api/schedule`
is left out: its `time_limit` (up to 120 s) would make this a benchmark (it is bounded, and its bad
input is tested in test_rest.py)."""

from __future__ import annotations

import time

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from planbridge.api import create_app
from planbridge.services.plant import store_plant
from planbridge.settings import Settings
from planning_core.model import PlantSnapshot
from tests.conftest import make_services

EXAMPLES = 12
LEFT_OUT = {("POST", "/api/schedule")}


@pytest.fixture
def api_app(sqlite_url: str, pumps: PlantSnapshot):  # type: ignore[no-untyped-def]
    services = make_services(sqlite_url, time_budget_seconds=0.5)
    store_plant(pumps, services, replace=False)
    return create_app(services, Settings(database_url=sqlite_url, api_token=None, time_budget_seconds=0.5))


def test_no_generated_request_gets_a_500(api_app) -> None:  # type: ignore[no-untyped-def]
    schema = schemathesis.openapi.from_asgi("/openapi.json", api_app)
    failures: list[str] = []
    timings: dict[str, float] = {}
    with TestClient(api_app):
        for result in schema.include(path_regex="^/api/").get_all_operations():
            operation = result.ok()
            if (operation.method.upper(), operation.path) in LEFT_OUT:
                continue
            label = f"{operation.method.upper()} {operation.path}"
            started = time.perf_counter()

            @given(case=operation.as_strategy())
            @settings(max_examples=EXAMPLES, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
            def call(case: schemathesis.Case) -> None:
                try:
                    response = case.call(timeout=120)  # a slow answer on a busy machine is not a failure
                except Exception as error:  # the test client re-raises what the app did not handle
                    failures.append(f"{label}: {error!r} for {case.body!r} {case.query!r} {case.path_parameters!r}")  # noqa: B023
                    return
                if response.status_code >= 500:
                    failures.append(f"{label}: {response.status_code} {response.text[:200]} for {case.body!r} "  # noqa: B023
                                    f"{case.query!r} {case.path_parameters!r}")

            call()
            timings[label] = time.perf_counter() - started
    assert failures == []
    assert len(timings) >= 20, timings  # every /api/ operation but the one left out


@pytest.mark.parametrize(("url", "error"), [
    ("/api/kpi?as_of=9999-12-31", "as_of 9999-12-31 is out of range: plan between 1900-01-01 and 2999-12-31"),
    ("/api/kpi?as_of=0001-01-01", "as_of 0001-01-01 is out of range: plan between 1900-01-01 and 2999-12-31"),
    ("/api/kpi?period_days=999999999", "--period-days 999999999 is too long: at most 3660 days"),
    ("/api/quote?item=PUMP-A&qty=1&as_of=9999-12-30", "as_of 9999-12-30 is out of range: plan between "
                                                      "1900-01-01 and 2999-12-31"),
])
def test_dates_and_periods_past_the_calendar_are_a_400_not_a_500(api_app, url: str, error: str) -> None:  # type: ignore[no-untyped-def]
    # found by the generated input above: these overflowed Python's calendar (OverflowError → 500)
    response = TestClient(api_app, raise_server_exceptions=False).get(url)

    assert (response.status_code, response.json()) == (400, {"error": error})
