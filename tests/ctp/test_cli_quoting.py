"""The quote, rush, request and approve commands end to end (in-process CLI, SQLite)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import DATA
from tests.test_demo_and_generator import run_in_process

AS_OF = ("--as-of", "2027-01-04")


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    code, _, err = run_in_process(capsys, "import", str(DATA / "pumps"), "--db", url)
    assert code == 0, err
    return ("--db", url)


def test_quote_json_follows_the_contract(db: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_in_process(capsys, "quote", "pump A", "100", "--due", "2027-01-15", *AS_OF, *db, "--json")
    assert code == 0, err
    answer = json.loads(out)
    assert answer["item_id"] == "PUMP-A" and answer["qty"] == 100
    assert (answer["promise_date"], answer["feasible_by_due"]) == ("2027-01-20", False)
    assert sum(p["qty"] for p in answer["partial"]) == 100
    assert answer["partial"][-1] == {"qty": 15, "date": "2027-01-20"}
    kinds = {c["kind"] for c in answer["constraints"]}
    assert "purchase_lead_time" in kinds
    bought = next(c for c in answer["constraints"] if c["kind"] == "purchase_lead_time")
    assert bought["item_id"] == "MOTOR" and "Jan 18" in bought["detail"] and "55" in bought["detail"]
    assert answer["review"]["date"]["status"] == "problem"
    assert "Jan 20" in answer["explanation"] and "Jan 15" in answer["explanation"]


def test_quote_in_chinese_for_a_chinese_user(db: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_in_process(capsys, "quote", "离心泵A", "25", "--user", "U2SALES", *AS_OF, *db, "--json")
    assert code == 0
    answer = json.loads(out)
    assert answer["language"] == "zh" and answer["promise_date"] == "2027-01-11"
    assert "1月11日" in answer["explanation"] and "A型离心泵" in answer["explanation"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("quote", "NO-SUCH-ITEM", "5"), 4, "error: unknown item 'NO-SUCH-ITEM'"),
        (("quote", "pump B", "5"), 4, "did you mean PUMP-A"),
        (("quote", "PUMP-A", "0"), 2, "error: quantity must be greater than zero, got 0"),
        (("quote", "PUMP-A", "-3"), 2, "error: quantity must be greater than zero, got -3"),
        (("quote", "PUMP-A", "ten"), 2, "error: quantity 'ten' is not a number"),
        (("quote", "PUMP-A", "5", "--due", "2027-13-45"), 2, "error: --due: '2027-13-45' is not a date (YYYY-MM-DD)"),
        (("quote", "PUMP-A", "5", "--due", "2026-12-01"), 2, "is before today (2027-01-04)"),
        (("rush", "NO-SUCH-ORDER", "--due", "2027-01-05"), 4, "error: unknown order 'NO-SUCH-ORDER'"),
        (("rush", "A-2"), 2, "error: --due is required"),
        (("rush", "A-0", "--due", "2027-01-05"), 2, "A-0 is shipped"),
    ],
)
def test_bad_input_gets_one_clear_line(
    db: tuple[str, str], capsys: pytest.CaptureFixture[str], args: tuple[str, ...], code: int, message: str
) -> None:
    got, out, err = run_in_process(capsys, *args, *AS_OF, *db)
    assert got == code
    assert out == "" and "Traceback" not in err
    assert message in err and len(err.strip().splitlines()) == 1


def test_rush_json(db: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_in_process(capsys, "rush", "A-2", "--due", "2027-01-05", *AS_OF, *db, "--json")
    assert code == 0
    answer = json.loads(out)
    assert (answer["order_id"], answer["promise_date"], answer["feasible_by_due"]) == ("A-2", "2027-01-05", True)
    assert [(i["order_id"], i["projected_date"], i["days_late"]) for i in answer["impacted"]] == [("A-1", "2027-01-08", 3)]


def test_request_and_approval_through_the_cli(db: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_in_process(capsys, "request", "rush", "A-2", "--due", "2027-01-05", "--user", "U1SALES",
                                  *AS_OF, *db, "--json")
    assert code == 0
    request_id = json.loads(out)["request_id"]
    code, out, err = run_in_process(capsys, "approve", request_id, "--user", "U1SALES", *AS_OF, *db)
    assert code == 1 and "may not approve" in err and out == ""
    code, out, _ = run_in_process(capsys, "requests", *db, "--json")
    assert [r["status"] for r in json.loads(out)] == ["pending"]
    code, out, _ = run_in_process(capsys, "approve", request_id, "--user", "U3PROD", *AS_OF, *db, "--json")
    assert code == 0 and json.loads(out)["status"] == "approved"
    code, out, _ = run_in_process(capsys, "audit", *db, "--json")
    assert [(e["action"], e["user_id"]) for e in json.loads(out)] == [
        ("approve", "U3PROD"), ("approve_refused", "U1SALES"), ("request_rush", "U1SALES")]


def test_book_from_the_cli(db: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_in_process(capsys, "quote", "PUMP-A", "5", "--book", "--customer", "Gamma", "--user", "U1SALES",
                                  *AS_OF, *db, "--json")
    assert code == 0
    booked = json.loads(out)
    assert booked["booked"] is True and booked["promise_date"] == "2027-01-04"
    code, out, err = run_in_process(capsys, "quote", "PUMP-A", "5", "--book", *AS_OF, *db)
    assert (code, out) == (2, "")
    assert err.strip() == "error: --book needs --customer"


def test_available_by_a_date_on_the_command_line(db: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    # 25 pumps are promised Jan 11 and 40 only on Jan 12 (the quote cases above); by Jan 11
    # then, somewhere from 25 to 39, and the quote of one more is later.
    code, out, err = run_in_process(capsys, "available", "pump A", "--by", "2027-01-11", *AS_OF, *db, "--json")
    assert code == 0, err
    answer = json.loads(out)
    assert (answer["item_id"], answer["by"]) == ("PUMP-A", "2027-01-11")
    assert 25 <= answer["qty"] < 40
    assert sum(p["qty"] for p in answer["schedule"]) == answer["qty"]
    code, out, _ = run_in_process(capsys, "quote", "PUMP-A", str(answer["qty"] + 1), *AS_OF, *db, "--json")
    assert json.loads(out)["promise_date"] > "2027-01-11"
    code, out, _ = run_in_process(capsys, "available", "离心泵A", "--by", "2027-01-11", "--lang", "zh", *AS_OF, *db)
    assert code == 0 and f"1月11日前最多可交{answer['qty']}个" in out


@pytest.mark.parametrize(("args", "code"), [
    (("available", "pump A"), 2),  # no --by
    (("available", "pump A", "--by", "2027-13-45"), 2),
    (("available", "pump A", "--by", "2026-12-01"), 2),  # already past
    (("available", "NO-SUCH", "--by", "2027-01-11"), 4),
])
def test_available_refuses_bad_input_in_one_line(db: tuple[str, str], capsys: pytest.CaptureFixture[str],
                                                 args: tuple[str, ...], code: int) -> None:
    got, out, err = run_in_process(capsys, *args, *AS_OF, *db)
    assert got == code
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err and out == ""
