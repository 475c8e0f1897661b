"""Set-up campaigns on the generated plant: set-up minutes and weighted tardiness before and after.

Generates a plant with `planbridge.synthetic.generate_plant` (its routings are calibrated so the
busier machines carry 75-92 % of their working time over the ten weeks of open orders: the
generator's realistic load) and declares set-up families on it, as a shop would: every
machining step (CNC lathes, machining centres, grinders) and every pressure test shares its
fixture with the other items of the same kind on that kind of machine (every Stem on a
grinder is family `GRIND/Stem`, every gate valve on a test bench `TEST/Gate`), and round parts
(Stem, Shaft, Bushing, Sleeve) change over among themselves in 10 minutes (the set-up matrix). Then it schedules the plant four ways under the same limits:

- `before`: no families, no merging: every batch pays its set-up (the scheduler before issue 15);
- `sequencing`: families declared: the solver orders each machine's batches by family;
- `merging`: batches of one item merged across orders within `--window` days (no families);
- `both`: families and merging.

For each: set-up minutes in the plan, minutes saved against `before`, the share of the
grinders' busy time spent in set-up, weighted tardiness, late orders, and the independent
checker's verdict on the plan (strict, batch semantics). The generator has no load setting
yet: its own calibration is the load.

    .venv/bin/python -m benchmarks.campaigns [--orders N] [--items N] [--resources N] [--levels N]
        [--seed S] [--time-limit S] [--workers W] [--window DAYS]
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass, replace
from datetime import date

from rich.console import Console
from rich.table import Table

from planbridge.synthetic import generate_plant
from planning_core.checker import check_plan
from planning_core.model import PlantSnapshot, RoutingStep, SetupChange
from planning_core.scheduling.campaigns import NO_CAMPAIGNS, CampaignPolicy
from planning_core.scheduling.plant import PlantSchedule, schedule_plant

ANCHOR = date(2027, 1, 4)
FIXTURED = ("CNC", "MILL", "GRIND", "TEST")  # resource id prefixes of the generator's machining and test kinds
ROUND_PARTS = ("Stem", "Shaft", "Bushing", "Sleeve")
ROUND_CHANGEOVER_MINUTES = 10.0


def with_setup_families(snapshot: PlantSnapshot) -> PlantSnapshot:
    """The plant with a set-up family on every machining and test step: its machine kind and item kind
    (the first word of the item's name: Stem, Bonnet, Gate ...)."""
    routings: list[RoutingStep] = []
    families: set[str] = set()
    for step in snapshot.routings:
        kinds = {r.split("-")[0] for r in step.resource_ids}
        kind_of_item = snapshot.items[step.item_id].name.split(" ")[0]
        if len(kinds) == 1 and kinds <= set(FIXTURED):
            family = f"{next(iter(kinds))}/{kind_of_item}"
            families.add(family)
            step = replace(step, setup_family=family)
        routings.append(step)
    matrix = tuple(
        SetupChange(a, b, ROUND_CHANGEOVER_MINUTES)
        for a in sorted(families) for b in sorted(families)
        if a != b and a.split("/")[0] == b.split("/")[0]
        and a.split("/")[1] in ROUND_PARTS and b.split("/")[1] in ROUND_PARTS
    )
    return replace(snapshot, routings=tuple(routings), setup_matrix=matrix)


@dataclass(frozen=True)
class Outcome:
    name: str
    setup_minutes: float
    grinder_setup_share: float  # set-up minutes over busy minutes on the grinders
    weighted_tardiness: int
    late_orders: int
    merged_batches: int
    seconds: float
    checked: str


def run(name: str, snapshot: PlantSnapshot, policy: CampaignPolicy, *, time_limit: float, workers: int,
        seed: int) -> Outcome:
    started = time.perf_counter()
    result: PlantSchedule = schedule_plant(snapshot, ANCHOR, time_limit=time_limit, workers=workers, seed=seed,
                                           campaigns=policy)
    seconds = time.perf_counter() - started
    check = check_plan(result.plan, snapshot, precedence="strict")
    grinding = [op for op in result.plan.operations if op.resource_id.startswith("GRIND")]
    return Outcome(
        name=name,
        setup_minutes=sum(op.setup_minutes for op in result.plan.operations),
        grinder_setup_share=sum(op.setup_minutes for op in grinding) / max(1.0, sum(op.minutes for op in grinding)),
        weighted_tardiness=result.report.objectives.weighted_tardiness,
        late_orders=sum(1 for o in result.orders if o.late_days),
        merged_batches=len(result.plan.merged_batches),
        seconds=seconds,
        checked="ok" if check.ok else f"{len(check.violations)} violations: {check.violations[0]}",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=150)
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--resources", type=int, default=15)
    parser.add_argument("--levels", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--window", type=int, default=CampaignPolicy().window_days)
    args = parser.parse_args()

    plain = generate_plant(items=args.items, orders=args.orders, resources=args.resources, levels=args.levels,
                           seed=args.seed, anchor=ANCHOR)
    families = with_setup_families(plain)
    merging = CampaignPolicy(window_days=args.window)
    outcomes = [
        run(name, snapshot, policy, time_limit=args.time_limit, workers=args.workers, seed=args.seed)
        for name, snapshot, policy in (
            ("before", plain, NO_CAMPAIGNS),
            ("sequencing", families, NO_CAMPAIGNS),
            ("merging", plain, merging),
            ("both", families, merging),
        )
    ]
    before = outcomes[0]
    family_steps = sum(1 for s in families.routings if s.setup_family)
    table = Table(title=f"campaigns: {args.orders} orders, {args.items} items, {args.levels} levels, "
                        f"{args.resources} resources, seed {args.seed}, {args.workers} workers, "
                        f"{args.time_limit:g} s, window {args.window} days; {family_steps} of "
                        f"{len(families.routings)} routing steps in {len({s.setup_family for s in families.routings} - {None})} "
                        f"families; load average {os.getloadavg()[0]:.1f}")
    for column in ("run", "set-up h", "saved h", "grinders' time in set-up", "weighted tardiness h", "change",
                   "late orders", "merged batches", "s", "checker"):
        table.add_column(column, justify="left" if column in ("run", "checker") else "right")
    for o in outcomes:
        table.add_row(o.name, f"{o.setup_minutes / 60:,.1f}", f"{(before.setup_minutes - o.setup_minutes) / 60:,.1f}",
                      f"{o.grinder_setup_share:.0%}", f"{o.weighted_tardiness / 60:,.1f}", _change(before.weighted_tardiness, o.weighted_tardiness),
                      str(o.late_orders), str(o.merged_batches), f"{o.seconds:.1f}", o.checked)
    Console(width=200).print(table)


def _change(before: int, after: int) -> str:
    return "-" if before == 0 else f"{100.0 * (after - before) / before:+.1f} %"


if __name__ == "__main__":
    main()
