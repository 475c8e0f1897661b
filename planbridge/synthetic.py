"""Synthetic plants for benchmarks and scale tests, deterministic for a seed.

`generate_plant` builds a plant whose bill of materials has exactly the requested
number of levels (end items at level 0, bought materials at the deepest level), a
routing of 1–3 steps for every made item, resources on 3–5 calendars, open orders
over the next ten weeks, a year of shipped order history and purchase orders.
Routing times are calibrated against the open order book. At the default target load
(`load=0.85`) each open order is its own batch, as the promise engine and the
scheduler plan it, bought materials are stocked for their lead time, and the busiest
resources carry about 85 % of their working time: most orders can be on time, and
promising is a real choice. `overload=True` is the earlier, much tighter plant (set-ups
counted once a week, materials stocked for a few weeks whatever their lead time): most
of its orders are late whatever the plan, which is the pathological case worth
benchmarking too.

`estimate_load` is the rough-cut capacity check used for that calibration (and by
the tests of the demo plant): open demand netted against stock, exploded through
the bill of materials and costed with the routings.
"""

from __future__ import annotations

import math
import random
import statistics
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, time, timedelta

from planning_core.calendars import TimeAxis, working_minutes
from planning_core.model import (
    BomLine,
    Calendar,
    CalendarException,
    ExceptionKind,
    Item,
    ItemType,
    Language,
    OrderStatus,
    PlantInfo,
    PlantSnapshot,
    Priority,
    PurchaseOrder,
    Resource,
    Role,
    RoutingStep,
    SalesOrder,
    ShiftInterval,
    User,
    Weekday,
)

HORIZON_DAYS = 70  # open orders are requested over the next ten weeks
HISTORY_DAYS = 364  # shipped orders over the past 52 weeks
HISTORY_RATIO = 1.5  # shipped history per open order
STEP_BOUNDS = (0.05, 240.0)
PLANT_TIMEZONE = "Asia/Shanghai"  # run minutes per unit a calibrated step may take


# -- rough-cut capacity ----------------------------------------------------------------------


@dataclass(frozen=True)
class NetDemand:
    """Quantity of one item still to be made for the open orders, and in how many weekly batches."""

    qty: float
    batches: int


