"""Logging and closing complaints, returns and NCRs: role-checked, audited, once."""

from __future__ import annotations

import pytest

from planbridge.errors import BadRequest, NotFound, PermissionDenied
from planbridge.presentation.quality import event_document, overview_text
from planbridge.services.context import ServiceContext
from planbridge.services.quality import (
    CloseQualityEvent,
    LogQualityEvent,
    QualityQuery,
    close_event,
    log_event,
    quality_overview,
)
from planning_core.model import Language, QualityEventKind, QualityEventStatus, Role
from tests.fakes.services import fake_services, store_of
from tests.plants import MONDAY, day, one_shift_plant

SALES, LEAD, PLANNER, SALES_ZH = "U1", "U2", "U3", "U4"


@pytest.fixture
def services() -> ServiceContext:
    plant = (one_shift_plant().make("GEAR", ("M", 1.0), name="Gear")
             .order("SO-1", "GEAR", 10, day(5), customer="Acme")
             .quality("QE-1000", QualityEventKind.NCR, "GEAR", day(-3))
             .user(SALES, "Sam", Role.SALES).user(LEAD, "Pat", Role.PRODUCTION).user(PLANNER, "Kim", Role.PLANNER)
             .user(SALES_ZH, "Li", Role.SALES, Language.ZH).build())
    return fake_services(plant, today=MONDAY)


def test_sales_logs_a_complaint_about_an_order_once_audited_and_the_plant_version_moves(services: ServiceContext) -> None:
    answer = log_event(LogQualityEvent(kind="complaint", user_id=SALES, order_id="SO-1", qty="2", note="scratched"),
                       services)
    store = store_of(services)
    assert store.snapshot is not None
    [logged] = [e for e in store.snapshot.quality_events if e.event_id == answer.event.event_id]
    assert (logged.event_id, logged.kind, logged.item_id, logged.customer_id, logged.qty, logged.date, logged.status) == (
        "QE-1001", QualityEventKind.COMPLAINT, "GEAR", "Acme", 2.0, MONDAY, QualityEventStatus.OPEN)
    assert [(a.action, a.subject, a.user_id) for a in store.audit] == [("quality_log", "QE-1001", SALES)]
    assert store.version == 2  # every process reads the new event
    assert event_document(answer).message == "Logged QE-1001: complaint about Gear (Acme)."
    # the next overview sees it
    overview = quality_overview(QualityQuery(customer="ACME"), services)
    assert [e.event_id for e in overview.events] == ["QE-1001"]
    assert overview_text(overview).startswith("ACME: 1 open complaint(s), return(s) or NCR(s):")


def test_bad_input_and_missing_rights_change_nothing(services: ServiceContext) -> None:
    with pytest.raises(PermissionDenied, match="may not log a ncr"):
        log_event(LogQualityEvent(kind="ncr", user_id=SALES, item="GEAR"), services)
    with pytest.raises(BadRequest, match="complaint, return or ncr"):
        log_event(LogQualityEvent(kind="praise", user_id=SALES, item="GEAR", customer="Acme"), services)
    with pytest.raises(BadRequest, match="needs a customer"):
        log_event(LogQualityEvent(kind="return", user_id=SALES, item="GEAR"), services)
    with pytest.raises(BadRequest, match="zero or more"):
        log_event(LogQualityEvent(kind="return", user_id=SALES, item="GEAR", customer="Acme", qty="-1"), services)
    with pytest.raises(BadRequest, match="give a user"):
        log_event(LogQualityEvent(kind="return", user_id=None, item="GEAR", customer="Acme"), services)
    with pytest.raises(PermissionDenied):
        close_event(CloseQualityEvent("QE-1000", SALES), services)
    with pytest.raises(NotFound):
        close_event(CloseQualityEvent("QE-9", LEAD), services)
    store = store_of(services)
    assert store.commits == 0 and store.audit == [] and store.version == 1


def test_production_closes_an_event_once(services: ServiceContext) -> None:
    first = close_event(CloseQualityEvent("QE-1000", LEAD), services)
    again = close_event(CloseQualityEvent("QE-1000", PLANNER), services)
    store = store_of(services)
    assert first.changed and not again.changed
    assert event_document(again).message == "QE-1000 was already closed: nothing changed."
    assert [(a.action, a.subject) for a in store.audit] == [("quality_close", "QE-1000")]
    assert store.snapshot is not None and not store.snapshot.quality_events[0].is_open
    assert store.version == 2


def test_the_overview_names_open_issues_in_chinese(services: ServiceContext) -> None:
    overview = quality_overview(QualityQuery(user_id=SALES_ZH), services)
    text = overview_text(overview)
    assert text.startswith("质量：未关闭不合格报告1个")
    assert "QE-1000 不合格报告" in text
