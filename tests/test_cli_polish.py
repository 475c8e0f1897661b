"""What a planner notices on the command line: full-width tables when piped, the requests and audit
tables, times in the plant's zone, `demo --export` beside a loaded plant, a refused start-up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_demo_and_generator import run_in_process

AS_OF = ("--as-of", "2026-12-01")


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    code, _, err = run_in_process(capsys, "demo", "--db", url, *AS_OF)
    assert code == 0, err
    return ("--db", url)


def test_piped_tables_are_not_cut_at_80_columns(db: tuple[str, str]) -> None:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    exe = Path(sys.executable).parent / "planbridge"
    done = subprocess.run([str(exe), "mrp", *AS_OF, *db], capture_output=True, text=True, env=env, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("│ CAST-BODY-DN100")]
    assert rows and max(len(line) for line in done.stdout.splitlines()) > 80
    assert "DN100 body casting, WCB" in rows[0]  # the whole name on one line, not wrapped in its cell


def test_requests_and_audit_show_what_was_asked_in_the_plants_time(
    db: tuple[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    from planbridge.cli import common

    monkeypatch.setattr(common.stdout, "width", common.PIPED_WIDTH)  # whatever the test runner's terminal
    code, _, err = run_in_process(capsys, "request", "rush", "SO-2422", "--due", "2026-12-10", "--user", "U01SALES1",
                                  *AS_OF, *db)
    assert code == 0, err
    code, out, _ = run_in_process(capsys, "requests", *db)
    header, row = (line for line in out.splitlines() if "REQ-" in line or "request" in line)
    for column in ("item", "qty", "date", "impact", "created (Asia/Shanghai)"):
        assert column in header
    assert "DN80-BALL" in row and "2026-12-10" in row and "SO-2419 → 2026-12-18" in row
    code, out, _ = run_in_process(capsys, "audit", *db)
    assert "at (Asia/Shanghai)" in out and "request" in out and "reason" in out and "details" in out
    request_id = json.loads(run_in_process(capsys, "requests", *db, "--json")[1])[0]["request_id"]
    assert request_id in out and "impacted SO-2419, SO-2421" in out


def test_demo_export_beside_a_loaded_plant(db: tuple[str, str], tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_in_process(capsys, "demo", "--export", str(tmp_path / "folder"), *AS_OF, *db)
    assert code == 0, err
    assert "the plant already loaded was kept" in out
    assert (tmp_path / "folder" / "items.csv").exists()


def test_a_refused_start_up_says_why_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.delenv("SLACK_SIGNING_SECRET", raising=False)
    monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)
    from planbridge.settings import get_settings

    get_settings.cache_clear()
    code, out, err = run_in_process(capsys, "serve", "--db", f"sqlite:///{tmp_path / 'x.sqlite'}")
    assert code == 2 and out == ""
    assert err.strip() == ("error: SLACK_BOT_TOKEN is set but SLACK_SIGNING_SECRET is not: "
                           "refusing to accept unsigned Slack requests")
