"""A command line starts from the plant a previous process saved, then reads only what was journaled since.

Reading 12,000 orders back from the database takes most of a cold command's time; the saved
plant (per database and plant version, in the user's cache) loads in a fraction of it. It must
never answer from an older plant: bookings journaled after it was saved are read and applied,
and a broken file is ignored.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from integrations.state_store import FilePromiseStateStore
from planbridge.services import orders, quoting
from planbridge.services.context import ServiceContext
from planbridge.services.plant import store_plant
from planning_core.model import PlantSnapshot
from tests.conftest import make_services
from tests.plants import MONDAY
from tests.services.test_booking_and_requests import gear_plant


def _services(url: str, cache: Path) -> ServiceContext:
    return make_services(url, cache_dir=cache)


@pytest.fixture
def saved_hits(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    hits: list[int] = []
    load = FilePromiseStateStore.load_snapshot

    def counting(self: FilePromiseStateStore, *, plant: str) -> tuple[PlantSnapshot, int] | None:
        found = load(self, plant=plant)
        if found is not None:
            hits.append(found[1])
        return found

    monkeypatch.setattr(FilePromiseStateStore, "load_snapshot", counting)
    return hits


def test_a_new_process_starts_from_the_saved_plant_and_reads_the_bookings_made_since(
    sqlite_url: str, tmp_path: Path, saved_hits: list[int]
) -> None:
    first = _services(sqlite_url, tmp_path / "cache")
    store_plant(gear_plant(), first, replace=False)
    quoting.quote(quoting.QuoteCommand("GEAR", 8, as_of=MONDAY), first)  # reads the plant and saves it
    assert list((tmp_path / "cache").glob("*-plant.pickle"))
    booking = orders.book_order(orders.BookOrder("GEAR", 8, "Globex", as_of=MONDAY, user_id="U_SALES"), first)

    second = _services(sqlite_url, tmp_path / "cache")  # a new command line
    assert booking.order_id in second.snapshot().orders_by_id  # the booking journaled since is read…
    assert saved_hits == [0]  # …on top of the plant saved before it
    answer = quoting.quote(quoting.QuoteCommand("GEAR", 8, as_of=MONDAY), second)
    again = quoting.quote(quoting.QuoteCommand("GEAR", 8, as_of=MONDAY), first)
    assert answer.quote.promise_date == again.quote.promise_date


def test_a_broken_saved_plant_is_read_again_from_the_database(
    sqlite_url: str, tmp_path: Path, saved_hits: list[int]
) -> None:
    first = _services(sqlite_url, tmp_path / "cache")
    store_plant(gear_plant(), first, replace=False)
    expected = quoting.quote(quoting.QuoteCommand("GEAR", 8, as_of=MONDAY), first).quote.promise_date
    for saved in (tmp_path / "cache").glob("*.pickle"):
        saved.write_bytes(b"not a pickle")
    second = _services(sqlite_url, tmp_path / "cache")
    assert quoting.quote(quoting.QuoteCommand("GEAR", 8, as_of=MONDAY), second).quote.promise_date == expected
    assert saved_hits == []


def test_a_booking_promised_beyond_the_horizon_is_held_at_its_promise(sqlite_url: str, tmp_path: Path) -> None:
    # 8 gears a day: 300 take about eight weeks, beyond the four the two orders need planned.
    first = _services(sqlite_url, tmp_path / "cache")
    store_plant(gear_plant(), first, replace=False)
    booking = orders.book_order(orders.BookOrder("GEAR", 300, "Globex", as_of=MONDAY, user_id="U_SALES"), first)
    promised = (booking.promised_date - MONDAY).days
    second = _services(sqlite_url, tmp_path / "cache")  # a new command line, from the saved state
    for ctx in (first, second):
        with ctx.uow_factory() as uow:
            state = ctx.plants.engine(uow, MONDAY).state
        assert state.model.days > promised >= 28
        assert state.projected_day[booking.order_id] == promised
        assert state.projected_day["SO-1"] == 1 and state.projected_day["SO-2"] == 2


def test_a_database_created_again_at_the_same_address_is_not_answered_from_the_old_one(
    tmp_path: Path, saved_hits: list[int]
) -> None:
    url = f"sqlite:///{tmp_path / 'plant.sqlite'}"
    first = _services(url, tmp_path / "cache")
    store_plant(gear_plant(), first, replace=False)
    quoting.quote(quoting.QuoteCommand("GEAR", 8, as_of=MONDAY), first)  # saves plant version 1
    (tmp_path / "plant.sqlite").unlink()
    again = _services(url, tmp_path / "cache")  # a new database at the same address: version 1 again
    store_plant(replace(gear_plant(), sales_orders=()), again, replace=False)
    assert again.snapshot().sales_orders == ()
    assert saved_hits == []
