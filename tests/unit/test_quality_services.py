"""Quality KPIs and the digest's quality section through the services, on fakes."""

from __future__ import annotations

from planbridge.presentation.cards import Paragraph, plain
from planbridge.presentation.digest import digest_card, digest_text
from planbridge.presentation.documents import digest_figures, kpi_document
from planbridge.services.digest import DigestCommand, build_digest
from planbridge.services.material import KpiCommand, kpis
from planning_core.model import QualityEventKind, StockStatus
from tests.fakes.services import fake_services
from tests.plants import MONDAY, day, one_shift_plant


def quality_plant() -> object:
    return (one_shift_plant().buy("BLANK", lead_time_days=5)
            .make("GEAR", ("M", 1.0), components=(("BLANK", 1),)).step_yield("GEAR", 10, 90)
            .order("SO-1", "GEAR", 10, day(5), customer="Acme")
            .quality("N1", QualityEventKind.NCR, "GEAR", day(-4), qty=3)
            .quality("C1", QualityEventKind.COMPLAINT, "GEAR", day(-2), customer="Acme")
            .hold("BLANK", 25, since=day(-3)).hold("BLANK", 5, status=StockStatus.QUARANTINE)
            .build())


def test_kpi_document_carries_the_quality_figures() -> None:
    services = fake_services(quality_plant(), today=MONDAY)  # type: ignore[arg-type]
    document = kpi_document(kpis(KpiCommand(as_of=MONDAY), services)).to_dict()
    quality = document["quality"]
    assert (quality["open_ncrs"], quality["open_complaints"], quality["held_stock_qty"]) == (1, 1, 30)
    assert quality["first_pass_yield"] == {"items": {"GEAR": 0.9}, "resources": {"M": 0.9}}


def test_the_digest_has_a_quality_section_in_both_languages() -> None:
    services = fake_services(quality_plant(), today=MONDAY)  # type: ignore[arg-type]
    digest = build_digest(DigestCommand(as_of=MONDAY), services)
    text = digest_text(digest)
    assert "Quality:" in text
    assert "1 open NCR(s), 1 open complaint(s) or return(s), 30 units held" in text
    assert "BLANK: 30 on hold or in quarantine, oldest 3 days" in text
    assert "GEAR: first-pass yield 90.0%" in text
    assert "质量" in digest_text(build_digest(DigestCommand(as_of=MONDAY, language="zh"), services))
    assert digest_figures(digest).model_dump()["quality"]["open_ncrs"] == 1
    card = digest_card(digest)
    headings = [plain(part.text) for part in card.parts if isinstance(part, Paragraph)]
    assert "Quality" in headings


def test_a_plant_without_quality_data_has_no_quality_section() -> None:
    plain = one_shift_plant().make("GEAR", ("M", 1.0)).order("SO-1", "GEAR", 10, day(5)).build()
    digest = build_digest(DigestCommand(as_of=MONDAY), fake_services(plain, today=MONDAY))
    assert digest.quality is None and "Quality" not in digest_text(digest)
