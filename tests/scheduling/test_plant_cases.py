"""Hand-checked plant schedules: competition for a machine, breaks, alternatives, rush, material, work orders."""

from __future__ import annotations

from datetime import date

from planning_core.checker import check_plan
from planning_core.model import (
    BomLine,
    Calendar,
    CalendarException,
    ExceptionKind,
    Item,
    ItemType,
    PlantSnapshot,
    Priority,
    PurchaseOrder,
    WorkOrder,
    WorkOrderStatus,
)
from planning_core.plan import Operation, Plan
from planning_core.scheduling.plant import PlantSchedule, edd_schedule, plan_from_schedule, schedule_plant
from planning_core.scheduling.solution import evaluate
from tests.plants import ALWAYS, DAY_WITH_LUNCH, MONDAY, at, moment, plant, sales_order, step


def solve(snapshot: PlantSnapshot, *, time_limit: float = 2.0) -> PlantSchedule:
    result = schedule_plant(snapshot, MONDAY, time_limit=time_limit, workers=1, seed=0)
    report = check_plan(result.plan, snapshot, precedence="strict")
    assert report.ok, str(report)
    return result


def spans(plan: Plan, order_id: str) -> list[tuple[float, float, str]]:
    return sorted((op.start, op.end, op.resource_id) for op in plan.operations if op.demand_id == order_id)


def late_days(result: PlantSchedule) -> dict[str, int | None]:
    return {o.order_id: o.late_days for o in result.orders}


def test_two_orders_for_one_machine_the_shorter_goes_first_when_one_is_late_anyway() -> None:
    # 300 + 240 minutes of work on an 8-hour day: whichever runs second finishes Tuesday 09:00, 540 min late.
    # Equal tardiness either way, so the flow-time stage puts the shorter order (B) first; EDD keeps A first.
    snapshot = plant(
        orders=[sales_order("A", "X", 5, due_day=0), sales_order("B", "Y", 4, due_day=0)],
        routings=[step("X", 10, "M", run=60), step("Y", 10, "M", run=60)],
        resources={"M": (DAY_WITH_LUNCH, 1)},
    )
    result = solve(snapshot)
    assert spans(result.plan, "B") == [(at(0, 8), at(0, 12), "M")]
    assert spans(result.plan, "A") == [(at(0, 12, 30), at(0, 16, 30), "M"), (at(1, 8), at(1, 9), "M")]
    assert late_days(result) == {"A": 1, "B": 0}
    assert result.report.objectives.weighted_tardiness == 540
    assert result.report.objectives.flow_time == at(0, 12) + at(1, 9)
    assert result.report.baseline.flow_time == at(0, 13, 30) + at(1, 9)  # EDD: A (first by id) then B


def test_an_operation_is_cut_at_the_lunch_break_with_its_quantity_shared_by_working_time() -> None:
    snapshot = plant(orders=[sales_order("A", "X", 6, due_day=2)], routings=[step("X", 10, "M", run=60)],
                     resources={"M": (DAY_WITH_LUNCH, 1)})
    ops = sorted(solve(snapshot).plan.operations, key=lambda o: o.start)
    assert [(o.start, o.end, o.qty, o.batch_id) for o in ops] == [
        (at(0, 8), at(0, 12), 4.0, "A/X"),
        (at(0, 12, 30), at(0, 14, 30), 2.0, "A/X"),
    ]


def test_a_closed_day_delays_the_work_to_the_next_working_day() -> None:
    closed_monday = Calendar("DAY", DAY_WITH_LUNCH.shifts, (CalendarException("DAY", MONDAY, ExceptionKind.CLOSED),))
    snapshot = plant(orders=[sales_order("A", "X", 2, due_day=3)], routings=[step("X", 10, "M", run=60, setup=30)],
                     resources={"M": (closed_monday, 1)})
    ops = solve(snapshot).plan.operations
    assert [(o.start, o.end, o.setup_minutes) for o in ops] == [(at(1, 8), at(1, 10, 30), 30.0)]


def test_an_alternative_machine_relieves_the_bottleneck() -> None:
    orders = [sales_order("A", "X", 8, due_day=0), sales_order("B", "X", 8, due_day=0)]
    single = solve(plant(orders=orders, routings=[step("X", 10, "M1", run=60)],
                         resources={"M1": (DAY_WITH_LUNCH, 1), "M2": (DAY_WITH_LUNCH, 1)}))
    assert sorted(late_days(single).items()) == [("A", 0), ("B", 1)]
    both = solve(plant(orders=orders, routings=[step("X", 10, "M1|M2", run=60)],
                       resources={"M1": (DAY_WITH_LUNCH, 1), "M2": (DAY_WITH_LUNCH, 1)}))
    assert late_days(both) == {"A": 0, "B": 0}
    assert {r for o in ("A", "B") for _, _, r in spans(both.plan, o)} == {"M1", "M2"}
    assert all(end <= at(0, 16, 30) for o in ("A", "B") for _, end, _ in spans(both.plan, o))


def test_two_units_of_one_resource_run_two_batches_at_once() -> None:
    orders = [sales_order("A", "X", 8, due_day=0), sales_order("B", "X", 8, due_day=0)]
    result = solve(plant(orders=orders, routings=[step("X", 10, "M", run=60)], resources={"M": (DAY_WITH_LUNCH, 2)}))
    assert late_days(result) == {"A": 0, "B": 0}
    assert spans(result.plan, "A")[0][0] == spans(result.plan, "B")[0][0] == at(0, 8)


