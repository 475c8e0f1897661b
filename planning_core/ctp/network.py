"""The plant as a flow network: stock points linked by routing steps on resources.

Every item has a stock point (its inventory); a made item with several routing
steps also has a work-in-progress point after each step but the last. An *arc*
is one routing step on one of its alternative resources: it takes units out of
the previous point (or, for the first step, `gross_qty_per` of every component)
and puts them into the next, using `minutes_per_unit` of the resource.

A step's yield (below 100%: some units started come out scrap) is folded into its arcs: an
arc's flow is counted in *good* units out of the step, so it consumes `1 / yield` of its input
per unit and spends `run_minutes_per_unit / yield` of the resource on it. The plan's operations
report the units *started* (`flow / yield`), which is what the checker verifies.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from planning_core.model import ItemType, PlantSnapshot


@dataclass(frozen=True, slots=True)
class Arc:
    item_id: str
    step: int
    step_index: int  # 0-based position in the item's routing
    resource_id: str
    run_minutes: float  # per good unit out: the step's run minutes over its yield
    setup_minutes: float
    inputs: tuple[tuple[int, float], ...]  # (stock point, units consumed per unit made)
    output: int  # stock point that receives the made units
    is_last_step: bool
    # Steps with a set-up have two arcs per resource: one for the demand being quoted
    # (its own batch, its own set-up) and one shared by the confirmed orders.
    foreground: bool = False
    yield_fraction: float = 1.0  # good units out per unit started

    def started(self, good: float) -> float:
        """Units started on the arc to make `good` units out of it."""
        return good / self.yield_fraction


@dataclass(frozen=True)
class Network:
    points: tuple[tuple[str, int | None], ...]  # (item, None) = inventory; (item, k) = WIP after step index k
    arcs: tuple[Arc, ...]

    @cached_property
    def point_index(self) -> dict[tuple[str, int | None], int]:
        return {p: k for k, p in enumerate(self.points)}

    def inventory_point(self, item_id: str) -> int:
        return self.point_index[(item_id, None)]

    @cached_property
    def arcs_of_item(self) -> dict[str, tuple[int, ...]]:
        grouped: dict[str, list[int]] = {}
        for k, arc in enumerate(self.arcs):
            grouped.setdefault(arc.item_id, []).append(k)
        return {item: tuple(v) for item, v in grouped.items()}


def build_network(snapshot: PlantSnapshot, items: frozenset[str] | None = None) -> Network:
    """The network over `items` (all items when None); components outside it are not expanded."""
    chosen = [i for i in snapshot.topological_order if items is None or i in items]
    points: list[tuple[str, int | None]] = [(item_id, None) for item_id in chosen]
    for item_id in chosen:
        steps = snapshot.routing_of.get(item_id, ())
        if snapshot.items[item_id].type is ItemType.MAKE:
            points.extend((item_id, k) for k in range(len(steps) - 1))
    index = {p: k for k, p in enumerate(points)}
    arcs: list[Arc] = []
    for item_id in chosen:
        if snapshot.items[item_id].type is not ItemType.MAKE:
            continue
        steps = snapshot.routing_of.get(item_id, ())
        components = tuple(
            (index[(line.component_id, None)], line.gross_qty_per)
            for line in snapshot.components_of.get(item_id, ())
            if (line.component_id, None) in index
        )
        for k, step in enumerate(steps):
            y = step.yield_fraction
            inputs = tuple((point, per / y) for point, per in components) if k == 0 else ((index[(item_id, k - 1)], 1.0 / y),)
            output = index[(item_id, None)] if k == len(steps) - 1 else index[(item_id, k)]
            classes = (False, True) if step.setup_minutes > 0 else (False,)
            for resource_id in step.resource_ids:
                for foreground in classes:
                    arcs.append(
                        Arc(item_id, step.step, k, resource_id, step.run_minutes_per_unit / y, step.setup_minutes,
                            inputs, output, k == len(steps) - 1, foreground, y)
                    )
    return Network(tuple(points), tuple(arcs))
