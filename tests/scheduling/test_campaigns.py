"""Set-up campaigns, hand-computed: merged batches and sequence-dependent set-ups in the scheduler.

The `DAY` calendar works 08:00-12:00 and 12:30-16:30. Every step here takes 60 min of set-up and
30 min a unit on machine M unless a case says otherwise, so a batch of 2 takes 120 min."""

from __future__ import annotations

from dataclasses import replace

import pytest

from planbridge.errors import BadRequest
from planbridge.services.context import ServiceContext
from planbridge.services.plant import store_plant
from planbridge.services.scheduling import MakeSchedule, make_schedule
from planning_core.checker import check_plan
from planning_core.model import BomLine, PlantSnapshot, Priority, RoutingStep, SetupChange
from planning_core.plan import MergedBatch, Operation
from planning_core.scheduling.campaigns import NO_CAMPAIGNS, CampaignPolicy, merge_batches
from planning_core.scheduling.dispatch import edd
from planning_core.scheduling.lns import improve_by_windows
from planning_core.scheduling.plant import PlantSchedule, plan_from_schedule, schedule_plant
from planning_core.scheduling.plant_problem import assemble, explode
from planning_core.scheduling.solution import Schedule, evaluate, place, violations
from tests.plants import ALWAYS, MONDAY, at, plant, step
from tests.plants import DAY_WITH_LUNCH as DAY
from tests.plants import sales_order as order


def family_step(item: str, family: str | None, *, setup: float = 60.0) -> RoutingStep:
    return RoutingStep(item, 10, ("M",), setup, 30.0, family)


def solve(snapshot: PlantSnapshot, campaigns: CampaignPolicy = NO_CAMPAIGNS) -> PlantSchedule:
    result = schedule_plant(snapshot, MONDAY, time_limit=3.0, workers=1, seed=0, campaigns=campaigns)
    report = check_plan(result.plan, snapshot, precedence="strict")
    assert report.ok, str(report)
    return result


def on_machine(result: PlantSchedule) -> list[tuple[str | None, float, float, float]]:
    """(order, start, end, set-up) of each operation, in time order."""
    ops = sorted(result.plan.operations, key=lambda o: o.start)
    return [(o.demand_id, o.start, o.end, o.setup_minutes) for o in ops]


def total_setup(operations: tuple[Operation, ...]) -> float:
    return sum(o.setup_minutes for o in operations)


# -- merged batches ------------------------------------------------------------------------


def test_two_orders_for_one_item_merged_pay_exactly_one_set_up() -> None:
    snapshot = plant(orders=[order("A", "X", 2, due_day=2), order("B", "X", 2, due_day=3)],
                     routings=[step("X", 10, "M", run=30, setup=60)], resources={"M": (DAY, 1)})
    apart = solve(snapshot)
    merged = solve(snapshot, CampaignPolicy(window_days=3))
    assert total_setup(apart.plan.operations) == 120.0
    assert total_setup(merged.plan.operations) == 60.0  # one set-up saved, exactly
    # one batch of 4: 60 min set-up + 4 x 30 min, 08:00-11:00, serving both orders
    assert on_machine(merged) == [("A", at(0, 8), at(0, 11), 60.0)]
    assert merged.plan.merged_batches == (MergedBatch("A+B/X", "X", (("A", 2.0), ("B", 2.0))),)
    assert {o.order_id: o.completion_date for o in merged.orders} == {"A": MONDAY, "B": MONDAY}


def test_orders_due_further_apart_than_the_window_are_not_merged() -> None:
    snapshot = plant(orders=[order("A", "X", 2, due_day=1), order("B", "X", 2, due_day=5)],
                     routings=[step("X", 10, "M", run=30, setup=60)], resources={"M": (DAY, 1)})
    result = solve(snapshot, CampaignPolicy(window_days=3))
    assert result.plan.merged_batches == ()
    assert total_setup(result.plan.operations) == 120.0


@pytest.mark.parametrize("priorities", [(Priority.RUSH, Priority.RUSH), (Priority.HIGH, Priority.NORMAL)])
def test_rush_orders_and_orders_of_different_priority_are_never_merged(priorities: tuple[Priority, Priority]) -> None:
    snapshot = plant(orders=[order("A", "X", 2, due_day=2, priority=priorities[0]),
                             order("B", "X", 2, due_day=2, priority=priorities[1])],
                     routings=[step("X", 10, "M", run=30, setup=60)], resources={"M": (DAY, 1)})
    explosion = explode(snapshot, MONDAY)
    assert merge_batches(explosion, snapshot, CampaignPolicy(window_days=3)) == explosion


