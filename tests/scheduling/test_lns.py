"""Large-neighbourhood search: windows re-solved with the rest kept never break or worsen the schedule."""

from __future__ import annotations

from planning_core.checker import check_plan
from planning_core.model import BomLine, Priority
from planning_core.scheduling.cpsat import ScheduleModel
from planning_core.scheduling.dispatch import edd
from planning_core.scheduling.lns import improve_by_windows
from planning_core.scheduling.plant import plan_from_schedule
from planning_core.scheduling.plant_problem import assemble, explode, initial_horizon_days
from planning_core.scheduling.solution import evaluate, violations
from tests.plants import ALWAYS, DAY_WITH_LUNCH, MONDAY, plant, sales_order, step

SNAPSHOT = plant(
    orders=[sales_order(f"O{k}", "P" if k % 2 else "Q", 2 + k % 3, due_day=k % 4,
                  priority=Priority.HIGH if k % 5 == 0 else Priority.NORMAL) for k in range(12)],
    bom=[BomLine("P", "C", 1), BomLine("Q", "C", 2)],
    routings=[step("C", 10, "M1|M2", run=40, setup=20), step("C", 20, "M3", run=15),
              step("P", 10, "ASSY", run=60), step("Q", 10, "ASSY|M3", run=45, setup=10)],
    resources={"M1": (DAY_WITH_LUNCH, 1), "M2": (ALWAYS, 1), "M3": (DAY_WITH_LUNCH, 1), "ASSY": (DAY_WITH_LUNCH, 2)},
)


def test_windows_of_a_few_tasks_improve_the_edd_schedule_and_every_step_stays_valid() -> None:
    explosion = explode(SNAPSHOT, MONDAY)
    plant_problem = assemble(SNAPSHOT, explosion, days=initial_horizon_days(explosion))
    problem = plant_problem.problem
    baseline = edd(problem)
    schedule, score, stats = improve_by_windows(problem, baseline, time_limit=3.0, workers=1, window_tasks=6,
                                                window_seconds=0.3)
    assert stats.windows >= 2
    assert not violations(problem, schedule)
    assert check_plan(plan_from_schedule(plant_problem, schedule), SNAPSHOT, precedence="strict").ok
    assert score == evaluate(problem, schedule)
    assert score.key(problem.objective) <= evaluate(problem, baseline).key(problem.objective)


def test_a_partial_model_leaves_the_kept_tasks_exactly_where_they_were() -> None:
    explosion = explode(SNAPSHOT, MONDAY)
    problem = assemble(SNAPSHOT, explosion, days=initial_horizon_days(explosion)).problem
    baseline = edd(problem)
    free = list(range(0, len(problem.tasks), 3))
    result = ScheduleModel(problem, incumbent=baseline, free=free).solve(time_limit=1.0, workers=1)
    assert result.schedule is not None
    kept = [i for i in range(len(problem.tasks)) if i not in free]
    assert [result.schedule.placements[i] for i in kept] == [baseline.placements[i] for i in kept]
    assert not violations(problem, result.schedule)
