"""Finite-capacity scheduling and solver benchmarks (issue #4)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from planbridge.cli.common import Cli, Commands, stderr, stdout

if TYPE_CHECKING:
    from planbridge.services import scheduling as service
    from planning_core.scheduling.benchmark import BenchRow, BenchSummary
    from planning_core.scheduling.cpsat import Progress as SolverProgress
    from planning_core.scheduling.cpsat import ProgressFn

# OR-Tools and pandas load inside the commands, so that every other command starts fast.

commands = Commands()
bench_commands = Commands(group="bench", help="Solver benchmarks.")

TEXT_ORDER_ROWS = 40
TEXT_RESOURCE_ROWS = 20


@commands.command("schedule", help="Finite-capacity schedule of all open orders (CP-SAT).")
def schedule(
    time_limit: Annotated[float, typer.Option("--time-limit", help="Solver time limit in seconds.")] = 30.0,
    workers: Annotated[int, typer.Option("--workers", help="Solver threads.")] = 2,
    gantt: Annotated[Path | None, typer.Option("--gantt", help="Also draw a Gantt chart to this PNG file.")] = None,
    save: Annotated[bool, typer.Option("--save", help="Store the schedule for the digest and KPIs.")] = False,
    campaign_window: Annotated[int, typer.Option(
        "--campaign-window", help="Merge batches of one item for orders due within this many days (0: never).",
    )] = 3,
    *,
    cli: Cli,
) -> None:
    from planbridge.services import scheduling as service

    command = service.MakeSchedule(as_of=cli.as_of, time_limit=time_limit, workers=workers, save=save,
                                   campaign_window_days=campaign_window)
    services = cli.services()
    with _solver_progress(time_limit) as progress:
        result = service.make_schedule(command, services, progress=progress)
    if gantt is not None:
        from planbridge.presentation.charts import draw_gantt  # matplotlib only when a chart is asked for
        from planbridge.services.board import gantt_chart

        chart = gantt_chart(result.document, result.snapshot, at_risk=result.projected_late or ())
        name = result.snapshot.plant.name if result.snapshot.plant.name.isascii() else "planbridge"
        draw_gantt(chart, gantt, title=f"{name}: schedule from {result.as_of}")
    cli.emit(result.document, lambda: _render_schedule(result, gantt))


@contextlib.contextmanager
def _solver_progress(time_limit: float) -> Iterator[ProgressFn | None]:
    """A progress bar on stderr (never stdout) that fills with the solver's time and shows its objective;
    nothing when stderr is not a terminal (scripts, logs)."""
    if not stderr.is_terminal:
        yield None
        return
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=stderr, transient=True) as bar:
        task = bar.add_task("building the schedule", total=time_limit)
        started = time.perf_counter()
        done = threading.Event()

        def tick() -> None:
            while not done.wait(0.25):
                bar.update(task, completed=min(time_limit, time.perf_counter() - started))

        def report(event: SolverProgress) -> None:
            bar.update(task, description=f"{event.stage.replace('_', ' ')}: {event.objective:,}")

        ticker = threading.Thread(target=tick, daemon=True)
        ticker.start()
        try:
            yield report
        finally:
            done.set()
            ticker.join()


def _render_schedule(result: service.ScheduleResult, gantt: Path | None) -> None:
    document = result.document
    solver = document["solver"]
    summary = document["summary"]
    stdout.print(
        f"Schedule from {result.as_of}: {summary['orders']} open orders, {summary['late_orders']} late, "
        f"{summary['unscheduled_orders']} cannot be scheduled; {len(document['operations'])} operations.",
        markup=False,
    )
    stdout.print(
        f"Solver: {solver['status']} ({solver['method']}) in {solver['seconds']:.1f} s; weighted tardiness "
        f"{_minutes(solver['objective'])} (EDD baseline {_minutes(solver['baseline']['weighted_tardiness_minutes'])}), "
        f"rush tardiness {_minutes(solver['objectives']['rush_tardiness_minutes'])}; "
        f"checker: {'ok' if solver['checked'] else 'VIOLATIONS'}",
        markup=False,
    )
    if document["merged_batches"] or solver["setup_minutes"]:
        stdout.print(f"Set-up: {_minutes(solver['setup_minutes'])}; {len(document['merged_batches'])} batches "
                     "serve several orders (campaigns).", markup=False)
    for violation in solver["violations"][:10]:
        stdout.print(f"  {violation}", markup=False)
    _print_lateness(document["orders"], result.projected_late)
    stdout.print(_orders_table(document["orders"]))
    stdout.print(_resources_table(document["resources"]))
    if gantt is not None:
        stdout.print(f"Gantt chart: {gantt}", markup=False)
    if result.saved_id is not None:
        stdout.print(f"Saved as schedule #{result.saved_id}.", markup=False)


def _print_lateness(orders: list[dict[str, Any]], projected_late: tuple[str, ...] | None) -> None:
    """The orders late in this schedule next to those the promise engine projects late, in the words
    the digest, `kpi` and `status` use; and why they may differ."""
    from planbridge.presentation.catalogue import EN, t

    late = sorted(o["order_id"] for o in orders if (o["late_days"] or 0) > 0)
    stdout.print(f"{t(EN, 'lateness.schedule')}: {', '.join(late) or 'none'}", markup=False)
    if projected_late is None:
        return
    stdout.print(f"{t(EN, 'lateness.finite_capacity')}: {', '.join(projected_late) or 'none'}", markup=False)
    if set(late) != set(projected_late):
        stdout.print(t(EN, "lateness.why_differ"), markup=False)


def _minutes(value: int) -> str:
    return f"{value / 60:,.1f} h"


def _orders_table(orders: list[dict[str, Any]]) -> Table:
    shown = sorted(orders, key=lambda o: (-(o["late_days"] or 0) if o["late_days"] is not None else -10**9,
                                          o["promised_date"]))[:TEXT_ORDER_ROWS]
    table = Table(title=f"Orders (latest first, {len(shown)} of {len(orders)})", title_justify="left")
    for column in ("order", "customer", "item", "qty", "priority", "promised", "completes", "days late"):
        table.add_column(column, justify="right" if column in ("qty", "days late") else "left")
    for o in shown:
        table.add_row(o["order_id"], o["customer"], o["item_id"], f"{o['qty']:g}", o["priority"], o["promised_date"],
                      o["completion_date"] or f"cannot: {o['reason']}",
                      str(o["late_days"]) if o["late_days"] is not None else "-")
    return table


def _resources_table(resources: list[dict[str, Any]]) -> Table:
    shown = sorted(resources, key=lambda r: -r["utilization_next_14_days"])[:TEXT_RESOURCE_ROWS]
    table = Table(title="Busiest resources, next 14 days", title_justify="left")
    table.add_column("resource")
    table.add_column("name")
    table.add_column("units", justify="right")
    table.add_column("utilisation", justify="right")
    for r in shown:
        table.add_row(r["resource_id"], r["name"], str(r["units"]), f"{r['utilization_next_14_days']:.0%}")
    return table


@bench_commands.command("jsplib", help="Classic job-shop instances: the product's scheduler vs plain CP-SAT.")
def jsplib(
    file: Annotated[Path | None, typer.Option("--file", help="Instances (default ../shared/bench/jsplib_public.json).")] = None,
    time_limit: Annotated[float, typer.Option("--time-limit", help="Seconds per instance and model.")] = 10.0,
    workers: Annotated[int, typer.Option("--workers", help="Solver threads.")] = 2,
    only: Annotated[str | None, typer.Option("--only", help="Comma-separated instance names.")] = None,
    *,
    cli: Cli,
) -> None:
    names = tuple(n.strip() for n in (only or "").split(",") if n.strip())
    from planbridge.services import scheduling as service

    command = service.RunJsplibBench(file=file, time_limit=time_limit, workers=workers, only=names)
    if not cli.json:
        stdout.print(f"{'instance':<8} {'size':>6} {'best':>6} | {'product':>7} {'gap%':>6} {'opt':>3} {'s':>5} "
                     f"| {'plain':>7} {'gap%':>6} {'opt':>3} {'s':>5}", markup=False)
    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=stderr, transient=True) as bar:
        task = bar.add_task("job-shop benchmark", total=None)

        def on_row(row: BenchRow) -> None:
            bar.advance(task)
            bar.update(task, description=f"job-shop benchmark: {row.name} done")
            if not cli.json:
                stdout.print(_bench_line(row), markup=False, highlight=False)

        summary = service.run_jsplib_bench(command, on_row=on_row)
    cli.emit(_bench_document(summary, command), lambda: _render_bench_means(summary))


def _bench_line(row: BenchRow) -> str:
    def run(r: Any) -> str:
        makespan = "-" if r.makespan is None else str(r.makespan)
        gap = "-" if r.gap_percent is None else f"{r.gap_percent:.2f}"
        return f"{makespan:>7} {gap:>6} {'yes' if r.optimal else 'no':>3} {r.seconds:>5.1f}"

    return f"{row.name:<8} {row.size:>6} {row.best_known:>6} | {run(row.product)} | {run(row.plain)}"


def _render_bench_means(summary: BenchSummary) -> None:
    product, plain, reduction = summary.product_mean_gap, summary.plain_mean_gap, summary.gap_reduction
    stdout.print(
        f"mean gap over {len(summary.rows)} instances: product {_pct(product)}, plain {_pct(plain)}"
        + (f" (product {reduction:.0%} lower)" if reduction is not None else ""),
        markup=False,
    )


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}%"


def _bench_document(summary: BenchSummary, command: service.RunJsplibBench) -> dict[str, Any]:
    def run(r: Any) -> dict[str, Any]:
        return {"makespan": r.makespan, "gap_percent": None if r.gap_percent is None else round(r.gap_percent, 4),
                "optimal": r.optimal, "seconds": round(r.seconds, 3)}

    return {
        "time_limit": command.time_limit,
        "workers": command.workers,
        "instances": [{"name": r.name, "size": r.size, "best_known": r.best_known, "product": run(r.product),
                       "plain": run(r.plain)} for r in summary.rows],
        "product_mean_gap_percent": summary.product_mean_gap,
        "plain_mean_gap_percent": summary.plain_mean_gap,
        "gap_reduction": summary.gap_reduction,
    }


def register(app: typer.Typer) -> None:
    commands.install(app)
    bench_commands.install(app)
