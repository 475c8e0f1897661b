"""Set-ups are accounted for the same way in the ledger, the LP and the checker: each order is its
own batch and pays the whole set-up on every resource it uses; the checker recomputes it."""

from __future__ import annotations

from dataclasses import replace

from planning_core.checker import ViolationKind, check_plan
from planning_core.ctp.promising import PromiseEngine
from planning_core.ctp.state import PromiseState
from planning_core.plan import Operation, Plan
from tests.plants import MONDAY, day, one_shift_plant


def _twin_mills() -> PromiseState:
    # 30 min set-up, 6 min a unit, on either of two mills (8 hours a day): 80 units by Monday
    # take 30 + 480 min on one mill, too long, so they are split, paying 30 on each.
    plant = (
        one_shift_plant().resource("M2", "DAY").make("GEAR", ("M|M2", 6.0, 30.0))
        .order("SO-1", "GEAR", 80, day(0)).build()
    )
    return PromiseState(plant, as_of=MONDAY)


def _work_content(plan: Plan, state: PromiseState) -> set[str]:
    return {v.detail for v in check_plan(plan, state.snapshot).violations if v.kind is ViolationKind.WORK_CONTENT}


def test_an_order_split_over_two_resources_pays_a_set_up_on_each() -> None:
    state = _twin_mills()
    claim = state.ledger.claims["SO-1"]
    assert claim.day == 0
    minutes = {state.model.network.arcs[m.arc].resource_id: float(m.minutes.sum()) for m in claim.made()}
    units = {state.model.network.arcs[m.arc].resource_id: float(m.units.sum()) for m in claim.made()}
    assert set(units) == {"M", "M2"} and abs(sum(units.values()) - 80) < 1e-6
    for resource, made in units.items():
        assert minutes[resource] >= 30 + 6 * made - 1e-6
    plan = state.plan(state.ledger.claims.values())
    assert _work_content(plan, state) == set()


def test_the_checker_rejects_a_split_batch_that_skips_a_set_up() -> None:
    state = _twin_mills()
    plan = state.plan(state.ledger.claims.values())
    by_resource = {op.resource_id for op in plan.operations}
    target = sorted(by_resource)[-1]
    # take the set-up out of one resource's share: 6 min a unit only
    cut = tuple(
        replace(op, busy_minutes=op.qty * 6.0, setup_minutes=0.0) if op.resource_id == target else op
        for op in plan.operations
    )
    assert _work_content(replace(plan, operations=cut), state)


def _pooled(qty: float, busy: float) -> Plan:
    state = _twin_mills()
    start, end = 8 * 60.0, 16 * 60.0
    ops = (Operation("GEAR", 10, "M", start, end, qty, demand_id=None, setup_minutes=busy - 6 * qty,
                     busy_minutes=busy),)
    return Plan(state.model.grid.axis, ops)


def test_pooled_production_pays_at_least_a_set_up_per_largest_batch() -> None:
    state = _twin_mills()
    # SO-1 needs 80: 70 pooled units are 7/8 of the largest batch, so 7/8 of a set-up at the least.
    assert _work_content(_pooled(70, 70 * 6 + 30 * 7 / 8), state) == set()
    assert _work_content(_pooled(70, 70 * 6 + 5), state)  # a set-up of 5 declared: not enough
    # 160 pooled units are at least two batches' worth.
    assert _work_content(_pooled(160, 160 * 6 + 30), state)
    assert _work_content(_pooled(160, 160 * 6 + 60), state) == set()


def test_every_quote_plan_pays_its_set_ups() -> None:
    state = _twin_mills()
    engine = PromiseEngine(state.snapshot, as_of=MONDAY)
    for qty in (5, 40, 90):
        quote = engine.quote(item_id="GEAR", qty=qty)
        assert quote.plan is not None
        assert _work_content(quote.plan, state) == set()