def test_an_order_projected_late_or_without_slack_for_the_others_work_stays_alone() -> None:
    snapshot = plant(orders=[order("A", "X", 2, due_day=2), order("B", "X", 2, due_day=2), order("C", "X", 2, due_day=3)],
                     routings=[step("X", 10, "M", run=30, setup=60)], resources={"M": (DAY, 1)})
    explosion = explode(snapshot, MONDAY)
    policy = CampaignPolicy(window_days=3)
    # A can absorb B's 60 run minutes but not C's too; a late order joins nothing
    merged = merge_batches(explosion, snapshot, policy, slack={"A": 90, "B": 500, "C": 500})
    assert {b.batch_id for o in merged.orders for b in o.batches} == {"A+B/X", "C/X"}
    late = merge_batches(explosion, snapshot, policy, slack={"A": -1, "B": 500, "C": 500})
    assert {b.batch_id for o in late.orders for b in o.batches} == {"A/X", "B+C/X"}


def test_a_campaign_never_waits_for_a_later_orders_material() -> None:
    snapshot = plant(orders=[order("A", "X", 2, due_day=2), order("B", "X", 2, due_day=2)],
                     routings=[step("X", 10, "M", run=30, setup=60)], resources={"M": (DAY, 1)})
    explosion = explode(snapshot, MONDAY)
    later = replace(explosion, orders=(explosion.orders[0], replace(
        explosion.orders[1], batches=(replace(explosion.orders[1].batches[0], release=600),))))
    assert merge_batches(later, snapshot, CampaignPolicy(window_days=3)) == later


def test_merged_component_batches_feed_each_orders_assembly() -> None:
    snapshot = plant(orders=[order("A", "P", 1, due_day=3), order("B", "P", 1, due_day=3)],
                     routings=[step("C", 10, "M", run=30, setup=60), step("P", 10, "ASSY", run=60)],
                     resources={"M": (DAY, 1), "ASSY": (DAY, 1)},
                     bom=[BomLine("P", "C", 1.0)])
    result = solve(snapshot, CampaignPolicy(window_days=3))
    assert {b.batch_id for b in result.plan.merged_batches} == {"A+B/C"}  # P has no set-up to save
    assert total_setup(result.plan.operations) == 60.0


# -- sequence-dependent set-ups ------------------------------------------------------------


def families(*routings: RoutingStep, matrix: tuple[SetupChange, ...] = ()) -> PlantSnapshot:
    orders = [order(chr(ord("A") + k), r.item_id, 2, due_day=0) for k, r in enumerate(routings)]
    return replace(plant(orders=orders, routings=routings, resources={"M": (DAY, 1)}), setup_matrix=matrix)


def test_two_batches_of_one_family_back_to_back_save_exactly_one_set_up() -> None:
    result = solve(families(family_step("X1", "F"), family_step("X2", "F")))
    # the first: 60 + 60 = 08:00-10:00; the second right after with no set-up: 10:00-11:00
    assert [entry[1:] for entry in on_machine(result)] == [(at(0, 8), at(0, 10), 60.0), (at(0, 10), at(0, 11), 0.0)]


def test_without_families_each_batch_pays_its_set_up() -> None:
    result = solve(families(family_step("X1", None), family_step("X2", None)))
    assert total_setup(result.plan.operations) == 120.0


def test_the_matrix_decides_the_order_the_cheaper_changeover_first() -> None:
    # F -> G takes 10 min, G -> F 50: F first (60 + 10 = 70 min of set-up) beats G first (60 + 50)
    snapshot = families(family_step("XG", "G"), family_step("XF", "F"),
                        matrix=(SetupChange("F", "G", 10), SetupChange("G", "F", 50)))
    result = solve(snapshot)
    assert on_machine(result) == [("B", at(0, 8), at(0, 10), 60.0), ("A", at(0, 10), at(0, 11, 10), 10.0)]


def test_a_minor_set_up_within_a_family_comes_from_the_matrix() -> None:
    snapshot = families(family_step("X1", "F"), family_step("X2", "F"), matrix=(SetupChange("F", "F", 15),))
    result = solve(snapshot)
    assert [setup for *_, setup in on_machine(result)] == [60.0, 15.0]


def test_a_family_batch_keeps_its_whole_set_up_on_a_machine_with_several_units() -> None:
    snapshot = families(family_step("X1", "F"), family_step("X2", "F"))
    two_units = replace(snapshot, resources={"M": replace(snapshot.resources["M"], units=2)})
    assert total_setup(solve(two_units).plan.operations) == 120.0


def test_campaigns_and_families_together_pass_the_checker_on_a_busy_machine() -> None:
    routings = [family_step(f"X{k}", "F" if k % 2 else "G", setup=45) for k in range(8)]
    orders = [order(f"O{k}", f"X{k % 8}", 1 + k % 3, due_day=1 + k % 4) for k in range(16)]
    snapshot = replace(plant(orders=orders, routings=routings, resources={"M": (DAY, 1)}),
                       setup_matrix=(SetupChange("F", "G", 20),))
    sequenced = solve(snapshot)
    merged = solve(snapshot, CampaignPolicy(window_days=2))
    assert total_setup(sequenced.plan.operations) < 16 * 45
    assert total_setup(merged.plan.operations) < 16 * 45