def net_requirements(
    snapshot: PlantSnapshot, *, start: date, end: date, batch_per_order: bool = False
) -> dict[str, NetDemand]:
    """What must be made of each item for the open orders due by `end`, net of stock on hand.

    Stock is netted level by level from the top (no lot sizing, no safety stock): good
    enough to size capacity, not a material plan. Batches are one per order that needs
    the item (`batch_per_order`, as the promise engine and scheduler plan) or one per
    week in which any of them is due.
    """
    gross: dict[str, float] = defaultdict(float)
    batches: dict[str, set[str | int]] = defaultdict(set)  # the orders, or the weeks, each item is made for
    for order in snapshot.open_orders:
        if order.due_date <= end:
            gross[order.item_id] += order.qty
            batches[order.item_id].add(order.order_id if batch_per_order else max(0, (order.due_date - start).days) // 7)
    result: dict[str, NetDemand] = {}
    for item_id in snapshot.topological_order:
        need = max(0.0, gross.get(item_id, 0.0) - snapshot.inventory.get(item_id, 0.0))
        if need <= 0 or snapshot.items[item_id].type is ItemType.BUY:
            continue
        result[item_id] = NetDemand(need, len(batches[item_id]))
        for line in snapshot.components_of.get(item_id, ()):
            gross[line.component_id] += need * line.gross_qty_per
            batches[line.component_id] |= batches[item_id]
    return result


def calendar_minutes(plant: PlantInfo, calendars: dict[str, Calendar], *, start: date, end: date) -> dict[str, float]:
    """Working minutes of each calendar on days `start`..`end`."""
    axis = TimeAxis(origin_day=start, timezone=plant.timezone, days=(end - start).days + 1)
    return {
        calendar_id: sum(b - a for a, b in working_minutes(calendar, plant=plant, axis=axis))
        for calendar_id, calendar in calendars.items()
    }


def available_minutes(snapshot: PlantSnapshot, *, start: date, end: date) -> dict[str, float]:
    """Working minutes of each resource (times its units) on days `start`..`end`."""
    per_calendar = calendar_minutes(snapshot.plant, snapshot.calendars, start=start, end=end)
    return {rid: per_calendar.get(r.calendar_id, 0.0) * r.units for rid, r in snapshot.resources.items()}


def estimate_load(
    snapshot: PlantSnapshot, *, start: date, end: date, batch_per_order: bool = False
) -> dict[str, float]:
    """Share of each resource's working time on `start`..`end` that the open orders due by then need.

    A step with alternative resources is counted evenly on each of them.
    """
    demand = net_requirements(snapshot, start=start, end=end, batch_per_order=batch_per_order)
    needed = _minutes_by_resource(snapshot.routings, demand)
    available = available_minutes(snapshot, start=start, end=end)
    return {
        rid: (needed.get(rid, 0.0) / available[rid]) if available[rid] > 0 else (math.inf if needed.get(rid) else 0.0)
        for rid in snapshot.resources
    }


def _step_minutes(step: RoutingStep, demand: NetDemand) -> float:
    return step.setup_minutes * demand.batches + step.run_minutes_per_unit * demand.qty


def _minutes_by_resource(routings: tuple[RoutingStep, ...], demand: dict[str, NetDemand]) -> dict[str, float]:
    needed: dict[str, float] = defaultdict(float)
    for step in routings:
        if step.item_id in demand:
            share = _step_minutes(step, demand[step.item_id]) / len(step.resource_ids)
            for rid in step.resource_ids:
                needed[rid] += share
    return needed


# -- the generator ---------------------------------------------------------------------------


DEFAULT_LOAD = 0.85


def generate_plant(
    *, items: int = 2000, orders: int = 5000, resources: int = 50, levels: int = 4, seed: int = 0, anchor: date,
    load: float = DEFAULT_LOAD, overload: bool = False,
) -> PlantSnapshot:
    """A synthetic plant with `items` items on `levels` BOM levels, `resources` resources and
    `orders` open confirmed sales orders, as of `anchor`; the busiest resources carry about
    `load` of their working time (ignored with `overload`, see the module's docstring).
    The same arguments give the same plant."""
    if levels < 2:
        raise ValueError("levels must be at least 2 (end items and the materials they are made from)")
    if items < 2 * levels:
        raise ValueError(f"items must be at least {2 * levels} for {levels} levels")
    if resources < 1:
        raise ValueError("resources must be at least 1")
    if orders < 0:
        raise ValueError("orders must not be negative")
    if not 0.05 <= load <= 1.5:
        raise ValueError(f"load must be between 0.05 and 1.5 (a share of working time), got {load:g}")
    return _Generator(random.Random(seed), anchor=anchor, load=None if overload else load).build(
        items=items, orders=orders, resources=resources, levels=levels
    )


@dataclass(frozen=True)
class _Group:
    """A kind of resource: how it is named, which calendars and units it has, how long its steps take."""

    prefix: str
    name: str
    chinese: str
    calendars: tuple[str, ...]
    units: tuple[int, ...]
    run: tuple[float, float]  # base run minutes per unit, before calibration


_GROUPS = {
    "assembly": _Group("ASSY", "Assembly cell", "装配线", ("DAY", "LONG-DAY"), (1, 1, 2), (6, 40)),
    "test": _Group("TEST", "Test bench", "试压台", ("DAY",), (1,), (3, 18)),
    "paint": _Group("PAINT", "Paint booth", "喷漆房", ("DAY", "FOUR-DAY"), (2,), (2, 12)),
    "weld": _Group("WELD", "Welding cell", "焊接工位", ("TWO-SHIFT",), (1,), (5, 25)),
    "turn": _Group("CNC", "CNC lathe", "数控车床", ("TWO-SHIFT", "THREE-SHIFT"), (1,), (2, 30)),
    "mill": _Group("MILL", "Machining centre", "加工中心", ("TWO-SHIFT", "THREE-SHIFT"), (1,), (3, 35)),
    "grind": _Group("GRIND", "Grinder", "磨床", ("DAY", "TWO-SHIFT"), (1,), (2, 15)),
}
_FINISHING_GROUPS = ("test", "paint")  # steps after assembly of an end item
_ASSEMBLY_GROUPS = ("assembly", "weld")
_PART_GROUPS = ("turn", "mill", "grind")


@dataclass(frozen=True)
class _StepDraft:
    item_id: str
    step: int
    kind: str
    setup: float
    run: float
    work: float  # minutes the open orders need of this step at the base times


_FAMILIES = (("Gate valve", "闸阀"), ("Ball valve", "球阀"), ("Check valve", "止回阀"),
             ("Butterfly valve", "蝶阀"), ("Globe valve", "截止阀"), ("Control valve", "调节阀"),
             ("Plug valve", "旋塞阀"), ("Centrifugal pump", "离心泵"), ("Gear pump", "齿轮泵"))
_SUBASSEMBLIES = ("Bonnet assembly", "Actuator assembly", "Gear train", "Rotor assembly", "Frame weldment",
                  "Seal cartridge", "Yoke assembly", "Bearing housing assembly")
_PARTS = ("Body", "Bonnet", "Stem", "Disc", "Seat ring", "Shaft", "Impeller", "Cover", "Flange", "Bracket",
          "Bushing", "Housing", "Gland", "Yoke", "Sleeve")
_MATERIALS = (("Steel bar Ø{}", "kg"), ("Stainless bar Ø{}", "kg"), ("Plate S235 {} mm", "kg"),
              ("Casting blank {}", "pcs"), ("Forging blank {}", "pcs"))
_HARDWARE = (("Bolt M{}", "pcs"), ("O-ring {} mm", "pcs"), ("Bearing 6{}", "pcs"), ("Gasket DN{}", "pcs"),
             ("Spring {}", "pcs"), ("Electric actuator {} Nm", "pcs"), ("Hand wheel {}", "pcs"))
_CUSTOMERS = ("ACME", "Globex", "Initech", "Umbrella Water", "Stark Process", "Wayne Utilities", "Hooli Energy",
              "Vandelay Industries", "Soylent Foods", "Tyrell Chemicals", "Cyberdyne Systems", "Aperture Labs",
              "华东水务", "中石化", "北京燃气", "上海电气", "南方电网", "中海油", "长江水务", "宝武钢铁")
_CUSTOMER_SUFFIXES = ("", " Asia", " Europe", " Americas", " Projects")


class _Generator:
    def __init__(self, rng: random.Random, *, anchor: date, load: float | None) -> None:
        self.rng = rng
        self.anchor = anchor
        self.load = load  # None: the overload preset
        self.plant = PlantInfo(name="Synthetic valve and pump works", timezone=PLANT_TIMEZONE, country="CN")

    def build(self, *, items: int, orders: int, resources: int, levels: int) -> PlantSnapshot:
        by_level = self._items(items, levels)
        calendars = self._calendars()
        users = self._users()
        popularity = self._popularity([i.item_id for i in by_level[0]])
        customers = self._customers()
        open_orders = self._open_orders(orders, popularity, customers)
        history = self._history(round(orders * HISTORY_RATIO), popularity, customers)
        snapshot = PlantSnapshot(
            plant=self.plant,
            items={i.item_id: i for level in by_level for i in level},
            bom=self._bom(by_level),
            routings=(),
            calendars=calendars,
            resources={},
            users=users,
            sales_orders=self._number(history + open_orders + self._quotes(popularity, customers), users),
        )
        snapshot = self._stock(snapshot)
        # routings are sized to the work the order book brings, so generate them last
        demand = net_requirements(snapshot, start=self.anchor, end=self.horizon_end,
                                  batch_per_order=self.load is not None)
        capacity = calendar_minutes(snapshot.plant, calendars, start=self.anchor, end=self.horizon_end)
        drafts = self._step_drafts(by_level, demand)
        resource_map, groups = self._resources(resources, drafts, capacity)
        routings = self._assign(drafts, groups, resource_map, capacity)
        snapshot = replace(snapshot, resources=resource_map, routings=routings)
        return self._calibrate(snapshot, demand)

    @property
    def horizon_end(self) -> date:
        return self.anchor + timedelta(days=HORIZON_DAYS)

    # -- items and bill of materials ---------------------------------------------------------
    def _items(self, count: int, levels: int) -> list[list[Item]]:
        """Items per level: level 0 are end items, the deepest level bought materials."""
        weights = [1 + 0.5 * k for k in range(levels)]  # deeper levels hold more items
        sizes = [max(2, math.floor(count * w / sum(weights))) for w in weights]
        sizes[-1] += count - sum(sizes)
        result: list[list[Item]] = []
        serial = 0
        for level, size in enumerate(sizes):
            row: list[Item] = []
            for k in range(size):
                serial += 1
                bought = level == levels - 1 or (level > 0 and k % 5 == 4)  # 1 in 5 mid-level items is bought
                row.append(self._item(serial, level=level, deepest=level == levels - 1, bought=bought))
            result.append(row)
        return result

    def _item(self, serial: int, *, level: int, deepest: bool, bought: bool) -> Item:
        rng = self.rng
        if level == 0:
            family, chinese = rng.choice(_FAMILIES)
            size = rng.choice((25, 32, 40, 50, 65, 80, 100, 125, 150, 200, 250, 300))
            item = Item(f"FG-{serial:05d}", f"{family} DN{size} model {serial}", ItemType.MAKE,
                        aliases=(f"DN{size}{chinese} {serial}",))
        elif bought:
            pattern, uom = rng.choice(_MATERIALS if deepest else _HARDWARE)
            prefix = "RM" if deepest else "PC"
            name = pattern.format(rng.choice((8, 10, 12, 16, 20, 25, 30, 40, 60, 80, 100)))
            item = Item(f"{prefix}-{serial:05d}", f"{name} #{serial}", ItemType.BUY, uom=uom,
                        lead_time_days=rng.randint(5, 30))
        else:
            prefix, names = ("SA", _SUBASSEMBLIES) if level == 1 else ("PT", _PARTS)
            item = Item(f"{prefix}-{serial:05d}", f"{rng.choice(names)} {serial}", ItemType.MAKE)
        return self._with_lots(item)

    def _with_lots(self, item: Item) -> Item:
        """Safety stock on some items; minimum lots and lot multiples on some more."""
        rng = self.rng
        made = item.type is ItemType.MAKE
        if rng.random() < 0.15:
            item = replace(item, safety_stock=float(rng.choice((5, 10, 20, 50))))
        if rng.random() < (0.2 if made else 0.4):
            multiple = float(rng.choice((5, 10, 25, 50) if made else (10, 50, 100)))
            item = replace(item, lot_multiple=multiple, min_lot=multiple * rng.choice((1, 2, 4)))
        return item

    def _bom(self, by_level: list[list[Item]]) -> tuple[BomLine, ...]:
        """Every item below level 0 is used by some made item one level up; each made item has
        1–3 components from there (so parts are shared, but not by everyone), and some also take
        a bought material from the deepest level directly."""
        rng = self.rng
        lines: dict[tuple[str, str], BomLine] = {}
        deepest = by_level[-1]
        for level in range(len(by_level) - 1):
            parents = [i for i in by_level[level] if i.type is ItemType.MAKE]
            children = list(by_level[level + 1])
            rng.shuffle(children)
            count: dict[str, int] = defaultdict(int)
            for k, child in enumerate(children):
                parent = parents[k % len(parents)]
                count[parent.item_id] += self._add_line(lines, parent, child)
            for parent in parents:
                for child in rng.sample(children, min(len(children), max(0, rng.randint(1, 3) - count[parent.item_id]))):
                    self._add_line(lines, parent, child)
                if level < len(by_level) - 2 and rng.random() < 0.3:
                    self._add_line(lines, parent, rng.choice(deepest))
        return tuple(lines.values())

    def _add_line(self, lines: dict[tuple[str, str], BomLine], parent: Item, child: Item) -> int:
        """Adds parent → child unless it is there already; returns how many lines were added."""
        rng = self.rng
        if (parent.item_id, child.item_id) in lines:
            return 0
        if child.uom == "kg":
            qty = round(rng.uniform(0.2, 6.0), 2)
        else:
            qty = float(rng.choice((1, 1, 1, 1, 1, 1, 1, 2, 2, 4)) if child.type is ItemType.MAKE
                        else rng.choice((1, 1, 2, 4, 6, 8)))
        scrap = float(rng.choice((1, 2, 3, 5))) if rng.random() < 0.25 else 0.0
        lines[(parent.item_id, child.item_id)] = BomLine(parent.item_id, child.item_id, qty, scrap)
        return 1

    # -- calendars, resources, routings ------------------------------------------------------
    def _calendars(self) -> dict[str, Calendar]:
        rng = self.rng
        weekdays = list(Weekday)

        def weekly(days: int, *spans: tuple[time, time]) -> tuple[ShiftInterval, ...]:
            return tuple(ShiftInterval(day, a, b) for day in weekdays[:days] for a, b in spans)

        calendars = {
            "DAY": weekly(5, (time(8), time(12)), (time(13), time(17))),  # lunch break
            "TWO-SHIFT": weekly(6, (time(6), time(14)), (time(14), time(22))),
            "THREE-SHIFT": weekly(5, (time(6), time(14)), (time(14), time(22)), (time(22), time(6))),
        }
        optional = {
            "LONG-DAY": weekly(5, (time(7), time(11, 30)), (time(12), time(16, 30))),
            "FOUR-DAY": weekly(4, (time(6), time(10)), (time(10, 30), time(16, 30))),
        }
        for name in rng.sample(sorted(optional), rng.randint(0, 2)):
            calendars[name] = optional[name]
        exceptions = self._exceptions()
        return {cid: Calendar(cid, shifts, exceptions.get(cid, ())) for cid, shifts in calendars.items()}

    def _exceptions(self) -> dict[str, tuple[CalendarException, ...]]:
        anchor = self.anchor
        closed = anchor + timedelta(days=17 + (-(anchor + timedelta(days=17)).weekday() % 7))  # a Monday
        saturday = anchor + timedelta(days=(5 - anchor.weekday()) % 7 + 7)
        return {
            "DAY": (
                CalendarException("DAY", closed, ExceptionKind.CLOSED),
                CalendarException("DAY", saturday, ExceptionKind.OPEN, time(8), time(12)),
            ),
            "TWO-SHIFT": (
                CalendarException("TWO-SHIFT", closed + timedelta(days=2), ExceptionKind.CLOSED, time(6), time(14)),
                CalendarException("TWO-SHIFT", saturday + timedelta(days=1), ExceptionKind.OPEN, time(6), time(14)),
            ),
        }

    def _step_drafts(self, by_level: list[list[Item]], demand: dict[str, NetDemand]) -> list[_StepDraft]:
        """Routing steps of every made item with base times, before resources are chosen."""
        rng = self.rng
        drafts = []
        for level, row in enumerate(by_level):
            for item in (i for i in row if i.type is ItemType.MAKE):
                count = rng.choice((1, 2, 2, 3))
                if level == 0:
                    kinds = ["assembly"] + [rng.choice(_FINISHING_GROUPS) for _ in range(count - 1)]
                elif level == 1:
                    kinds = [rng.choice(_ASSEMBLY_GROUPS)] + [rng.choice(_PART_GROUPS) for _ in range(count - 1)]
                else:
                    kinds = [rng.choice(_PART_GROUPS) for _ in range(count)]
                need = demand.get(item.item_id, NetDemand(0.0, 0))
                for n, kind in enumerate(kinds, start=1):
                    low, high = _GROUPS[kind].run
                    setup, run = float(rng.choice((10, 15, 20, 30, 45, 60))), round(rng.uniform(low, high), 1)
                    drafts.append(_StepDraft(item.item_id, n * 10, kind, setup, run, setup * need.batches + run * need.qty))
        return drafts

    def _resources(
        self, count: int, drafts: list[_StepDraft], capacity: dict[str, float]
    ) -> tuple[dict[str, Resource], dict[str, list[str]]]:
        """Resources of each kind in proportion to the work of that kind, each on a calendar its kind uses."""
        rng = self.rng
        work: dict[str, float] = defaultdict(float)
        for draft in drafts:
            work[draft.kind] += draft.work
        usable = {g: [c for c in spec.calendars if c in capacity] or ["DAY"] for g, spec in _GROUPS.items()}
        machines_needed = {
            g: work[g] / (statistics.fmean(capacity[c] for c in usable[g]) * statistics.fmean(spec.units))
            for g, spec in _GROUPS.items() if work[g] > 0
        }
        # without any open orders there is no work to size by: spread the machines evenly
        counts = _apportion(count, machines_needed or dict.fromkeys(_GROUPS, 1.0))
        result: dict[str, Resource] = {}
        groups: dict[str, list[str]] = {}
        for g, spec in _GROUPS.items():
            groups[g] = []
            for k in range(1, counts.get(g, 0) + 1):
                rid = f"{spec.prefix}-{k:02d}"
                result[rid] = Resource(rid, f"{spec.name} {k}", rng.choice(usable[g]), rng.choice(spec.units),
                                       (f"{spec.chinese}{k}",))
                groups[g].append(rid)
        # with very few resources some kinds have none: their work goes to whatever exists
        everyone = list(result)
        return result, {g: ids or everyone for g, ids in groups.items()}

    def _assign(self, drafts: list[_StepDraft], groups: dict[str, list[str]], resources: dict[str, Resource],
                capacity: dict[str, float]) -> tuple[RoutingStep, ...]:
        """Biggest steps first onto the least-loaded resource of their kind (so no machine starts
        out hopeless); 30 % of steps also name one or two alternatives of the same kind."""
        rng = self.rng
        cap = {rid: max(capacity[r.calendar_id] * r.units, 1.0) for rid, r in resources.items()}
        load = dict.fromkeys(resources, 0.0)
        chosen: dict[int, tuple[str, ...]] = {}
        for index in sorted(range(len(drafts)), key=lambda k: -drafts[k].work):
            draft = drafts[index]
            pool = groups[draft.kind]
            first = min(pool, key=lambda rid: ((load[rid] + draft.work) / cap[rid], rid))
            alternatives = [first]
            if len(pool) > 1 and rng.random() < 0.3:
                others = [rid for rid in pool if rid != first]
                alternatives += rng.sample(others, min(len(others), rng.choice((1, 1, 2))))
            for rid in alternatives:
                load[rid] += draft.work / len(alternatives)
            chosen[index] = tuple(alternatives)
        return tuple(
            RoutingStep(d.item_id, d.step, chosen[k], d.setup, d.run) for k, d in enumerate(drafts)
        )

    # -- customers, users and orders ---------------------------------------------------------
    def _users(self) -> dict[str, User]:
        people = (
            ("U01SALES1", "Mia Carter", Role.SALES, Language.EN), ("U01SALES2", "李娜", Role.SALES, Language.ZH),
            ("U01SALES3", "Noah Schmidt", Role.SALES, Language.EN), ("U01SALES4", "张伟", Role.SALES, Language.ZH),
            ("U01PROD1", "王强", Role.PRODUCTION, Language.ZH), ("U01PROD2", "Tom Becker", Role.PRODUCTION, Language.EN),
            ("U01PLAN1", "Sam Rivera", Role.PLANNER, Language.EN), ("U01PLAN2", "陈静", Role.PLANNER, Language.ZH),
            ("U01ADMIN1", "Alex Kim", Role.ADMIN, Language.EN),
        )
        return {uid: User(uid, name, role, language) for uid, name, role, language in people}

    def _popularity(self, end_items: list[str]) -> tuple[list[str], list[float]]:
        """A long tail: a few end items sell often, most rarely."""
        shuffled = list(end_items)
        self.rng.shuffle(shuffled)
        return shuffled, [1.0 / (rank + 1) ** 0.8 for rank in range(len(shuffled))]

    def _customers(self) -> tuple[list[str], list[float]]:
        names = [base + suffix for base in _CUSTOMERS for suffix in _CUSTOMER_SUFFIXES]
        self.rng.shuffle(names)
        return names, [1.0 / (rank + 1) ** 0.6 for rank in range(len(names))]

    def _qty(self) -> float:
        qty = self.rng.lognormvariate(math.log(8), 0.8)
        return float(max(1, round(qty / 5) * 5 if qty > 20 else round(qty)))

    def _priority(self) -> Priority:
        roll = self.rng.random()
        return Priority.RUSH if roll < 0.03 else Priority.HIGH if roll < 0.15 else Priority.NORMAL

    def _open_orders(self, count: int, popularity: tuple[list[str], list[float]],
                     customers: tuple[list[str], list[float]]) -> list[SalesOrder]:
        rng = self.rng
        chosen = rng.choices(popularity[0], popularity[1], k=count)
        buyers = rng.choices(customers[0], customers[1], k=count)
        result = []
        for item_id, customer in zip(chosen, buyers, strict=True):
            requested = _weekday(self.anchor + timedelta(days=rng.randint(3, HORIZON_DAYS)))
            promised = requested if rng.random() < 0.7 else _weekday(requested + timedelta(days=rng.randint(1, 10)))
            result.append(SalesOrder("", customer, item_id, self._qty(), requested, promised, self._priority()))
        return result

    def _history(self, count: int, popularity: tuple[list[str], list[float]],
                 customers: tuple[list[str], list[float]]) -> list[SalesOrder]:
        """Shipped orders of the past year with a yearly season and slight growth; most on time."""
        rng = self.rng
        result: list[SalesOrder] = []
        yesterday = self.anchor - timedelta(days=1)
        while len(result) < count:
            age = rng.randint(1, HISTORY_DAYS)
            requested = self.anchor - timedelta(days=age)
            season = 1 + 0.25 * math.sin(2 * math.pi * requested.timetuple().tm_yday / 365.25)
            growth = 1 - 0.15 * age / HISTORY_DAYS
            if rng.random() * 1.25 > season * growth:
                continue
            requested = _weekday(requested, back=True)
            promised = requested if rng.random() < 0.8 else _weekday(requested + timedelta(days=rng.randint(1, 5)))
            delay = rng.randint(-3, 0) if rng.random() < 0.82 else rng.randint(1, 10)
            shipped = min(yesterday, promised + timedelta(days=delay))
            qty = self._qty()
            shipped_qty = qty if rng.random() > 0.03 or qty < 5 else float(math.floor(qty * rng.uniform(0.8, 0.95)))
            result.append(SalesOrder(
                "", rng.choices(customers[0], customers[1])[0], rng.choices(popularity[0], popularity[1])[0], qty,
                requested, promised, self._priority(), OrderStatus.SHIPPED, shipped, shipped_qty,
            ))
        return result

    def _quotes(self, popularity: tuple[list[str], list[float]],
                customers: tuple[list[str], list[float]]) -> list[SalesOrder]:
        """A few open quotes and cancelled orders: not in the order book, but in the data."""
        rng = self.rng
        result: list[SalesOrder] = []
        for status in (OrderStatus.QUOTED,) * 10 + (OrderStatus.CANCELLED,) * 5:
            requested = _weekday(self.anchor + timedelta(days=rng.randint(7, HORIZON_DAYS)))
            result.append(SalesOrder("", rng.choices(customers[0], customers[1])[0],
                                     rng.choices(popularity[0], popularity[1])[0], self._qty(), requested,
                                     None if status is OrderStatus.QUOTED else requested, status=status))
        return result

    def _number(self, orders: list[SalesOrder], users: dict[str, User]) -> tuple[SalesOrder, ...]:
        """Order ids in booking order (by requested date), each with a sales rep as owner."""
        reps = [u.user_id for u in users.values() if u.role is Role.SALES]
        ordered = sorted(orders, key=lambda o: (o.requested_date, o.customer, o.item_id, o.qty))
        return tuple(
            replace(o, order_id=f"SO-{n:06d}", owner=reps[_stable_hash(o.customer) % len(reps)])
            for n, o in enumerate(ordered, start=1)
        )

    # -- stock, purchase orders and capacity calibration -------------------------------------
    def _stock(self, snapshot: PlantSnapshot) -> PlantSnapshot:
        """On-hand stock of about a week of demand for made items and a few weeks for bought
        ones; purchase orders on their way for some bought items."""
        rng = self.rng
        weekly = {k: v / (HORIZON_DAYS / 7) for k, v in _gross_open_demand(snapshot).items()}
        inventory: dict[str, float] = {}
        purchases: list[PurchaseOrder] = []
        for item_id, item in snapshot.items.items():
            need = weekly.get(item_id, 0.0)
            if rng.random() < 0.2 and (item.type is ItemType.MAKE or self.load is None):
                continue  # nothing in stock
            if item.type is ItemType.MAKE:
                weeks = rng.uniform(0.0, 0.5) if snapshot.low_level_codes[item_id] == 0 else rng.uniform(0.5, 1.5)
            elif self.load is None:
                weeks = rng.uniform(1.0, 4.0)
            else:  # a buyer keeps what the lead time takes to replenish, and a little more
                weeks = item.lead_time_days / 7 + rng.uniform(0.5, 1.5)
            inventory[item_id] = _rounded(need * weeks, item)
            if item.type is ItemType.BUY and need > 0 and rng.random() < 0.4:
                due = self.anchor + timedelta(days=rng.randint(1, max(1, item.lead_time_days)))
                qty = max(item.min_lot, _rounded(need * rng.uniform(2.0, 4.0), item))
                purchases.append(PurchaseOrder(f"PO-{len(purchases) + 1:06d}", item_id, qty, due))
        return replace(snapshot, inventory=inventory, purchase_orders=tuple(purchases))

    def _calibrate(self, snapshot: PlantSnapshot, demand: dict[str, NetDemand]) -> PlantSnapshot:
        """Scale routing times so each resource carries its target share of working time."""
        rng = self.rng
        available = available_minutes(snapshot, start=self.anchor, end=self.horizon_end)
        # about a third of the resources are the busy ones (at least one), the rest have room
        busy = set(rng.sample(sorted(snapshot.resources), max(1, round(len(snapshot.resources) * 0.35))))
        if self.load is None:
            busy_share, idle_share = (0.75, 0.92), (0.35, 0.7)
        else:
            busy_share, idle_share = (0.9 * self.load, self.load), (0.4 * self.load, 0.8 * self.load)
        target = {
            rid: rng.uniform(*busy_share) if rid in busy else rng.uniform(*idle_share) for rid in sorted(snapshot.resources)
        }
        routings = snapshot.routings
        for _ in range(4):  # alternatives couple resources: a few rounds settle them
            needed = _minutes_by_resource(routings, demand)
            factor = {rid: target[rid] * available[rid] / needed[rid] if needed.get(rid) else 1.0
                      for rid in snapshot.resources}
            routings = tuple(_scaled(step, sum(factor[r] for r in step.resource_ids) / len(step.resource_ids))
                             for step in routings)
        return replace(snapshot, routings=routings)


def _scaled(step: RoutingStep, factor: float) -> RoutingStep:
    run = min(max(step.run_minutes_per_unit * factor, STEP_BOUNDS[0]), STEP_BOUNDS[1])
    # setups shrink less than run times: a fast machine still needs its changeover
    setup = min(max(step.setup_minutes * min(math.sqrt(factor), 2.0), 5.0), 240.0)
    return replace(step, setup_minutes=float(round(setup)), run_minutes_per_unit=round(run, 2))


def _apportion(total: int, weights: dict[str, float]) -> dict[str, int]:
    """`total` split in proportion to `weights` (largest remainder), at least 1 each while that fits."""
    names = sorted(weights, key=lambda k: (-weights[k], k))
    if total < len(names):
        return dict.fromkeys(names[:total], 1)
    counts = dict.fromkeys(names, 1)
    spare = total - len(names)
    whole = sum(weights.values()) or 1.0
    exact = {k: spare * weights[k] / whole for k in names}
    for k in names:
        counts[k] += math.floor(exact[k])
    by_remainder = sorted(names, key=lambda k: (-(exact[k] - math.floor(exact[k])), k))
    for k in by_remainder[: total - sum(counts.values())]:
        counts[k] += 1
    return counts


def _gross_open_demand(snapshot: PlantSnapshot) -> dict[str, float]:
    """Total quantity of each item the open orders need, exploded through the BOM without netting."""
    gross: dict[str, float] = defaultdict(float)
    for order in snapshot.open_orders:
        gross[order.item_id] += order.qty
    for item_id in snapshot.topological_order:
        need = gross.get(item_id, 0.0)
        if need and snapshot.items[item_id].type is ItemType.MAKE:
            for line in snapshot.components_of.get(item_id, ()):
                gross[line.component_id] += need * line.gross_qty_per
    return gross


def _rounded(qty: float, item: Item) -> float:
    if item.uom == "kg":
        return float(round(qty, 1))
    step = item.lot_multiple if item.lot_multiple > 1 else 1.0
    return float(math.ceil(qty / step) * step) if qty > 0 else 0.0


def _weekday(day: date, *, back: bool = False) -> date:
    """The day itself, or the Monday after (the Friday before) when it falls on a weekend."""
    if day.weekday() < 5:
        return day
    return day - timedelta(days=day.weekday() - 4) if back else day + timedelta(days=7 - day.weekday())


def _stable_hash(text: str) -> int:
    """A stable hash (Python's `hash` of a str changes between runs)."""
    value = 0
    for char in text:
        value = (value * 31 + ord(char)) % 1_000_003
    return value
