"""Who works on a resource when: the ledger's per-resource occupancy, however it is worked out.

The ledger answers "who keeps this resource busy" (binding reasons) and "who is in the way"
(making room for a booking or a rush) from an occupancy per resource, worked out in one pass
over all claims (`warm`, and when a saved state is loaded), or from a previous set of claims
by what changed (after a booking, or while a what-if is in place). Every way must give what
reading the claims one by one gives.
"""

from __future__ import annotations

import pickle
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planning_core.ctp.ledger import Ledger, Occupancy
from planning_core.ctp.state import PromiseState
from planning_core.model import OrderStatus, PlantSnapshot, SalesOrder
from tests.ctp.test_properties import plants
from tests.ctp.test_two_tiers import _book
from tests.plants import MONDAY, day, one_shift_plant

FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)


def _read_claim_by_claim(ledger: Ledger, row: int, first: int, last: int) -> list[tuple[str, int]]:
    """The independent reading: every claim on the row, its working slots counted one by one."""
    found = []
    for key in ledger.using.get(row, ()):
        slots = {int(s) for made in ledger.claims[key].made() if made.row == row
                 for s, u in zip(made.slots, made.units, strict=True) if u > 1e-9}
        count = sum(1 for s in slots if first <= s <= last)
        if count:
            found.append((key, count))
    return sorted(found)


def _agrees(ledger: Ledger) -> None:
    for row in range(ledger.free.shape[0]):
        for first, last in ((0, ledger.T - 1), (0, ledger.T // 3), (ledger.T // 4, ledger.T // 2)):
            assert sorted(ledger.occupancy(row).working(first, last)) == _read_claim_by_claim(ledger, row, first, last)


def _busy_plant() -> PlantSnapshot:
    builder = (
        one_shift_plant().resource("L", "DAY").buy("RAW", stock=200)
        .make("GEAR", ("M", 30), components=(("RAW", 1.0),))
        .make("SHAFT", ("M", 20), ("L", 10), components=(("RAW", 2.0),))
    )
    for k in range(6):
        builder = builder.order(f"SO-{k}", "GEAR" if k % 2 else "SHAFT", 4 + k, day(2 + k))
    return builder.build()


def test_the_occupancy_worked_out_in_one_pass_equals_reading_each_claim() -> None:
    state = PromiseState(_busy_plant(), as_of=MONDAY)  # built warm
    assert any(state.ledger.using.values())
    _agrees(state.ledger)


def test_a_loaded_state_knows_its_occupancy_and_it_is_the_same() -> None:
    state = PromiseState(_busy_plant(), as_of=MONDAY)
    loaded: PromiseState = pickle.loads(pickle.dumps(state))
    loaded.attach(state.snapshot)
    _agrees(loaded.ledger)


def test_after_release_and_hold_again_the_occupancy_follows_the_claims() -> None:
    state = PromiseState(_busy_plant(), as_of=MONDAY)
    ledger = state.ledger
    _agrees(ledger)  # the committed plan's occupancy is known: what follows is worked out from it
    claim = ledger.release("SO-1")
    assert claim is not None
    _agrees(ledger)
    ledger.hold("SO-1", claim.item_id, claim.qty, 5)
    _agrees(ledger)
    taken = ledger.release("SO-4")
    assert taken is not None
    _agrees(ledger)
    ledger.restore(taken)  # back as it was: the committed plan's occupancy again
    _agrees(ledger)


def test_an_occupancy_asked_for_later_answers_for_the_claims_it_was_asked_for() -> None:
    state = PromiseState(_busy_plant(), as_of=MONDAY)
    ledger = state.ledger
    row = next(r for r, keys in ledger.using.items() if "SO-2" in keys)
    before = _read_claim_by_claim(ledger, row, 0, ledger.T - 1)
    asked = ledger.occupancy(row)
    ledger.release("SO-2")  # what a what-if does after reading the evidence
    assert sorted(asked.working(0, ledger.T - 1)) == before
    assert all(key != "SO-2" for key, _ in ledger.occupancy(row).working(0, ledger.T - 1))


@FAST
@given(plants(), st.lists(st.tuples(st.integers(1, 30), st.integers(0, 20)), min_size=1, max_size=4))
def test_the_occupancy_agrees_with_the_claims_after_any_bookings(
    snapshot: PlantSnapshot, bookings: list[tuple[int, int]]
) -> None:
    state = PromiseState(snapshot, as_of=MONDAY)
    _agrees(state.ledger)
    for k, (qty, due) in enumerate(bookings):
        order = SalesOrder(f"SO-B{k}", "ACME", "TOP", float(qty), day(due))
        state.attach(_book(state.snapshot, order))
        state.commit(order)
        state.fits("TOP", float(qty), day(due))  # a what-if on a copy: changes nothing here
        _agrees(state.ledger)


def test_an_occupancy_from_claims_alone_reads_them() -> None:
    state = PromiseState(_busy_plant(), as_of=MONDAY)
    ledger = state.ledger
    for row, keys in ledger.using.items():
        fresh = Occupancy(row, [ledger.claims[k] for k in keys])
        assert sorted(fresh.working(0, ledger.T - 1)) == _read_claim_by_claim(ledger, row, 0, ledger.T - 1)


def test_a_plant_with_orders_added_or_changed_counts_its_open_batches_as_one_read_afresh() -> None:
    plant = _busy_plant()
    assert plant.open_batches  # worked out once, then carried over
    first = plant.orders_by_id["SO-1"]
    changed = {
        "SO-1": replace(first, qty=first.qty + 7),
        "SO-NEW": SalesOrder("SO-NEW", "ACME", "SHAFT", 9.0, day(6)),
        "SO-3": replace(plant.orders_by_id["SO-3"], status=OrderStatus.CANCELLED),
    }
    carried = plant.with_orders(changed)
    afresh = replace(plant, sales_orders=carried.sales_orders)
    assert carried.open_batches.keys() == afresh.open_batches.keys()
    for item_id, (count, total) in afresh.open_batches.items():
        assert carried.open_batches[item_id][0] == count
        assert abs(carried.open_batches[item_id][1] - total) < 1e-9
    assert carried.bom_items("SHAFT") == {"SHAFT", "RAW"}


def test_no_room_is_made_for_a_demand_the_empty_plant_could_not_make_by_its_day() -> None:
    # 600 minutes of GEAR on a 480-minute day: not even alone by Monday evening, so asking
    # whether committed orders could make room is answered at once, and nothing moves.
    state = PromiseState(_busy_plant(), as_of=MONDAY)
    days = state.projected_day
    assert not state.fits("GEAR", 20, MONDAY)
    assert state.projected_day == days
    assert state.fits("GEAR", 1, day(20))
