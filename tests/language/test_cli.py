"""`planbridge parse`, `ask` and `eval-nl` as a user runs them (in-process, plus one real subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planbridge.cli import app
from planbridge.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]
PLANBRIDGE = ROOT / ".venv" / "bin" / "planbridge"
DATA = ROOT / "tests" / "data"


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def run(*args: str, db: str, **env: str) -> tuple[int, str, str]:
    environment = {k: None for k in os.environ if k.startswith("PLANBRIDGE_")}
    environment.update(env)
    result = CliRunner().invoke(app, [*args, "--db", db], env=environment)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def pumps_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'pumps.sqlite'}"
    assert run("import", str(DATA / "pumps"), db=db)[0] == 0
    return db


def test_parse_json_from_the_installed_command(pumps_db: str) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PLANBRIDGE_")}
    result = subprocess.run(
        [str(PLANBRIDGE), "parse", "A型离心泵100台，1月15日前能交给Beta Water吗？", "--as-of", "2027-01-04", "--json"],
        capture_output=True, text=True, timeout=120, check=False, env={**environment, "PLANBRIDGE_DATABASE_URL": pumps_db},
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["intent"] == "quote" and document["source"] == "rules"
    assert document["slots"] == {"item_id": "PUMP-A", "qty": 100, "due_date": "2027-01-15", "customer": "Beta Water",
                                 "order_id": None, "resource_id": None, "metric": None}


def test_parse_works_before_any_plant_is_loaded(tmp_path: Path) -> None:
    code, out, err = run("parse", "下周三要500个", "--as-of", "2027-01-04", "--json", db=f"sqlite:///{tmp_path / 'e.sqlite'}")
    assert code == 0, err
    assert json.loads(out)["slots"]["due_date"] == "2027-01-13"


def test_parse_as_text(pumps_db: str) -> None:
    code, out, _ = run("parse", "A-2加急，客户要求1月5日交货", "--as-of", "2027-01-04", db=pumps_db)
    assert code == 0 and "rush" in out and "A-2" in out and "2027-01-05" in out


def test_parse_with_a_scripted_model(pumps_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.fakes.llm import ScriptedChatModel

    model = ScriptedChatModel(replies=[{"tool": "stock", "args": {"item": "电机"}}])
    monkeypatch.setattr("planbridge.bootstrap.language_models", lambda settings: lambda: model)
    code, out, err = run("parse", "马达还剩几个", "--json", "--as-of", "2027-01-04", db=pumps_db,
                         PLANBRIDGE_NL_MODE="llm")
    assert code == 0, err
    document = json.loads(out)
    assert document["source"] == "llm" and document["intent"] == "stock" and document["slots"]["item_id"] == "MOTOR"


def test_ask_follow_up_in_a_thread(pumps_db: str) -> None:
    code, out, err = run("ask", "When can we deliver 40 pump A to Acme by Jan 15?", "--thread", "cli-1",
                         "--as-of", "2027-01-04", db=pumps_db)
    assert code == 0, err
    assert out.startswith("We can deliver 40 Centrifugal pump A for Acme on Jan 12")
    code, out, err = run("ask", "and 300?", "--thread", "cli-1", "--as-of", "2027-01-04", "--json", db=pumps_db)
    document = json.loads(out)
    assert document["intent"] == "quote" and document["answer"]["qty"] == 300 and document["parse"]["context_used"]


def test_ask_answers_in_the_language_of_the_question(pumps_db: str) -> None:
    # U2SALES reads Chinese: an English question still gets English, a bare order id the setting.
    code, out, _ = run("ask", "A-2 status?", "--user", "U2SALES", "--as-of", "2027-01-04", db=pumps_db)
    assert code == 0 and out.startswith("A-2 for Beta Water: 20 × Centrifugal pump A, promised Jan 8")
    code, out, _ = run("ask", "A-2?", "--user", "U2SALES", "--as-of", "2027-01-04", db=pumps_db)
    assert code == 0 and out.startswith("A-2（Beta Water）：A型离心泵 20个，承诺交期1月8日")
    code, out, _ = run("ask", "A-2現在狀態如何？", "--as-of", "2027-01-04", db=pumps_db)
    assert code == 0 and out.startswith("A-2（Beta Water）：A型離心泵 20個，承諾交期1月8日"), out


@pytest.mark.parametrize(("args", "code"), [
    (("parse", "   "), 2),
    (("ask", "hello", "--user", "NOBODY"), 4),
    (("parse", "x", "--mode", "telepathy"), 2),
    (("eval-nl", "/no/such/file.jsonl"), 2),
])
def test_bad_input_is_one_clear_line(pumps_db: str, args: tuple[str, ...], code: int) -> None:
    exit_code, _, err = run(*args, db=pumps_db)
    assert exit_code == code
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_eval_nl_prints_the_scores(pumps_db: str) -> None:
    code, out, err = run("eval-nl", str(DATA / "nl_eval.jsonl"), db=pumps_db)
    assert code == 0, err
    assert "intent accuracy" in out and "full-frame accuracy" in out and "confusions" in out
