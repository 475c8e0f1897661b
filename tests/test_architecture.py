"""The layering the README promises, checked on the source: the planning core stays pure."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EDGES = ("sqlalchemy", "alembic", "psycopg", "slack_bolt", "slack_sdk", "fastapi", "starlette", "uvicorn", "httpx",
         "langchain", "langchain_core", "langchain_openai", "apscheduler", "integrations", "planbridge", "bot")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


CORE = sorted((ROOT / "planning_core").rglob("*.py"))


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_planning_core_imports_no_database_chat_http_or_language_model_code(path: Path) -> None:
    edges = {m for m in imported_modules(path) if m.split(".")[0] in EDGES}
    assert not edges, f"{path.relative_to(ROOT)} imports {sorted(edges)}"


def test_the_architecture_check_can_fail(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from integrations.db import models\nimport sqlalchemy.orm\n", encoding="utf-8")
    assert imported_modules(bad) == {"integrations.db", "sqlalchemy.orm"}


def test_integrations_do_not_reach_into_the_cli_or_the_bot() -> None:
    for path in sorted((ROOT / "integrations").rglob("*.py")):
        modules = imported_modules(path)
        assert not {m for m in modules if m.startswith(("planbridge.cli", "planbridge.api", "bot"))}, path
