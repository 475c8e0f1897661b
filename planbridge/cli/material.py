"""Material planning, KPIs and the statistical forecast (issue #5)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from planbridge.cli.common import Cli, Commands, stderr, stdout
from planbridge.errors import BadRequest
from planbridge.presentation.catalogue import EN, t
from planbridge.presentation.formats import pieces

if TYPE_CHECKING:
    from planbridge.services import material

# numpy, pandas and statsforecast are imported inside the commands so `--help` stays fast.

commands = Commands()
SHOWN_ROWS = 40


def whole_number(value: str, *, option: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise BadRequest(f"{option}: {value!r} is not a whole number") from None


@commands.command("mrp", help="Time-phased material plan: planned orders, exception messages, pegged shortages.")
def mrp(
    horizon_days: Annotated[str, typer.Option("--horizon-days", help="Days to plan ahead (default 90).")] = "90",
    bucket: Annotated[str, typer.Option("--bucket", help="Bucket size: day or week.")] = "day",
    csv: Annotated[Path | None, typer.Option("--csv", help="Also write the tables as CSV files into this folder.")] = None,
    no_forecast: Annotated[bool, typer.Option("--no-forecast", help="Plan for open orders only.")] = False,
    *,
    cli: Cli,
) -> None:
    from planbridge.presentation.documents import mrp_document
    from planbridge.services import material

    command = material.MrpCommand(
        horizon_days=whole_number(horizon_days, option="--horizon-days"), bucket=bucket, as_of=cli.as_of,
        use_forecast=not no_forecast,
    )
    answer = material.material_plan(command, cli.services())
    if csv is not None:
        written = answer.write_csv(csv)
        (stderr if cli.json else stdout).print(
            f"wrote {', '.join(p.name for p in written)} to {csv}", markup=False, highlight=False
        )
    cli.emit(mrp_document(answer), lambda: _print_mrp(answer))


@commands.command("kpi", help="Delivery, backlog, capacity, shortage and forecast-accuracy KPIs.")
def kpi(
    period_days: Annotated[str, typer.Option("--period-days", help="Window for the extra OTD/OTIF figure (default 30).")] = "30",
    *,
    cli: Cli,
) -> None:
    from planbridge.presentation.documents import kpi_document
    from planbridge.services import material

    command = material.KpiCommand(period_days=whole_number(period_days, option="--period-days"), as_of=cli.as_of)
    document = kpi_document(material.kpis(command, cli.services()))
    cli.emit(document, lambda: _print_kpi(document.to_dict()))


@commands.command("forecast", help="Statistical weekly demand forecast per item from the shipment history, with a backtest.")
def forecast(
    horizon_weeks: Annotated[str, typer.Option("--horizon-weeks", help="Weeks to forecast (default 12).")] = "12",
    holdout_weeks: Annotated[str, typer.Option("--holdout-weeks", help="Weeks held out by the backtest (default 8).")] = "8",
    save: Annotated[bool, typer.Option("--save", help="Store the forecast where MRP reads it.")] = False,
    override_imported: Annotated[
        bool, typer.Option("--override-imported", help="With --save: replace imported forecasts of the same items too.")
    ] = False,
    *,
    cli: Cli,
) -> None:
    from planbridge.presentation.documents import forecast_document
    from planbridge.services import material

    if override_imported and not save:
        raise BadRequest("--override-imported only makes sense with --save")
    command = material.ForecastCommand(
        horizon_weeks=whole_number(horizon_weeks, option="--horizon-weeks"),
        holdout_weeks=whole_number(holdout_weeks, option="--holdout-weeks"),
        save=save, override_imported=override_imported, as_of=cli.as_of,
    )
    document = forecast_document(material.statistical_forecast(command, cli.services()))
    cli.emit(document, lambda: _print_forecast(document.to_dict()))


# -- text output -----------------------------------------------------------------------------


def _num(value: Any) -> str:
    if value is None:
        return "–"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f} %"


def _more(total: int) -> None:
    if total > SHOWN_ROWS:
        stdout.print(f"… {total - SHOWN_ROWS} more (all of them with --json or --csv DIR)", markup=False)


def _print_mrp(answer: material.MrpAnswer) -> None:
    r = answer.result
    stdout.print(
        f"MRP as of {r.params.as_of}, {r.params.horizon_days} days in {r.params.bucket.value} buckets: "
        f"{len(r.planned_orders)} planned orders, {len(r.shortages)} shortages, {len(r.messages)} exception messages",
        markup=False,
    )
    if r.shortages:
        table = Table(title="Shortages", title_justify="left")
        for column in ("item", "short", "from", "until", "orders hurt"):
            table.add_column(column)
        for s in r.shortages[:SHOWN_ROWS]:
            item = answer.snapshot.items[s.item_id]
            hurt = [f"{o} {answer.snapshot.orders_by_id[o].customer}" for o in s.orders[:3]]
            hurt += [f"+{len(s.orders) - 3} more"] if len(s.orders) > 3 else []
            hurt += ["forecast"] if s.forecast else []
            table.add_row(f"{s.item_id} {item.name}", f"{pieces(s.qty, item.uom)} {item.uom}", str(s.date),
                          str(s.until or "after horizon"), ", ".join(hurt) or "–")
        stdout.print(table)
        _more(len(r.shortages))
    if r.planned_orders:
        table = Table(title="Planned orders", title_justify="left")
        for column in ("item", "qty", "type", "release", "due", "late"):
            table.add_column(column)
        for p in r.planned_orders[:SHOWN_ROWS]:
            late = f"{(p.due_date - p.need_date).days} d" if p.past_due else ""
            table.add_row(p.item_id, pieces(p.qty, answer.snapshot.items[p.item_id].uom), p.type.value, str(p.release_date), str(p.due_date), late)
        stdout.print(table)
        _more(len(r.planned_orders))
    if r.messages:
        table = Table(title="Exception messages", title_justify="left")
        for column in ("kind", "item", "ref", "what to do"):
            table.add_column(column)
        for m in r.messages[:SHOWN_ROWS]:
            table.add_row(m.kind.value, m.item_id, m.ref or "", m.detail)
        stdout.print(table)
        _more(len(r.messages))


def _print_quality(q: dict[str, Any] | None) -> None:
    """Quality KPIs, only when the plant has quality data worth a table."""
    yields = {k: v for k, v in (q or {}).get("first_pass_yield", {}).get("items", {}).items() if v < 1}
    if not q or not (q["open_ncrs"] or q["open_complaints"] or q["held_stock"] or yields):
        return
    table = Table(title=f"Quality (complaints and returns over the last {q['window_days']} days)", title_justify="left")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_column("behind it")
    details = q["details"]
    table.add_row("open NCRs", str(q["open_ncrs"]), ", ".join(f"{e['event_id']} {e['item_id']}" for e in details["open_ncrs"][:6]))
    table.add_row("open complaints and returns", str(q["open_complaints"]),
                  ", ".join(f"{e['event_id']} {e['customer_id'] or e['order_id'] or ''}".strip() for e in details["open_complaints"][:6]))
    held = ", ".join(f"{h['item_id']} {_num(h['qty'])} {h['status']}" + (f" {h['oldest_days']} d" if h["oldest_days"] is not None else "")
                     for h in q["held_stock"][:6])
    table.add_row("held stock (units)", _num(q["held_stock_qty"]), held)
    for kind in ("customers", "items"):
        for line in q["complaints_per_1000_shipped"][kind][:5]:
            rate = "–" if line["per_1000_shipped"] is None else _num(line["per_1000_shipped"])
            table.add_row(f"complaints+returns per 1,000 shipped: {line['key']}", rate,
                          f"{line['complaints'] + line['returns']} against {_num(line['shipped_qty'])} shipped")
    for item_id, value in sorted(yields.items(), key=lambda kv: kv[1])[:5]:
        table.add_row(f"first-pass yield: {item_id}", _pct(value), "")
    for resource_id, value in sorted(q["first_pass_yield"]["resources"].items(), key=lambda kv: kv[1])[:5]:
        if value < 1:
            table.add_row(f"first-pass yield on {resource_id}", _pct(value), "")
    stdout.print(table)


def _print_kpi(j: dict[str, Any]) -> None:
    d = j["details"]
    shipped = j["shipped_last_30_days"]
    on_time = sum(1 for s in d["shipped_last_30_days"] if s["on_time"])
    in_full = sum(1 for s in d["shipped_last_30_days"] if s["on_time"] and s["in_full"])
    accuracy = j["forecast_accuracy"]
    table = Table(title=f"KPIs as of {j['as_of']}", title_justify="left")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_column("behind it")
    table.add_row("on-time delivery, last 30 days", _pct(j["otd_last_30_days"]), f"{on_time} of {shipped} shipped orders")
    table.add_row("on time in full, last 30 days", _pct(j["otif_last_30_days"]), f"{in_full} of {shipped}")
    if j["period"]["days"] != 30:
        p = j["period"]
        table.add_row(f"on-time delivery, last {p['days']} days", _pct(p["otd"]), f"{p['on_time']} of {p['shipped']}")
    table.add_row("open orders (backlog)", str(j["backlog_orders"]), "")
    table.add_row(t(EN, "lateness.past_due"), str(j["late_open_orders"]), ", ".join(o["order_id"] for o in d["late_open"][:8]))
    table.add_row(t(EN, "lateness.finite_capacity"), str(j["projected_late_orders"]),
                  ", ".join(o["order_id"] for o in j["projected_late"][:8]))
    table.add_row(t(EN, "lateness.short_material"), str(j["at_risk_orders"]), ", ".join(o["order_id"] for o in d["at_risk"][:8]))
    table.add_row("shortages (MRP, 90 days)", str(j["shortages"]), ", ".join(sorted({s["item_id"] for s in d["shortages"]})[:8]))
    if accuracy:
        table.add_row("forecast WAPE / bias", f"{_pct(accuracy['wape'])} / {_pct(accuracy['bias'])}",
                      f"{accuracy['periods']} periods, {accuracy['items']} items")
    else:
        table.add_row("forecast WAPE / bias", "–", "no forecast period with actuals in the last 8 weeks")
    stdout.print(table)
    _print_quality(j.get("quality"))

    loads = Table(title=f"Utilisation, next 14 days ({d['utilization_note'] or j['utilization_source']})", title_justify="left")
    for column in ("resource", "utilisation", "load min", "available min"):
        loads.add_column(column, justify="left" if column == "resource" else "right")
    for r in d["utilization"]:
        flag = " (overloaded)" if r["overloaded"] else ""
        load = r["load_ratio"] if r["load_ratio"] is not None else r["utilization"]  # the true figure, not capped
        loads.add_row(r["resource_id"], _pct(load) + flag, _num(r["load_minutes"]), _num(r["available_minutes"]))
    stdout.print(loads)

    trend = Table(title="Weekly trend", title_justify="left")
    for column in ("week", "shipped", "OTD", "OTIF"):
        trend.add_column(column, justify="left" if column == "week" else "right")
    for w in j["trend"]:
        trend.add_row(f"{w['first_day']} – {w['last_day']}", str(w["shipped"]), _pct(w["otd"]), _pct(w["otif"]))
    stdout.print(trend)

    late = d["late_shipments_last_30_days"]
    if late:
        stdout.print("Shipped late: " + ", ".join(f"{s['order_id']} ({s['customer']}, {s['days_late']} d)" for s in late),
                     markup=False)


METHOD_NAMES = {
    "naive": "last week repeated",
    "average": "average of the weeks so far",
    "imapa": "intermittent demand (IMAPA)",
    "seasonal_naive": "same weeks of the last cycle",
    "auto_ets": "trend smoothing (ETS)",
}


def _method(name: str) -> str:
    return METHOD_NAMES.get(name, name)


def _print_forecast(j: dict[str, Any]) -> None:
    methods = ", ".join(f"{n} by {_method(m)}" for m, n in j["methods"].items()) or "none"
    items = f"{j['series']} item{'s' if j['series'] != 1 else ''}"
    stdout.print(f"Forecast from week {j['first_period']}, {j['horizon_weeks']} weeks, {items} ({methods})", markup=False)
    backtest = j["backtest"]
    if backtest:
        table = Table(title=f"Backtest: the last {backtest['holdout_weeks']} weeks held out, forecast from the weeks "
                            "before; WAPE = Σ|actual − forecast| / Σ actual (lower is better), against a naive "
                            "forecast (last week repeated)", title_justify="left")
        for column in ("method", "series", "WAPE", "naive WAPE"):
            table.add_column(column, justify="left" if column == "method" else "right")
        for method, row in backtest["by_method"].items():
            table.add_row(_method(method), str(row["series"]), _pct(row["wape"]), _pct(row["naive_wape"]))
        table.add_row("all", str(backtest["series"]), _pct(backtest["wape"]), _pct(backtest["naive_wape"]))
        stdout.print(table)
    else:
        from planning_core.forecasting import MIN_HOLDOUT_WEEKS, MIN_TRAIN_WEEKS  # pandas: only for forecasts

        stdout.print(f"Backtest: none, no item has {MIN_TRAIN_WEEKS + MIN_HOLDOUT_WEEKS} weeks of history yet.",
                     markup=False)
    if j["items"]:
        table = Table(title="Forecast (first weeks)", title_justify="left")
        weeks = [p["period_start"] for p in j["items"][0]["forecast"][:6]]
        for column in ("item", "method", *weeks):
            table.add_column(column, justify="left" if column in ("item", "method") else "right")
        for item in j["items"][:SHOWN_ROWS]:
            table.add_row(item["item_id"], _method(item["method"]), *[f"{p['qty']:,.0f}" for p in item["forecast"][:6]])
        stdout.print(table)
        _more(len(j["items"]))
    saved = j["saved"]
    if saved:
        kept = f"; {len(saved['kept_imported'])} items keep their imported forecast" if saved["kept_imported"] else ""
        stdout.print(f"saved {saved['rows']} rows for {saved['items']} items{kept}", markup=False)


def register(app: typer.Typer) -> None:
    commands.install(app)