# -- time windows (large-neighbourhood search) keep set-ups valid --------------------------

FAMILY_PLANT = replace(
    plant(
        orders=[order(f"O{k}", f"X{k % 6}", 1 + k % 4, due_day=k % 5,
                      priority=Priority.HIGH if k % 7 == 0 else Priority.NORMAL) for k in range(24)],
        routings=[*(RoutingStep(f"X{k}", 10, ("M1", "M2") if k % 3 == 0 else ("M1",), 40.0, 20.0,
                                "F" if k % 2 else "G") for k in range(6)),
                  *(RoutingStep(f"X{k}", 20, ("M2",), 15.0, 10.0, None) for k in range(6))],
        resources={"M1": (DAY, 1), "M2": (DAY, 1)},
    ),
    setup_matrix=(SetupChange("F", "G", 5.0), SetupChange("G", "F", 25.0)),
)


def test_windows_with_set_up_circuits_never_leave_a_kept_batch_short_of_its_set_up() -> None:
    explosion = explode(FAMILY_PLANT, MONDAY)
    plant_problem = assemble(FAMILY_PLANT, explosion, days=30)
    problem = plant_problem.problem
    baseline = edd(problem)
    schedule, score, stats = improve_by_windows(problem, baseline, time_limit=4.0, workers=1, window_tasks=8,
                                                window_seconds=0.3)
    assert stats.windows >= 3 and stats.improved >= 1
    assert violations(problem, schedule) == []
    assert check_plan(plan_from_schedule(plant_problem, schedule), FAMILY_PLANT, precedence="strict").ok
    assert score.setup_minutes < evaluate(problem, baseline).setup_minutes


def test_the_abstract_schedule_check_catches_a_family_task_given_too_little_set_up() -> None:
    snapshot = families(family_step("XG", "G"), family_step("XF", "F"))
    problem = assemble(snapshot, explode(snapshot, MONDAY), days=7).problem
    g, f = problem.tasks  # one task each, G (order A) first by the dispatch
    baseline = edd(problem)
    first = baseline.placements[g.index]
    shortened = place(problem, f, "M", first.work_start + g.work, setup=0)  # G -> F needs F's own 60
    wrong = Schedule(tuple(shortened if t.index == f.index else baseline.placements[t.index] for t in problem.tasks))
    assert violations(problem, wrong) == [f"task {f.index} on M gets 0 min of set-up but needs 60"]
    right = place(problem, f, "M", first.work_start + g.work, setup=60)
    assert violations(problem, Schedule((first, right))) == []


# -- the service: `planbridge schedule --campaign-window` and its JSON -----------------------


def test_the_schedule_document_lists_merged_batches_and_set_up_minutes(sqlite_services: ServiceContext) -> None:
    snapshot = plant(orders=[order("A", "X", 2, due_day=2), order("B", "X", 2, due_day=3)],
                     routings=[step("X", 10, "M", run=30, setup=60)], resources={"M": (DAY, 1)})
    store_plant(snapshot, sqlite_services, replace=False)
    merged = make_schedule(MakeSchedule(as_of=MONDAY, time_limit=2, workers=1, campaign_window_days=3), sqlite_services)
    assert merged.check.ok
    assert merged.document["merged_batches"] == [
        {"batch_id": "A+B/X", "item_id": "X", "orders": [{"order_id": "A", "qty": 2.0}, {"order_id": "B", "qty": 2.0}]}]
    assert merged.document["solver"]["setup_minutes"] == 60.0
    apart = make_schedule(MakeSchedule(as_of=MONDAY, time_limit=2, workers=1, campaign_window_days=0), sqlite_services)
    assert apart.document["merged_batches"] == []
    assert apart.document["solver"]["setup_minutes"] == 120.0
    with pytest.raises(BadRequest, match="--campaign-window must be 0 to 28 days, not 29"):
        make_schedule(MakeSchedule(as_of=MONDAY, time_limit=2, campaign_window_days=29), sqlite_services)


def test_a_machine_with_more_batches_than_one_circuit_holds_is_sequenced_in_time_windows() -> None:
    routings = [family_step(f"X{k}", f"F{k % 3}", setup=20) for k in range(6)]
    orders = [order(f"O{k:02d}", f"X{k % 6}", 1, due_day=5 + k % 10) for k in range(70)]
    snapshot = plant(orders=orders, routings=routings, resources={"M": (ALWAYS, 1)})
    result = schedule_plant(snapshot, MONDAY, time_limit=4.0, workers=1, seed=0)
    assert check_plan(result.plan, snapshot, precedence="strict").ok
    assert result.report.windows > 0  # the whole model ordered nothing there: windows did
    assert total_setup(result.plan.operations) < 70 * 20
