"""The independent checker on set-up families and merged batches: each rule as a penalised and an
unpenalised hand-made batch schedule (precedence "strict")."""

from __future__ import annotations

from dataclasses import replace

from planning_core.calendars import TimeAxis
from planning_core.checker import ViolationKind, check_plan
from planning_core.model import PlantSnapshot, RoutingStep, SetupChange, WorkOrder, WorkOrderStatus
from planning_core.plan import Delivery, MergedBatch, Operation, Plan
from tests.plants import DAY_WITH_LUNCH as DAY
from tests.plants import MONDAY, at, moment, plant
from tests.plants import sales_order as order

AXIS = TimeAxis(MONDAY, "UTC", 7)


def family_step(item: str, family: str | None) -> RoutingStep:
    return RoutingStep(item, 10, ("M",), 60.0, 30.0, family)


def snapshot(*, units: int = 1, work_orders: tuple[WorkOrder, ...] = ()) -> PlantSnapshot:
    """F1 and F2 share family F, G is family G, X has no family; every set-up is 60 min, run 30 min a unit.
    The matrix: F -> G takes 10 min (G -> F has no entry: 60)."""
    base = plant(
        orders=[order("A", "F1", 2, due_day=3), order("B", "G", 2, due_day=3), order("C", "F2", 2, due_day=3),
                order("D", "X", 2, due_day=3)],
        routings=[family_step("F1", "F"), family_step("F2", "F"), family_step("G", "G"), family_step("X", None)],
        resources={"M": (DAY, units)},
        work_orders=work_orders,
    )
    return replace(base, setup_matrix=(SetupChange("F", "G", 10.0),))


def op(order_id: str, item: str, start: float, setup: float, qty: float = 2.0) -> Operation:
    """A batch of `qty` on M from `start`: its set-up and 30 min a unit."""
    return Operation(item, 10, "M", start, start + setup + 30 * qty, qty, demand_id=order_id,
                     setup_minutes=setup, batch_id=f"{order_id}/{item}")


def kinds(operations: tuple[Operation, ...], plant_: PlantSnapshot | None = None, **extra: object) -> set[ViolationKind]:
    done = {o.demand_id: o.end for o in operations}
    deliveries = tuple(Delivery(d, next(o.item_id for o in operations if o.demand_id == d), 2, end)
                       for d, end in done.items() if d is not None)
    plan = Plan(AXIS, operations=operations, deliveries=deliveries, **extra)  # type: ignore[arg-type]
    return {v.kind for v in check_plan(plan, plant_ or snapshot(), precedence="strict").violations}


# -- sequence-dependent set-ups ------------------------------------------------------------


def test_the_first_family_batch_on_a_machine_pays_its_whole_set_up() -> None:
    assert kinds((op("A", "F1", at(0, 8), setup=60),)) == set()
    assert kinds((op("A", "F1", at(0, 8), setup=0),)) == {ViolationKind.SETUP}


def test_a_batch_of_the_same_family_right_after_needs_no_set_up() -> None:
    assert kinds((op("A", "F1", at(0, 8), setup=60), op("C", "F2", at(0, 10), setup=0))) == set()


def test_the_matrix_sets_the_changeover_and_the_checker_holds_the_schedule_to_it() -> None:
    f_then_g = (op("A", "F1", at(0, 8), setup=60), op("B", "G", at(0, 10), setup=10))
    assert kinds(f_then_g) == set()
    skipped = (op("A", "F1", at(0, 8), setup=60), op("B", "G", at(0, 10), setup=0))
    assert kinds(skipped) == {ViolationKind.SETUP}


def test_a_change_the_matrix_does_not_list_costs_the_whole_set_up() -> None:
    g_then_f = (op("B", "G", at(0, 8), setup=60), op("A", "F1", at(0, 10), setup=10))  # G -> F is not 10
    assert kinds(g_then_f) == {ViolationKind.SETUP}
    assert kinds((op("B", "G", at(0, 8), setup=60), op("A", "F1", at(0, 10), setup=60))) == set()


def test_a_family_batch_after_another_family_in_between_pays_again() -> None:
    interrupted = (op("A", "F1", at(0, 8), setup=60), op("B", "G", at(0, 10), setup=10),
                   op("C", "F2", at(0, 12, 30), setup=0))
    assert kinds(interrupted) == {ViolationKind.SETUP}
    assert kinds((*interrupted[:2], op("C", "F2", at(0, 12, 30), setup=60))) == set()


