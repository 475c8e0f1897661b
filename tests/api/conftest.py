"""The REST API over the pumps plant on SQLite, with a bearer token."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from planbridge.api import create_app
from planbridge.services.context import ServiceContext
from planbridge.services.plant import store_plant
from planbridge.settings import Settings
from planning_core.model import PlantSnapshot
from tests.conftest import make_services

TOKEN = "s3cret-token"
AS_OF = date(2027, 1, 4)
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def services(db_url: str, pumps: PlantSnapshot) -> ServiceContext:
    """The pumps plant on SQLite, and on PostgreSQL too when PLANBRIDGE_TEST_DATABASE_URL is set."""
    ctx = make_services(db_url, as_of=AS_OF)
    store_plant(pumps, ctx, replace=False)
    return ctx


@pytest.fixture
def api(services: ServiceContext, sqlite_url: str) -> TestClient:
    """An authenticated client (every request carries the bearer token)."""
    settings = Settings(database_url=sqlite_url, as_of=AS_OF, api_token=TOKEN)
    return TestClient(create_app(services, settings), headers=AUTH)


@pytest.fixture
def anonymous(services: ServiceContext, sqlite_url: str) -> TestClient:
    settings = Settings(database_url=sqlite_url, as_of=AS_OF, api_token=TOKEN)
    return TestClient(create_app(services, settings))