def test_a_rush_order_jumps_the_queue_even_where_weighted_tardiness_alone_would_not() -> None:
    # Twenty normal 24-minute orders and one 8-hour rush order, all due Monday, one machine.
    normals = [sales_order(f"N{k:02}", "SMALL", 1, due_day=0) for k in range(1, 21)]
    rush = sales_order("R", "BIG", 1, due_day=0, priority=Priority.RUSH)
    snapshot = plant(orders=[*normals, rush],
                     routings=[step("SMALL", 10, "M", run=24), step("BIG", 10, "M", run=480)],
                     resources={"M": (DAY_WITH_LUNCH, 1)})
    result = solve(snapshot)
    assert spans(result.plan, "R") == [(at(0, 8), at(0, 12), "M"), (at(0, 12, 30), at(0, 16, 30), "M")]
    assert result.report.objectives.rush_tardiness == 0
    # Normal order k ends Tuesday 08:00 + 24k working minutes (+30 after lunch): 14,940 weighted minutes late,
    # more than the 10 x 990 = 9,900 of making the rush order wait a day: rush tardiness comes first.
    assert result.report.objectives.weighted_tardiness == 14_940
    assert all(late == 1 for order_id, late in late_days(result).items() if order_id != "R")


def test_components_are_made_first_and_bought_parts_arrive_after_their_lead_time() -> None:
    snapshot = plant(
        orders=[sales_order("A", "P", 10, due_day=4)],
        items=[Item("B", "bought part", ItemType.BUY, lead_time_days=2)],
        bom=[BomLine("P", "C", 1), BomLine("P", "B", 1)],
        routings=[step("C", 10, "M", run=6), step("P", 10, "ASSY", run=6)],
        resources={"M": (DAY_WITH_LUNCH, 1), "ASSY": (DAY_WITH_LUNCH, 1)},
        inventory={"B": 4},
    )
    result = solve(snapshot)
    [purchase] = result.plan.purchases
    assert (purchase.item_id, purchase.qty, purchase.arrival) == ("B", 6, at(2, 0))
    c_ops, p_ops = ([o for o in result.plan.operations if o.item_id == i] for i in ("C", "P"))
    assert [(o.start, o.end) for o in c_ops] == [(at(0, 8), at(0, 9))]
    assert [(o.start, o.end) for o in p_ops] == [(at(2, 8), at(2, 9))]  # waits for the purchase, not for C


def test_a_receipt_before_the_lead_time_is_used_and_stock_goes_to_the_earlier_due_order() -> None:
    snapshot = plant(
        orders=[sales_order("LATER", "X", 5, due_day=4), sales_order("SOONER", "X", 5, due_day=1)],
        items=[Item("X", "resold part", ItemType.BUY, lead_time_days=10)],
        routings=[],
        resources={"M": (DAY_WITH_LUNCH, 1)},
        inventory={"X": 5},
        purchase_orders=[PurchaseOrder("PO1", "X", 5, date(2027, 1, 7))],
    )
    result = solve(snapshot)
    completions = {o.order_id: o.completion_date for o in result.orders}
    assert completions == {"SOONER": MONDAY, "LATER": date(2027, 1, 7)}
    assert result.plan.purchases == ()


def test_a_running_work_order_keeps_its_machine_and_new_work_goes_around_it() -> None:
    snapshot = plant(
        orders=[sales_order("A", "X", 2, due_day=2)],
        routings=[step("X", 10, "M", run=60)],
        resources={"M": (DAY_WITH_LUNCH, 1)},
        work_orders=[WorkOrder("WO1", "Z", 3, "M", moment(0, 8), moment(0, 12), WorkOrderStatus.RUNNING)],
    )
    assert spans(solve(snapshot).plan, "A") == [(at(0, 12, 30), at(0, 14, 30), "M")]


def test_an_order_for_an_item_that_cannot_be_made_is_reported_not_scheduled() -> None:
    snapshot = plant(orders=[sales_order("A", "NOROUTE", 1, due_day=1), sales_order("B", "X", 1, due_day=1)],
                     routings=[step("X", 10, "M", run=60)], resources={"M": (ALWAYS, 1)})
    result = solve(snapshot)
    outcome = {o.order_id: o for o in result.orders}
    assert outcome["A"].completion is None and outcome["A"].reason == "NOROUTE is a made item without a routing"
    assert outcome["B"].late_days == 0
    assert {op.demand_id for op in result.plan.operations} == {"B"}


def test_the_edd_baseline_alone_is_a_valid_plan() -> None:
    snapshot = plant(
        orders=[sales_order("A", "P", 3, due_day=1), sales_order("B", "P", 2, due_day=0, priority=Priority.HIGH)],
        bom=[BomLine("P", "C", 2)],
        routings=[step("C", 10, "M|M2", run=15, setup=10), step("C", 20, "M", run=5), step("P", 10, "ASSY", run=30)],
        resources={"M": (DAY_WITH_LUNCH, 1), "M2": (ALWAYS, 1), "ASSY": (DAY_WITH_LUNCH, 1)},
    )
    problem, schedule = edd_schedule(snapshot, MONDAY)
    plan = plan_from_schedule(problem, schedule)
    assert check_plan(plan, snapshot, precedence="strict").ok
    assert evaluate(problem.problem, schedule).weighted_tardiness == 0
    assert isinstance(plan.operations[0], Operation)


def test_no_open_orders_give_an_empty_schedule() -> None:
    result = solve(plant(orders=[], routings=[step("X", 10, "M", run=1)], resources={"M": (DAY_WITH_LUNCH, 1)}))
    assert result.plan.operations == () and result.orders == ()
