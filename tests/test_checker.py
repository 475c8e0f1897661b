"""The independent checker rejects hand-broken schedules and accepts a correct one."""

from __future__ import annotations

from planning_core.calendars import TimeAxis
from planning_core.checker import ViolationKind, check_plan
from planning_core.model import BomLine, Item, ItemType, WorkOrder, WorkOrderStatus
from planning_core.plan import Delivery, Operation, Plan, Purchase
from tests.plants import DAY_WITH_LUNCH, MONDAY, at, moment, plant, sales_order, step

AXIS = TimeAxis(MONDAY, "UTC", 7)
# P is assembled on ASSY from one C, which is turned (step 10) and drilled (step 20) on M; B is bought in 2 days.
SNAPSHOT = plant(
    orders=[sales_order("A", "P", 2, due_day=3)],
    items=[Item("B", "bought", ItemType.BUY, lead_time_days=2)],
    bom=[BomLine("P", "C", 1), BomLine("P", "B", 1)],
    routings=[step("C", 10, "M", run=60), step("C", 20, "M", run=30), step("P", 10, "ASSY", run=60, setup=15)],
    resources={"M": (DAY_WITH_LUNCH, 1), "ASSY": (DAY_WITH_LUNCH, 1)},
    inventory={"B": 2},
)


def op(item: str, number: int, resource: str, start: float, end: float, qty: float = 2.0) -> Operation:
    return Operation(item, number, resource, start, end, qty, demand_id="A", batch_id=f"A/{item}")


GOOD = (
    op("C", 10, "M", at(0, 8), at(0, 10)),
    op("C", 20, "M", at(0, 10), at(0, 11)),
    op("P", 10, "ASSY", at(0, 11), at(0, 12), qty=1.0),
    op("P", 10, "ASSY", at(0, 12, 30), at(0, 13, 45), qty=1.0),  # 15 min set-up + 2 x 60 min in all
)


def kinds(operations: tuple[Operation, ...], **extra: object) -> set[ViolationKind]:
    plan = Plan(AXIS, operations=operations, deliveries=(Delivery("A", "P", 2, at(0, 14)),), **extra)  # type: ignore[arg-type]
    return {v.kind for v in check_plan(plan, SNAPSHOT, precedence="strict").violations}


def test_a_correct_schedule_passes() -> None:
    assert kinds(GOOD) == set()


def test_two_operations_at_once_on_a_one_unit_machine_are_an_overlap() -> None:
    overlapping = (op("C", 10, "M", at(0, 8), at(0, 10)), op("C", 20, "M", at(0, 9, 30), at(0, 10, 30)), *GOOD[2:])
    assert ViolationKind.CAPACITY in kinds(overlapping)


def test_a_step_that_starts_before_the_previous_step_has_finished_breaks_precedence() -> None:
    early = (op("C", 10, "M", at(0, 8), at(0, 10)), op("C", 20, "M", at(0, 8), at(0, 9)), *GOOD[2:])
    assert ViolationKind.PRECEDENCE in kinds(early)


def test_work_in_the_lunch_break_is_outside_the_calendar() -> None:
    through_lunch = (*GOOD[:2], op("P", 10, "ASSY", at(0, 11), at(0, 13, 45)))
    assert kinds(through_lunch) == {ViolationKind.CALENDAR}


def test_an_operation_shorter_than_set_up_plus_run_time_lacks_work_content() -> None:
    short = (*GOOD[:2], op("P", 10, "ASSY", at(0, 11), at(0, 12)))  # 60 of the 135 minutes needed for 2
    assert kinds(short) == {ViolationKind.WORK_CONTENT}


def test_assembly_before_its_component_is_made_lacks_material() -> None:
    too_soon = (op("C", 10, "M", at(0, 8), at(0, 10)), op("C", 20, "M", at(0, 13), at(0, 14)),
                op("P", 10, "ASSY", at(0, 10), at(0, 12), 1.0), op("P", 10, "ASSY", at(0, 12, 30), at(0, 13, 45), 1.0))
    assert ViolationKind.MATERIAL in kinds(too_soon)


def test_a_purchase_that_arrives_before_its_lead_time_is_rejected() -> None:
    assert ViolationKind.PURCHASE in kinds(GOOD, purchases=(Purchase("B", 5, at(1, 0)),))


def test_an_operation_on_a_machine_held_by_a_running_work_order_is_an_overlap() -> None:
    held = plant(
        orders=list(SNAPSHOT.sales_orders), items=list(SNAPSHOT.items.values()), bom=SNAPSHOT.bom,
        routings=SNAPSHOT.routings, resources={"M": (DAY_WITH_LUNCH, 1), "ASSY": (DAY_WITH_LUNCH, 1)}, inventory={"B": 2},
        work_orders=[WorkOrder("WO1", "C", 1, "M", moment(0, 9), moment(0, 10), WorkOrderStatus.RUNNING)],
    )
    plan = Plan(AXIS, operations=GOOD, deliveries=(Delivery("A", "P", 2, at(0, 14)),))
    assert ViolationKind.CAPACITY in {v.kind for v in check_plan(plan, held, precedence="strict").violations}
