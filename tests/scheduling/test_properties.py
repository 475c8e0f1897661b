"""Random small plants: every schedule passes the checker, and CP-SAT never does worse than EDD."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planning_core.checker import check_plan
from planning_core.model import (
    BomLine,
    Item,
    ItemType,
    PlantSnapshot,
    Priority,
    RoutingStep,
    WorkOrder,
    WorkOrderStatus,
)
from planning_core.scheduling.cpsat import ScheduleModel, SolveStatus
from planning_core.scheduling.dispatch import edd
from planning_core.scheduling.plant import plan_from_schedule
from planning_core.scheduling.plant_problem import assemble, explode, initial_horizon_days
from planning_core.scheduling.scheduler import search_horizon
from planning_core.scheduling.solution import evaluate, violations
from tests.plants import ALWAYS, DAY_WITH_LUNCH, MONDAY, moment, plant, sales_order


@st.composite
def small_plants(draw: st.DrawFn) -> PlantSnapshot:
    resource_ids = [f"R{i}" for i in range(draw(st.integers(1, 3)))]
    resources = {r: (draw(st.sampled_from([DAY_WITH_LUNCH, ALWAYS])), draw(st.integers(1, 2))) for r in resource_ids}
    routings: list[RoutingStep] = []
    items: list[Item] = []
    bom: list[BomLine] = []
    inventory: dict[str, float] = {}
    ends = [f"E{i}" for i in range(draw(st.integers(1, 3)))]
    for item_id in [*ends, "C"]:
        for number in range(1, draw(st.integers(1, 2)) + 1):
            alternatives = draw(st.lists(st.sampled_from(resource_ids), min_size=1, max_size=2, unique=True))
            routings.append(RoutingStep(item_id, 10 * number, tuple(alternatives), float(draw(st.integers(0, 60))),
                                        float(draw(st.integers(5, 90)))))
    items.append(Item("B", "bought", ItemType.BUY, lead_time_days=draw(st.integers(0, 3))))
    for item_id in ends:
        if draw(st.booleans()):
            bom.append(BomLine(item_id, "C", float(draw(st.integers(1, 2)))))
        if draw(st.booleans()):
            bom.append(BomLine(item_id, "B", 1.0))
    for item_id in [*ends, "C", "B"]:
        inventory[item_id] = float(draw(st.integers(0, 6)))
    orders = [
        sales_order(f"O{k}", draw(st.sampled_from(ends)), float(draw(st.integers(1, 8))), draw(st.integers(0, 6)),
              draw(st.sampled_from(list(Priority))))
        for k in range(draw(st.integers(1, 5)))
    ]
    work_orders = []
    if draw(st.booleans()):
        day, hour = draw(st.integers(0, 2)), draw(st.integers(6, 14))
        work_orders.append(WorkOrder("WO1", "C", 2.0, resource_ids[0], moment(day, hour), moment(day, hour + 3),
                                     WorkOrderStatus.RELEASED))
    return plant(orders=orders, routings=routings, resources=resources, items=items, bom=bom,
                 inventory=inventory, work_orders=work_orders)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_plants())
def test_cp_sat_is_never_worse_than_edd_and_both_pass_the_checker(snapshot: PlantSnapshot) -> None:
    explosion = explode(snapshot, MONDAY)
    plant_problem = assemble(snapshot, explosion, days=initial_horizon_days(explosion))
    problem = plant_problem.problem
    baseline = edd(problem)
    assert not violations(problem, baseline)
    assert check_plan(plan_from_schedule(plant_problem, baseline), snapshot, precedence="strict").ok

    horizon = search_horizon(problem, evaluate(problem, baseline))
    result = ScheduleModel(problem, incumbent=baseline, horizon=horizon).solve(time_limit=1.0, workers=1, seed=0)
    assert result.schedule is not None  # the baseline is a complete hint: a solution is always found
    assert not violations(problem, result.schedule)
    report = check_plan(plan_from_schedule(plant_problem, result.schedule), snapshot, precedence="strict")
    assert report.ok, str(report)
    score = evaluate(problem, result.schedule)
    assert score.key(problem.objective) <= evaluate(problem, baseline).key(problem.objective)
    for stage in result.stages:  # the model's objective is the real one, calendars included
        if stage.status is SolveStatus.OPTIMAL and stage.name == "weighted_tardiness":
            assert stage.value == score.weighted_tardiness or stage is not result.stages[-1]
    flow = [s for s in result.stages if s.name == "flow_time" and s.status is SolveStatus.OPTIMAL]
    if flow:
        assert flow[0].value == score.flow_time
    assert max((p.end for p in result.schedule.placements), default=0) <= problem.horizon
    assert plant_problem.axis.origin_day + timedelta(days=plant_problem.axis.days) > MONDAY