def test_a_step_without_a_family_in_between_leaves_the_machine_set_up_for_nothing_known() -> None:
    after_x = (op("A", "F1", at(0, 8), setup=60), op("D", "X", at(0, 10), setup=60), op("C", "F2", at(0, 12, 30), setup=0))
    assert kinds(after_x) == {ViolationKind.SETUP}


def test_after_a_running_work_order_the_family_batch_pays_its_whole_set_up() -> None:
    running = snapshot(work_orders=(WorkOrder("W1", "X", 1, "M", moment(0, 8), moment(0, 9), WorkOrderStatus.RUNNING),))
    sequence = (op("A", "F1", at(0, 9), setup=60), op("C", "F2", at(0, 11), setup=0))
    assert kinds(sequence, running) == set()
    assert kinds((op("A", "F1", at(0, 9), setup=0),), running) == {ViolationKind.SETUP}


def test_on_a_machine_with_several_units_every_family_batch_pays_its_whole_set_up() -> None:
    two_units = snapshot(units=2)
    assert kinds((op("A", "F1", at(0, 8), setup=60), op("C", "F2", at(0, 10), setup=0)), two_units) == {ViolationKind.SETUP}
    assert kinds((op("A", "F1", at(0, 8), setup=60), op("C", "F2", at(0, 10), setup=60)), two_units) == set()


def test_a_family_batch_shorter_than_the_set_up_it_declares_and_its_run_lacks_work_content() -> None:
    short = replace(op("A", "F1", at(0, 8), setup=60), end=at(0, 9, 30))  # 90 of 60 + 60 minutes
    assert kinds((short,)) == {ViolationKind.WORK_CONTENT}


def test_set_ups_are_not_checked_by_sequence_in_fluid_plans_where_every_batch_pays_its_own() -> None:
    plan = Plan(AXIS, operations=(op("A", "F1", at(0, 8), setup=60), op("C", "F2", at(0, 10), setup=0)))
    fluid = {v.kind for v in check_plan(plan, snapshot(), precedence="fluid").violations}
    assert fluid == {ViolationKind.WORK_CONTENT}  # C's batch lacks its 60 min set-up there


# -- merged batches ------------------------------------------------------------------------


def merged(start: float, qty: float = 4.0) -> Operation:
    return Operation("F1", 10, "M", start, start + 60 + 30 * qty, qty, demand_id="A", setup_minutes=60,
                     batch_id="A+E/F1")


def merged_plant() -> PlantSnapshot:
    base = snapshot()
    return replace(base, sales_orders=(*base.sales_orders, order("E", "F1", 2, due_day=3)))


def merged_kinds(operations: tuple[Operation, ...], deliveries: tuple[Delivery, ...],
                 shares: tuple[tuple[str, float], ...] = (("A", 2.0), ("E", 2.0))) -> set[ViolationKind]:
    plan = Plan(AXIS, operations=operations, deliveries=deliveries,
                merged_batches=(MergedBatch("A+E/F1", "F1", shares),))
    return {v.kind for v in check_plan(plan, merged_plant(), precedence="strict").violations}


def test_two_orders_in_one_merged_batch_pay_one_set_up() -> None:
    batch = merged(at(0, 8))  # 60 min set-up + 4 x 30 min: 08:00-11:00
    deliveries = (Delivery("A", "F1", 2, at(0, 11)), Delivery("E", "F1", 2, at(0, 11)))
    assert merged_kinds((batch,), deliveries) == set()


def test_a_merged_batch_that_makes_less_than_its_orders_share_is_rejected() -> None:
    batch = merged(at(0, 8), qty=2.0)  # A's share only: 08:00-10:00
    deliveries = (Delivery("A", "F1", 2, at(0, 10)),)
    assert merged_kinds((batch,), deliveries) == {ViolationKind.MERGED_BATCH}


def test_an_order_delivered_before_its_merged_batch_is_done_is_rejected() -> None:
    batch = merged(at(0, 8))
    early = (Delivery("A", "F1", 2, at(0, 11)), Delivery("E", "F1", 2, at(0, 10)))
    found = merged_kinds((batch,), early)
    assert ViolationKind.MERGED_BATCH in found


def test_a_merged_batch_serving_an_order_for_another_item_is_rejected() -> None:
    batch = merged(at(0, 8))
    deliveries = (Delivery("A", "F1", 2, at(0, 11)),)
    assert merged_kinds((batch,), deliveries, shares=(("A", 2.0), ("B", 2.0))) == {ViolationKind.MERGED_BATCH}
