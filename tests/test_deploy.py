"""docker-compose.yml, read as compose reads it (no Docker here): the services the README promises, wired
to one PostgreSQL and one Redis, migrations before the processes, and only settings planbridge knows."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from planbridge.cli import app as cli_app
from planbridge.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    return document


def known_variables() -> set[str]:
    names = {"POSTGRES_PASSWORD", "POSTGRES_USER", "POSTGRES_DB"}
    for field in Settings.model_fields.values():
        alias = field.validation_alias
        names.update(getattr(alias, "choices", []) or ([alias] if isinstance(alias, str) else []))
    return names


def test_compose_runs_postgresql_redis_a_migration_web_processes_and_a_worker() -> None:
    services = compose()["services"]
    assert set(services) == {"db", "redis", "migrate", "web", "worker"}
    assert services["migrate"]["command"] == ["planbridge", "db", "upgrade"]
    assert services["worker"]["command"][:2] == ["planbridge", "worker"]
    assert "planbridge serve --host 0.0.0.0" in " ".join(services["web"]["command"])
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        environment = services[name]["environment"]
        assert environment["PLANBRIDGE_DATABASE_URL"].startswith("postgresql+psycopg://") and "@db:5432/" in (
            environment["PLANBRIDGE_DATABASE_URL"])
        assert environment["PLANBRIDGE_BROKER_URL"] == "redis://redis:6379/0"


def test_compose_sets_only_settings_planbridge_reads() -> None:
    known = known_variables()
    for name, service in compose()["services"].items():
        if name in ("db", "redis"):
            continue
        unknown = set(service["environment"]) - known
        assert not unknown, f"{name} sets {sorted(unknown)}, which planbridge never reads"


def test_the_commands_compose_runs_exist() -> None:
    commands = {c.name for c in cli_app.registered_commands} | {g.name for g in cli_app.registered_groups}
    assert {"serve", "worker", "db", "digests"} <= commands


def test_every_variable_compose_interpolates_has_a_default_or_a_message() -> None:
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    for expression in re.findall(r"\$\{([^}]*)\}", text):
        assert ":-" in expression or ":?" in expression, expression
