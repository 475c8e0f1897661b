"""Writes a `PlantSnapshot` as a plant folder in the CONTRACT section 1 format."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from pathlib import Path

from planning_core.model import PlantSnapshot


def write_plant_folder(snapshot: PlantSnapshot, folder: Path) -> None:
    """Writes every file of the format, optional ones too (header only when empty), so that
    writing over an older plant folder never leaves a stale file behind."""
    folder.mkdir(parents=True, exist_ok=True)
    s = snapshot
    toml = [f"name = {_toml_string(s.plant.name)}", f"timezone = {_toml_string(s.plant.timezone)}"]
    if s.plant.country:
        toml.append(f"country = {_toml_string(s.plant.country)}")
    (folder / "plant.toml").write_text("\n".join(toml) + "\n", encoding="utf-8")
    _write(folder / "calendars.csv", ("calendar_id", "weekday", "start", "end"), (
        (c.calendar_id, sh.weekday.value, sh.start, sh.end) for c in s.calendars.values() for sh in c.shifts
    ))
    exceptions = [e for c in s.calendars.values() for e in c.exceptions]
    _write(folder / "calendar_exceptions.csv", ("calendar_id", "date", "kind", "start", "end"), (
        (e.calendar_id, e.date, e.kind.value, e.start, e.end) for e in exceptions
    ))
    _write(folder / "resources.csv", ("resource_id", "name", "calendar_id", "units", "aliases"), (
        (r.resource_id, r.name, r.calendar_id, r.units, ";".join(r.aliases)) for r in s.resources.values()
    ))
    _write(folder / "items.csv", (
        "item_id", "name", "type", "uom", "lead_time_days", "safety_stock", "min_lot", "lot_multiple", "aliases",
    ), (
        (i.item_id, i.name, i.type.value, i.uom, i.lead_time_days, i.safety_stock, i.min_lot, i.lot_multiple, ";".join(i.aliases))
        for i in s.items.values()
    ))
    _write(folder / "bom.csv", ("parent_id", "component_id", "qty_per", "scrap_pct"), (
        (b.parent_id, b.component_id, b.qty_per, b.scrap_pct) for b in s.bom
    ))
    _write(folder / "routings.csv", (
        "item_id", "step", "resource_id", "setup_minutes", "run_minutes_per_unit", "setup_family", "yield_pct",
    ), (
        (r.item_id, r.step, "|".join(r.resource_ids), r.setup_minutes, r.run_minutes_per_unit, r.setup_family,
         r.yield_pct)
        for r in s.routings
    ))
    _write(folder / "setup_matrix.csv", ("from_family", "to_family", "setup_minutes"), (
        (c.from_family, c.to_family, c.setup_minutes) for c in s.setup_matrix
    ))
    _write(folder / "inventory.csv", ("item_id", "on_hand", "status", "release_date", "hold_date"), [
        *((item_id, qty, "available", None, None) for item_id, qty in s.inventory.items()),
        *((h.item_id, h.qty, h.status.value, h.release_date, h.hold_date) for h in s.held_stock),
    ])
    _write(folder / "purchase_orders.csv", ("po_id", "item_id", "qty", "due_date"), (
        (p.po_id, p.item_id, p.qty, p.due_date) for p in s.purchase_orders
    ))
    _write(folder / "work_orders.csv", ("wo_id", "item_id", "qty", "resource_id", "start", "end", "status"), (
        (w.wo_id, w.item_id, w.qty, w.resource_id, w.start, w.end, w.status.value) for w in s.work_orders
    ))
    _write(folder / "sales_orders.csv", (
        "order_id", "customer", "item_id", "qty", "requested_date", "promised_date", "priority", "status",
        "shipped_date", "shipped_qty", "owner",
    ), (
        (o.order_id, o.customer, o.item_id, o.qty, o.requested_date, o.promised_date, o.priority.value,
         o.status.value, o.shipped_date, o.shipped_qty, o.owner)
        for o in s.sales_orders
    ))
    _write(folder / "forecast.csv", ("item_id", "period_start", "qty"), (
        (f.item_id, f.period_start, f.qty) for f in s.forecast
    ))
    _write(folder / "users.csv", ("user_id", "name", "role", "language", "feishu_id"), (
        (u.user_id, u.name, u.role.value, u.language.value, u.feishu_id) for u in s.users.values()
    ))
    _write(folder / "quality_events.csv", (
        "event_id", "date", "kind", "item_id", "order_id", "customer_id", "qty", "status", "note",
    ), (
        (e.event_id, e.date, e.kind.value, e.item_id, e.order_id, e.customer_id, e.qty, e.status.value, e.note)
        for e in s.quality_events
    ))


def _write(path: Path, header: Sequence[str], rows: Iterable[Iterable[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow([_cell(value) for value in row])


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # whole numbers without ".0"; anything else exactly (`:g` would round 1234567 to 1.23457e+06)
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S" if value.second else "%Y-%m-%d %H:%M")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _toml_string(value: str) -> str:
    """A TOML basic string: JSON's escapes (quotes, backslashes, control characters) are TOML's too."""
    return json.dumps(value, ensure_ascii=False)
