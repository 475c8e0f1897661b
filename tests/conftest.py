"""Shared fixtures: databases (SQLite always, PostgreSQL when PLANBRIDGE_TEST_DATABASE_URL is set),
services wired to them, and the small example plants in tests/data."""

from __future__ import annotations

import functools
import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from integrations.csv_import import read_plant_folder
from planbridge.bootstrap import bootstrap
from planbridge.services.context import ServiceContext
from planbridge.settings import Settings
from planning_core.model import PlantSnapshot

DATA = Path(__file__).parent / "data"
# Compiled promise states are saved between runs in a cache folder: the suite (and the command
# lines it starts) keeps its own, away from the user's.
os.environ.setdefault("PLANBRIDGE_CACHE_DIR", tempfile.mkdtemp(prefix="planbridge-test-cache-"))
# Hundreds of short-lived services share one PostgreSQL server: each keeps one idle connection at most.
os.environ.setdefault("PLANBRIDGE_DB_POOL_SIZE", "1")
PG_ENV = "PLANBRIDGE_TEST_DATABASE_URL"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'planbridge.sqlite'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL schema per test, so parallel workers never share tables."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"{PG_ENV} is not set")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    yield f"{base}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


def make_services(url: str, **settings: object) -> ServiceContext:
    # Tests check answers, not speed: a loaded CI machine must not turn an exact answer into "the
    # search stopped at its time limit". Tests of the budget itself pass their own.
    settings.setdefault("time_budget_seconds", 60.0)
    return bootstrap(Settings(database_url=url, **settings), database_url=url, create_schema=True)  # type: ignore[arg-type]


@pytest.fixture
def services(db_url: str) -> ServiceContext:
    return make_services(db_url)


@pytest.fixture
def sqlite_services(sqlite_url: str) -> ServiceContext:
    return make_services(sqlite_url)


def load_folder(name: str) -> PlantSnapshot:
    reading = read_plant_folder(DATA / name)
    assert reading.snapshot is not None, [str(e) for e in reading.errors]
    return reading.snapshot


@pytest.fixture(scope="session")
def pumps() -> PlantSnapshot:
    return load_folder("pumps")


@pytest.fixture(autouse=True)
def engines_are_closed_after_each_test(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every engine a test makes lets go of its pooled connections at the end of the test:
    several suites may share one PostgreSQL server and its connection limit."""
    from integrations.db import engine as engines

    made: list[Engine] = []
    make_engine = engines.make_engine

    def recording(url: str, **pool: int) -> Engine:
        made.append(make_engine(url, **pool))
        return made[-1]

    monkeypatch.setattr(engines, "make_engine", recording)
    yield
    for engine in made:
        engine.dispose()


@pytest.fixture(autouse=True)
def every_plan_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every quote and rush any test makes — through the engine, a service, the CLI,
    the REST API or the bot — has its plan validated by the independent checker."""
    from planning_core.checker import check_plan
    from planning_core.ctp.promising import PromiseEngine

    quote, rush = PromiseEngine.quote, PromiseEngine.rush

    def checked_quote(self: PromiseEngine, **kwargs: object) -> object:
        result = quote(self, **kwargs)  # type: ignore[arg-type]
        if result.plan is not None:
            report = check_plan(result.plan, self.snapshot)
            assert report.ok, f"quote plan rejected by the checker:\n{report}"
        return result

    def checked_rush(self: PromiseEngine, **kwargs: object) -> object:
        result = rush(self, **kwargs)  # type: ignore[arg-type]
        if result.plan is not None:
            report = check_plan(result.plan, self.snapshot)
            assert report.ok, f"rush plan rejected by the checker:\n{report}"
        return result

    monkeypatch.setattr(PromiseEngine, "quote", checked_quote)
    monkeypatch.setattr(PromiseEngine, "rush", checked_rush)


# -- tiers ------------------------------------------------------------------------------------------
# unit: the core, the presentation and the services on in-memory fakes (no database, no HTTP);
# integration: a real database (SQLite, PostgreSQL), CSV folders, the local mock of the Slack Web API;
# e2e: the real HTTP app with signed requests, and the command line run as a user runs it.
# `pytest -m unit` (`make test-unit`) is the fast loop; `make test` runs all three.
E2E_FIXTURES = {"harness", "api", "anonymous", "demo_board", "board_browser", "feishu_harness", "both"}
E2E_MODULES = {"test_cli_quoting.py", "test_cli.py", "test_digest.py", "test_demo_and_generator.py"}
INTEGRATION_FIXTURES = {"sqlite_url", "postgres_url", "db_url", "slack", "feishu", "services", "sqlite_services"}


@functools.cache
def _reads_plant_folders(path: Path) -> bool:
    return "load_folder" in path.read_text(encoding="utf-8")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & E2E_FIXTURES or item.path.name in E2E_MODULES:
            item.add_marker(pytest.mark.e2e)
        elif fixtures & INTEGRATION_FIXTURES or _reads_plant_folders(item.path):
            item.add_marker(pytest.mark.integration)
        else:
            item.add_marker(pytest.mark.unit)
