"""Exception messages: what the planner should do about planned orders and open receipts."""

from __future__ import annotations

import numpy as np

from planning_core.model import ItemType, PlantSnapshot
from planning_core.mrp.grid import Grid
from planning_core.mrp.inputs import ItemArrays, Receipt
from planning_core.mrp.leadtime import LeadTimes
from planning_core.mrp.netting import EPS, Matrices
from planning_core.mrp.results import MessageKind, MrpMessage, PlannedOrder, rounded

PUSH_OUT_MIN_DAYS = 7  # dampening: moving a receipt out by a few days is not worth a message


def planned_order_messages(orders: list[PlannedOrder], grid: Grid, snapshot: PlantSnapshot) -> list[MrpMessage]:
    messages = []
    first_bucket_end = grid.bucket_start(1) if grid.buckets > 1 else grid.date_of(grid.days)
    for p in orders:
        if not p.past_due and p.release_date >= first_bucket_end:
            continue
        uom = snapshot.items[p.item_id].uom
        verb = "buy" if p.type is ItemType.BUY else "make"
        if p.past_due:
            late = (p.due_date - p.need_date).days
            messages.append(MrpMessage(
                MessageKind.PAST_DUE, p.item_id, None,
                f"{verb} {rounded(p.qty)} {uom} needed {p.need_date.isoformat()}: release now; "
                f"the lead time ({_lead(p)}) brings it on {p.due_date.isoformat()}, {late} day{'s' if late != 1 else ''} late",
                p.release_date,
            ))
        elif p.release_date < first_bucket_end:
            messages.append(MrpMessage(
                MessageKind.RELEASE_NOW, p.item_id, None,
                f"release: {verb} {rounded(p.qty)} {uom} on {p.release_date.isoformat()}, due {p.due_date.isoformat()}",
                p.release_date,
            ))
    return messages


def _lead(p: PlannedOrder) -> str:
    unit = "days" if p.type is ItemType.BUY else "working days"
    return f"{p.lead_time_days} {unit}"


def receipt_messages(
    receipts: list[Receipt], items: ItemArrays, matrices: Matrices, grid: Grid, snapshot: PlantSnapshot
) -> list[MrpMessage]:
    """Overdue receipts, and for each open PO whether it should come earlier, later or not at all.

    Receipt k of an item is needed in the first bucket where on hand plus the receipts due
    before it (in due-date order) no longer cover the cumulative gross requirements plus
    safety stock. Planned orders are left out: they exist only because of such gaps.
    Expedite when that bucket is earlier than the due date's; push out when it is at least
    a week later; cancel when there is none in the horizon.
    """
    messages = []
    for row in (r for r in receipts if r.day < 0):
        if row.kind == "hold":
            messages.append(MrpMessage(
                MessageKind.OVERDUE_RECEIPT, items.ids[row.item], row.ref,
                f"{rounded(row.qty)} on quality hold were to be released {row.due_date.isoformat()}: "
                "ask quality (counted as released today)",
                grid.as_of,
            ))
            continue
        noun = "purchase order" if row.kind == "po" else "work order"
        messages.append(MrpMessage(
            MessageKind.OVERDUE_RECEIPT, items.ids[row.item], row.ref,
            f"{noun} {row.ref} for {rounded(row.qty)} was due {row.due_date.isoformat()}: chase it (counted as arriving today)",
            grid.as_of,
        ))
    return messages + _reschedule(receipts, items, matrices, grid)


def _reschedule(receipts: list[Receipt], items: ItemArrays, matrices: Matrices, grid: Grid) -> list[MrpMessage]:
    """Receipts come sorted by item, then due day."""
    item = np.array([r.item for r in receipts], dtype=np.int64)
    qty = np.array([r.qty for r in receipts], dtype=np.float64)
    cumulative = np.cumsum(qty)
    first_of_item = np.r_[True, item[1:] != item[:-1]] if item.size else np.zeros(0, dtype=bool)
    group_start = np.maximum.accumulate(np.where(first_of_item, np.arange(item.size), 0))
    earlier = cumulative - qty - (cumulative[group_start] - qty[group_start])  # receipts due before it
    cover = items.on_hand[item] + earlier - items.safety_stock[item]
    gross_to_date = np.cumsum(matrices.gross, axis=1)[item]
    # gross requirements only grow, so the first uncovered bucket is a count
    needed_at = (gross_to_date <= cover[:, None] + EPS).sum(axis=1)
    due_bucket = grid.bucket_of_days(np.array([r.day for r in receipts], dtype=np.int64))
    messages = []
    for row, need, due in zip(receipts, needed_at.tolist(), due_bucket.tolist(), strict=True):
        if row.kind != "po":
            continue
        item_id = items.ids[row.item]
        if need >= grid.buckets:
            messages.append(MrpMessage(
                MessageKind.CANCEL, item_id, row.ref,
                f"purchase order {row.ref} ({rounded(row.qty)}, due {row.due_date.isoformat()}) is not needed "
                f"within the {grid.days}-day horizon: cancel it",
            ))
        elif need < due:
            when = grid.bucket_start(need)
            messages.append(MrpMessage(
                MessageKind.EXPEDITE, item_id, row.ref,
                f"purchase order {row.ref} is due {row.due_date.isoformat()} but needed {when.isoformat()}: expedite it",
                when,
            ))
        elif need > due and (need * grid.bucket_days - max(row.day, 0)) >= PUSH_OUT_MIN_DAYS:
            when = grid.bucket_start(need)
            messages.append(MrpMessage(
                MessageKind.PUSH_OUT, item_id, row.ref,
                f"purchase order {row.ref} is due {row.due_date.isoformat()} but not needed until {when.isoformat()}: "
                "push it out",
                when,
            ))
    return messages


def stock_messages(items: ItemArrays, lead: LeadTimes, matrices: Matrices, grid: Grid, snapshot: PlantSnapshot) -> list[MrpMessage]:
    """Dips under safety stock that are not stock-outs, made items without routing or without capacity."""
    messages = []
    available = matrices.available
    dip = (available >= -EPS) & (available < items.safety_stock[:, None] - EPS)
    for item in np.flatnonzero(dip.any(axis=1)).tolist():
        first = int(dip[item].argmax())
        messages.append(MrpMessage(
            MessageKind.BELOW_SAFETY_STOCK, items.ids[item], None,
            f"projected stock {rounded(available[item, first])} is below safety stock "
            f"{rounded(items.safety_stock[item])} from {grid.bucket_start(first).isoformat()}",
            grid.bucket_start(first),
        ))
    planned = matrices.planned_receipts.any(axis=1) | (available < -EPS).any(axis=1)
    for item in np.flatnonzero(planned & items.is_make).tolist():
        item_id = items.ids[item]
        if lead.no_capacity[item]:
            messages.append(MrpMessage(
                MessageKind.NO_CAPACITY, item_id, None,
                "a resource of its routing has no working time in the horizon: it cannot be made",
            ))
        elif not snapshot.routing_of.get(item_id):
            messages.append(MrpMessage(
                MessageKind.NO_ROUTING, item_id, None, "made item without a routing: planned with no lead time",
            ))
    return messages
