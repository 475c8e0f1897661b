"""Quality questions in chat (rules, no language model): what is open, for a customer, in English and Chinese."""

from __future__ import annotations

from planbridge.chat.conversation import AskCommand, ask
from planbridge.language.frame import Intent
from planbridge.services.context import ServiceContext
from planning_core.model import Language, QualityEventKind, Role, StockStatus
from tests.fakes.services import fake_services
from tests.plants import MONDAY, day, one_shift_plant


def services() -> ServiceContext:
    plant = (one_shift_plant().make("GEAR", ("M", 1.0), name="Gear").buy("BLANK", lead_time_days=3, name="Blank")
             .order("SO-1", "GEAR", 10, day(5), customer="ACME").order("SO-2", "GEAR", 5, day(6), customer="Globex")
             .quality("QE-1001", QualityEventKind.COMPLAINT, "GEAR", day(-2), customer="ACME")
             .quality("QE-1002", QualityEventKind.NCR, "GEAR", day(-1), qty=4)
             .hold("BLANK", 30, status=StockStatus.QUARANTINE)
             .user("U1", "Sam", Role.SALES).user("U2", "Li", Role.SALES, Language.ZH).build())
    return fake_services(plant, today=MONDAY)


def test_any_open_complaints_for_a_customer() -> None:
    answer = ask(AskCommand("any open complaints for ACME?", user_id="U1"), services())
    assert answer.request.intent is Intent.QUALITY
    assert answer.request.slots.customer == "ACME"
    assert answer.reply.text.splitlines()[0] == "ACME: 1 open complaint(s), return(s) or NCR(s):"
    assert "QE-1001 complaint, Gear" in answer.reply.text
    none = ask(AskCommand("any open complaints for Globex?", user_id="U1"), services())
    assert none.reply.text == "No open complaints, returns or NCRs for Globex."


def test_what_quality_issues_are_there_in_chinese() -> None:
    answer = ask(AskCommand("有哪些质量问题?", user_id="U2"), services())
    assert answer.request.intent is Intent.QUALITY
    lines = answer.reply.text.splitlines()
    assert lines[0] == "质量：未关闭不合格报告1个，未关闭投诉或退货1个，冻结库存30。"
    assert any("QE-1002 不合格报告" in line for line in lines)
    assert any("Blank：30隔离" in line for line in lines)


def test_a_stock_answer_says_what_quality_holds() -> None:
    answer = ask(AskCommand("how many blanks in stock?", user_id="U1"), services())
    assert answer.request.intent is Intent.STOCK
    assert "30 more on quality hold (not promised)" in answer.reply.text
