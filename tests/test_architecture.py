"""The layering ARCHITECTURE.md promises, checked on the source; each rule with a case proving it can fail.

- the planning core imports no database, chat, HTTP, language-model or charting code;
- nothing outside a chat adapter (`bot/` for Slack, `feishu/` for Feishu) imports it, except the
  composition root (and no adapter imports another);
- `integrations/` (the adapters of the service ports) does not import the service layer, the CLI,
  the REST API, the chat layer or `bot/`;
- the service layer does not import the entrypoints above it (CLI, REST API, chat layer, `bot/`).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAT_ADAPTERS = ("bot", "feishu")  # one package per chat platform, next to each other
EDGES = ("sqlalchemy", "alembic", "psycopg", "slack_bolt", "slack_sdk", "lark_oapi", "fastapi", "starlette", "uvicorn",
         "httpx", "langchain", "langchain_core", "langchain_openai", "apscheduler", "matplotlib", "integrations",
         "planbridge", *CHAT_ADAPTERS)
COMPOSITION_ROOT = "planbridge/bootstrap.py"
ABOVE_INTEGRATIONS = ("planbridge.services", "planbridge.cli", "planbridge.api", "planbridge.chat", "planbridge.jobs",
                      *CHAT_ADAPTERS)
ABOVE_SERVICES = ("planbridge.cli", "planbridge.api", "planbridge.chat", "planbridge.jobs", "planbridge.app",
                  "planbridge.bootstrap", *CHAT_ADAPTERS)


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, at any depth of the file (lazy imports inside functions count)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def under(modules: set[str], *prefixes: str) -> set[str]:
    return {m for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes)}


def sources(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py")
                  if "migrations" not in p.parts)


def name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def bot_imports(path: Path) -> set[str]:
    """The chat adapters `path` imports, other than its own (the composition root may import them all)."""
    if path == ROOT / COMPOSITION_ROOT:
        return set()
    own = path.relative_to(ROOT).parts[0] if path.is_relative_to(ROOT) else None
    return under(imported_modules(path), *(a for a in CHAT_ADAPTERS if a != own))


@pytest.mark.parametrize("path", sources("planning_core"), ids=name)
def test_the_planning_core_imports_no_database_chat_http_language_model_or_chart_code(path: Path) -> None:
    edges = {m for m in imported_modules(path) if m.split(".")[0] in EDGES}
    assert not edges, f"{name(path)} imports {sorted(edges)}"


@pytest.mark.parametrize("path", sources("planbridge", "integrations", "planning_core", "benchmarks", *CHAT_ADAPTERS),
                         ids=name)
def test_nothing_outside_a_chat_adapter_imports_it_but_the_composition_root(path: Path) -> None:
    assert not bot_imports(path), f"{name(path)} imports {sorted(bot_imports(path))}"


@pytest.mark.parametrize("path", sources("integrations"), ids=name)
def test_integrations_do_not_import_the_layers_that_use_them(path: Path) -> None:
    found = under(imported_modules(path), *ABOVE_INTEGRATIONS)
    assert not found, f"{name(path)} imports {sorted(found)}"


@pytest.mark.parametrize("path", sources("planbridge/services"), ids=name)
def test_services_do_not_import_the_entrypoints(path: Path) -> None:
    found = under(imported_modules(path), *ABOVE_SERVICES)
    assert not found, f"{name(path)} imports {sorted(found)}"


# -- each rule can fail --------------------------------------------------------------------------


def write(tmp_path: Path, source: str) -> Path:
    bad = tmp_path / "bad.py"
    bad.write_text(source, encoding="utf-8")
    return bad


def test_the_import_reader_sees_lazy_imports(tmp_path: Path) -> None:
    bad = write(tmp_path, "from integrations.db import models\nimport sqlalchemy.orm\n\n"
                          "def draw() -> None:\n    import matplotlib.pyplot\n")
    assert imported_modules(bad) == {"integrations.db", "sqlalchemy.orm", "matplotlib.pyplot"}


def test_a_chart_in_the_core_would_be_caught(tmp_path: Path) -> None:
    bad = write(tmp_path, "def draw() -> None:\n    from matplotlib.figure import Figure\n")
    assert {m for m in imported_modules(bad) if m.split(".")[0] in EDGES} == {"matplotlib.figure"}


def test_a_service_reaching_into_bot_would_be_caught(tmp_path: Path) -> None:
    bad = write(tmp_path, "from bot.blockkit import render_card\n")
    assert bot_imports(bad) == {"bot.blockkit"}
    assert under(imported_modules(bad), *ABOVE_SERVICES) == {"bot.blockkit"}
    assert not bot_imports(ROOT / COMPOSITION_ROOT) and under(imported_modules(ROOT / COMPOSITION_ROOT), "bot")


def test_a_chat_adapter_may_import_itself_but_nothing_else_may_import_either(tmp_path: Path) -> None:
    bad = write(tmp_path, "from bot.blockkit import render_card\nfrom feishu.cards import render_card as draw\n")
    assert bot_imports(bad) == {"bot.blockkit", "feishu.cards"}
    feishu_app = ROOT / "feishu" / "app.py"
    assert under(imported_modules(feishu_app), "feishu") and not bot_imports(feishu_app)


def test_an_adapter_importing_the_service_layer_would_be_caught(tmp_path: Path) -> None:
    bad = write(tmp_path, "from planbridge.services.ports import UnitOfWork\nimport planbridge.records\n")
    assert under(imported_modules(bad), *ABOVE_INTEGRATIONS) == {"planbridge.services.ports"}
