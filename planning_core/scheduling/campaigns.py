"""Campaigns: batches of one item for several orders merged into one, so that the set-up is paid once.

Netting makes one batch per order and item. Where an item's routing has set-ups, orders
of the same priority whose due dates lie within `window_days` of the most urgent one are
served by one batch of their summed quantity (at most `max_orders` of them), provided their
materials are there no later than the most urgent one's (merging must not make it wait). Rush orders
are never merged (a rush waits for nobody), and neither are orders of different priority:
a merged batch finishes when its whole quantity is done, which must not hold a heavier
order back for a lighter one. Given the slack a first schedule without campaigns projects
for each order, only orders projected on time join, and only while the most urgent one's
slack covers the run time the others add to its batch. Every merged order keeps its own
demand, due date and weight, so the scheduler still measures each one's tardiness.

Sequence-dependent set-ups between families are the scheduler's part (`cpsat`): merging
is for what sequencing cannot save, such as steps without a family and machines with
several units.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from planning_core.model import PlantSnapshot, Priority
from planning_core.scheduling.plant_problem import BatchSpec, Explosion

MAX_WINDOW_DAYS = 28
MAX_ORDERS = 20


@dataclass(frozen=True, slots=True)
class CampaignPolicy:
    """How far apart (in due days) orders may be to share a batch, and how many may share one.
    `window_days` 0 merges nothing."""

    window_days: int = 3
    max_orders: int = 6

    def __post_init__(self) -> None:
        if not 0 <= self.window_days <= MAX_WINDOW_DAYS:
            raise ValueError(f"the campaign window must be 0 to {MAX_WINDOW_DAYS} days, not {self.window_days}")
        if not 2 <= self.max_orders <= MAX_ORDERS:
            raise ValueError(f"a campaign merges 2 to {MAX_ORDERS} orders, not {self.max_orders}")


NO_CAMPAIGNS = CampaignPolicy(window_days=0)


def merge_batches(explosion: Explosion, snapshot: PlantSnapshot, policy: CampaignPolicy, *,
                  slack: Mapping[str, int] | None = None) -> Explosion:
    """The explosion with the batches of each campaign merged (the same explosion if none is).
    `slack`: minutes each order is projected to finish before its due time (None: not known)."""
    if policy.window_days == 0:
        return explosion
    merged: dict[str, BatchSpec] = {}  # old batch id -> the merged batch that replaces it
    for campaign in _campaigns(explosion, snapshot, policy, slack):
        batch = _merged(campaign)
        for member in campaign:
            merged[member.batch_id] = batch
    if not merged:
        return explosion
    renamed = {old: batch.batch_id for old, batch in merged.items()}
    orders = []
    for exploded in explosion.orders:
        batches: dict[str, BatchSpec] = {}
        for batch in exploded.batches:
            chosen = merged.get(batch.batch_id, batch)
            chosen = replace(chosen, after=tuple(dict.fromkeys(renamed.get(b, b) for b in chosen.after)))
            batches.setdefault(chosen.batch_id, chosen)
        final = renamed.get(exploded.final_batch, exploded.final_batch) if exploded.final_batch else None
        orders.append(replace(exploded, batches=tuple(batches.values()), final_batch=final))
    return replace(explosion, orders=tuple(orders))


def _campaigns(explosion: Explosion, snapshot: PlantSnapshot, policy: CampaignPolicy,
               slack: Mapping[str, int] | None) -> list[list[BatchSpec]]:
    """Groups of two or more batches to merge: same item and priority, due dates within the window."""
    candidates: dict[tuple[str, Priority], list[tuple[date, int, BatchSpec]]] = defaultdict(list)
    for position, exploded in enumerate(explosion.orders):
        order = exploded.order
        if order.priority is Priority.RUSH or (slack is not None and slack.get(order.order_id, -1) < 0):
            continue
        for batch in exploded.batches:
            if any(step.setup_minutes > 0 for step in snapshot.routing_of.get(batch.item_id, ())):
                candidates[(batch.item_id, order.priority)].append((order.due_date, position, batch))
    campaigns: list[list[BatchSpec]] = []
    for key in sorted(candidates):
        group: list[BatchSpec] = []
        opened = date.min
        room = 0.0  # run minutes the campaign's most urgent order can still absorb
        for due, _, batch in sorted(candidates[key], key=lambda c: (c[0], c[1])):
            added = batch.qty * sum(step.run_minutes_per_unit * snapshot.started_per_good(batch.item_id, step.step)
                                    for step in snapshot.routing_of[batch.item_id])
            joins = (group and (due - opened).days <= policy.window_days and len(group) < policy.max_orders
                     and batch.release <= group[0].release  # a campaign waits for nobody's material
                     and added <= room)
            if joins:
                room -= added
            else:
                if len(group) > 1:
                    campaigns.append(group)
                group, opened = [], due
                room = float(slack[batch.order_id]) if slack is not None else float("inf")
            group.append(batch)
        if len(group) > 1:
            campaigns.append(group)
    return campaigns


def _merged(campaign: list[BatchSpec]) -> BatchSpec:
    """One batch for the whole campaign, pegged to its most urgent order (the first)."""
    lead = campaign[0]
    return BatchSpec(
        batch_id="+".join(b.order_id for b in campaign) + f"/{lead.item_id}",
        order_id=lead.order_id,
        item_id=lead.item_id,
        qty=sum(b.qty for b in campaign),
        release=max(b.release for b in campaign),
        after=tuple(dict.fromkeys(a for b in campaign for a in b.after)),
        shares=tuple((b.order_id, b.qty) for b in campaign),
    )
