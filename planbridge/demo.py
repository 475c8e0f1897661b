"""The built-in demo plant: Eastbridge Valve Works, a make-to-order valve maker near Shanghai.

Every date is relative to `anchor` (the demo's "today") so the demo never goes stale.
Order dates are counted in working days (Mon–Fri), so an order that was shipped two
working days late stays late whatever weekday the anchor falls on.

The numbers are meant to look like a real shop: the assembly line, the pressure test
bench and the machining centre carry roughly 60–90 % of their working time over the
next weeks; one order is already past due, a few are tight on material or capacity,
the rest are comfortable.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from planning_core.model import (
    BomLine,
    Calendar,
    CalendarException,
    ExceptionKind,
    ForecastEntry,
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
    WorkOrder,
    WorkOrderStatus,
)

PLANT = PlantInfo(name="Eastbridge Valve Works", timezone="Asia/Shanghai", country="CN")

MAKE, BUY = ItemType.MAKE, ItemType.BUY

# item_id, name, type, uom, lead_time_days, safety_stock, min_lot, lot_multiple, aliases
_ITEMS: tuple[tuple[str, str, ItemType, str, int, float, float, float, str], ...] = (
    # finished valves
    ("DN100-GATE", "DN100 gate valve", MAKE, "pcs", 0, 10, 0, 1, "gate valve DN100;DN100闸阀;闸阀;gate valve"),
    ("DN80-BALL", "DN80 ball valve", MAKE, "pcs", 0, 20, 0, 1, "ball valve DN80;DN80球阀;球阀;ball valve"),
    ("DN50-CHECK", "DN50 check valve", MAKE, "pcs", 0, 0, 0, 1, "check valve DN50;DN50止回阀;止回阀;check valve"),
    ("DN150-BUTTERFLY", "DN150 butterfly valve", MAKE, "pcs", 0, 0, 0, 1,
     "butterfly valve DN150;DN150蝶阀;蝶阀;butterfly valve"),
    # sub-assembly
    ("BONNET-ASSY-100", "DN100 bonnet assembly", MAKE, "pcs", 0, 0, 0, 1, "bonnet assembly;阀盖组件"),
    # machined parts
    ("BODY-DN100", "DN100 gate valve body, machined", MAKE, "pcs", 0, 0, 20, 10, "DN100 body;DN100阀体"),
    ("BONNET-DN100", "DN100 bonnet, machined", MAKE, "pcs", 0, 0, 20, 10, "DN100 bonnet;DN100阀盖"),
    ("STEM-GATE", "Gate valve stem", MAKE, "pcs", 0, 10, 0, 10, "gate stem;闸阀阀杆"),
    ("WEDGE-DN100", "DN100 wedge disc", MAKE, "pcs", 0, 0, 0, 1, "wedge;DN100闸板"),
    ("SEAT-RING-100", "DN100 seat ring", MAKE, "pcs", 0, 20, 50, 10, "seat ring;DN100阀座"),
    ("BODY-DN80", "DN80 ball valve body, machined", MAKE, "pcs", 0, 0, 20, 10, "DN80 body;DN80球阀阀体"),
    ("BALL-DN80", "DN80 ball, SS316", MAKE, "pcs", 0, 0, 25, 5, "ball;DN80球体"),
    ("STEM-BALL", "Ball valve stem", MAKE, "pcs", 0, 20, 0, 10, "ball stem;球阀阀杆"),
    ("BODY-DN50", "DN50 check valve body, machined", MAKE, "pcs", 0, 0, 0, 1, "DN50 body;DN50止回阀阀体"),
    ("DISC-DN50", "DN50 check disc", MAKE, "pcs", 0, 0, 50, 10, "check disc;DN50阀瓣"),
    ("BODY-DN150", "DN150 butterfly body, machined", MAKE, "pcs", 0, 0, 0, 1, "DN150 body;DN150蝶阀阀体"),
    ("DISC-DN150", "DN150 butterfly disc", MAKE, "pcs", 0, 0, 0, 1, "butterfly disc;DN150蝶板"),
    ("STEM-BFLY", "Butterfly valve shaft", MAKE, "pcs", 0, 0, 0, 1, "butterfly shaft;蝶阀阀轴"),
    # castings
    ("CAST-BODY-DN100", "DN100 body casting, WCB", BUY, "pcs", 21, 10, 50, 10, "DN100阀体铸件"),
    ("CAST-BONNET-DN100", "DN100 bonnet casting, WCB", BUY, "pcs", 21, 10, 50, 10, "DN100阀盖铸件"),
    ("CAST-WEDGE-DN100", "DN100 wedge casting, CF8", BUY, "pcs", 21, 0, 50, 10, "DN100闸板铸件"),
    ("CAST-BODY-DN80", "DN80 ball body casting, CF8", BUY, "pcs", 18, 20, 50, 10, "DN80阀体铸件"),
    ("CAST-BODY-DN50", "DN50 check body casting, WCB", BUY, "pcs", 14, 0, 100, 50, "DN50阀体铸件"),
    ("CAST-BODY-DN150", "DN150 butterfly body casting, ductile iron", BUY, "pcs", 25, 0, 20, 10, "DN150阀体铸件"),
    ("CAST-DISC-DN150", "DN150 disc casting, CF8", BUY, "pcs", 25, 0, 20, 10, "DN150蝶板铸件"),
    # bar stock (kg)
    ("BAR-SS420", "SS420 round bar Ø40", BUY, "kg", 10, 100, 200, 50, "420 bar;420不锈钢棒"),
    ("BAR-SS316", "SS316 round bar Ø90", BUY, "kg", 12, 150, 200, 50, "316 bar;316不锈钢棒"),
    # seals, fasteners and bought-in parts
    ("BOLT-M16", "Stud bolt M16×90 with nuts", BUY, "pcs", 5, 300, 0, 100, "M16 bolt;M16螺栓"),
    ("BOLT-M12", "Hex bolt M12×50", BUY, "pcs", 5, 400, 0, 100, "M12 bolt;M12螺栓"),
    ("GASKET-DN100", "DN100 bonnet gasket, spiral wound", BUY, "pcs", 7, 20, 0, 10, "gasket;DN100垫片"),
    ("PACKING-SET", "Graphite stem packing set", BUY, "pcs", 7, 20, 0, 10, "packing;填料"),
    ("SEAT-PTFE-80", "DN80 PTFE seat", BUY, "pcs", 10, 40, 0, 20, "PTFE seat;DN80阀座"),
    ("SPRING-50", "DN50 disc spring", BUY, "pcs", 7, 0, 0, 50, "spring;弹簧"),
    ("SEAT-EPDM-150", "DN150 EPDM liner", BUY, "pcs", 14, 0, 0, 10, "EPDM liner;DN150衬里"),
    ("GEARBOX-150", "Worm gearbox for DN150", BUY, "pcs", 30, 0, 0, 1, "gearbox;蜗轮箱"),
    ("HANDWHEEL-100", "DN100 handwheel", BUY, "pcs", 10, 0, 0, 10, "handwheel;手轮"),
    ("LEVER-80", "DN80 lever handle", BUY, "pcs", 7, 0, 0, 10, "lever;手柄"),
    ("PAINT-EPOXY", "Epoxy paint, RAL 5015 blue", BUY, "kg", 7, 10, 0, 5, "paint;环氧漆"),
)

# parent, component, qty_per, scrap_pct
_BOM: tuple[tuple[str, str, float, float], ...] = (
    ("DN100-GATE", "BODY-DN100", 1, 0),
    ("DN100-GATE", "BONNET-ASSY-100", 1, 0),
    ("DN100-GATE", "WEDGE-DN100", 1, 0),
    ("DN100-GATE", "SEAT-RING-100", 2, 0),
    ("DN100-GATE", "GASKET-DN100", 1, 0),
    ("DN100-GATE", "BOLT-M16", 8, 2),
    ("DN100-GATE", "HANDWHEEL-100", 1, 0),
    ("DN100-GATE", "PAINT-EPOXY", 0.35, 10),
    ("BONNET-ASSY-100", "BONNET-DN100", 1, 0),
    ("BONNET-ASSY-100", "STEM-GATE", 1, 0),
    ("BONNET-ASSY-100", "PACKING-SET", 1, 0),
    ("BODY-DN100", "CAST-BODY-DN100", 1, 3),
    ("BONNET-DN100", "CAST-BONNET-DN100", 1, 2),
    ("STEM-GATE", "BAR-SS420", 1.8, 5),
    ("WEDGE-DN100", "CAST-WEDGE-DN100", 1, 2),
    ("SEAT-RING-100", "BAR-SS316", 0.6, 8),
    ("DN80-BALL", "BODY-DN80", 1, 0),
    ("DN80-BALL", "BALL-DN80", 1, 0),
    ("DN80-BALL", "SEAT-PTFE-80", 2, 1),
    ("DN80-BALL", "STEM-BALL", 1, 0),
    ("DN80-BALL", "BOLT-M12", 4, 2),
    ("DN80-BALL", "LEVER-80", 1, 0),
    ("BODY-DN80", "CAST-BODY-DN80", 1, 3),
    ("BALL-DN80", "BAR-SS316", 2.4, 4),
    ("STEM-BALL", "BAR-SS420", 0.9, 5),
    ("DN50-CHECK", "BODY-DN50", 1, 0),
    ("DN50-CHECK", "DISC-DN50", 1, 0),
    ("DN50-CHECK", "SPRING-50", 1, 0),
    ("DN50-CHECK", "BOLT-M12", 4, 2),
    ("BODY-DN50", "CAST-BODY-DN50", 1, 2),
    ("DISC-DN50", "BAR-SS316", 0.45, 6),
    ("DN150-BUTTERFLY", "BODY-DN150", 1, 0),
    ("DN150-BUTTERFLY", "DISC-DN150", 1, 0),
    ("DN150-BUTTERFLY", "STEM-BFLY", 1, 0),
    ("DN150-BUTTERFLY", "SEAT-EPDM-150", 1, 0),
    ("DN150-BUTTERFLY", "GEARBOX-150", 1, 0),
    ("DN150-BUTTERFLY", "BOLT-M16", 4, 2),
    ("DN150-BUTTERFLY", "PAINT-EPOXY", 0.5, 10),
    ("BODY-DN150", "CAST-BODY-DN150", 1, 2),
    ("DISC-DN150", "CAST-DISC-DN150", 1, 2),
    ("STEM-BFLY", "BAR-SS420", 2.2, 5),
)

# item_id, step, resources ("|" = alternatives), setup_minutes, run_minutes_per_unit
_ROUTINGS: tuple[tuple[str, int, str, float, float], ...] = (
    ("DN100-GATE", 10, "ASSY", 30, 17),
    ("DN100-GATE", 20, "TEST", 15, 14),
    ("DN100-GATE", 30, "PAINT", 20, 35),
    ("BONNET-ASSY-100", 10, "ASSY", 15, 6),
    ("BODY-DN100", 10, "CNC-1|CNC-2", 60, 42),
    ("BODY-DN100", 20, "MILL", 45, 30),
    ("BODY-DN100", 30, "DRILL", 20, 12),
    ("BONNET-DN100", 10, "CNC-1|CNC-2", 40, 20),
    ("BONNET-DN100", 20, "DRILL", 15, 8),
    ("STEM-GATE", 10, "CNC-2|CNC-1", 30, 14),
    ("WEDGE-DN100", 10, "MILL", 40, 28),
    ("SEAT-RING-100", 10, "CNC-1|CNC-2", 20, 7),
    ("DN80-BALL", 10, "ASSY", 20, 11),
    ("DN80-BALL", 20, "TEST", 10, 10),
    ("BODY-DN80", 10, "CNC-1|CNC-2", 45, 26),
    ("BODY-DN80", 20, "DRILL", 15, 7),
    ("BALL-DN80", 10, "CNC-2", 40, 30),
    ("BALL-DN80", 20, "MILL", 30, 18),
    ("STEM-BALL", 10, "CNC-1|CNC-2", 20, 9),
    ("DN50-CHECK", 10, "ASSY", 15, 6),
    ("DN50-CHECK", 20, "TEST", 10, 7),
    ("BODY-DN50", 10, "CNC-1|CNC-2", 30, 14),
    ("DISC-DN50", 10, "CNC-2|CNC-1", 20, 6),
    ("DN150-BUTTERFLY", 10, "ASSY", 30, 24),
    ("DN150-BUTTERFLY", 20, "TEST", 15, 18),
    ("DN150-BUTTERFLY", 30, "PAINT", 20, 40),
    ("BODY-DN150", 10, "MILL", 60, 45),
    ("BODY-DN150", 20, "DRILL", 30, 16),
    ("DISC-DN150", 10, "MILL", 40, 24),
    ("STEM-BFLY", 10, "CNC-1|CNC-2", 30, 15),
)

# resource_id, name, calendar_id, units, aliases
_RESOURCES: tuple[tuple[str, str, str, int, str], ...] = (
    ("CNC-1", "CNC lathe 1", "TWO-SHIFT", 1, "CNC;lathe 1;数控车床;数控车床1"),
    ("CNC-2", "CNC lathe 2", "TWO-SHIFT", 1, "lathe 2;数控车床2"),
    ("MILL", "Machining centre", "TWO-SHIFT", 1, "VMC;machining center;加工中心"),
    ("DRILL", "Radial drill", "DAY", 1, "drill;摇臂钻;钻床"),
    ("ASSY", "Assembly line", "DAY", 1, "assembly;装配线;装配"),
    ("TEST", "Pressure test bench", "DAY", 1, "test bench;pressure test;试压台;试压"),
    ("PAINT", "Paint booth", "DAY", 2, "painting;paint;喷漆房;喷漆"),
)

_INVENTORY: dict[str, float] = {
    "DN100-GATE": 12, "DN80-BALL": 35, "DN50-CHECK": 60, "DN150-BUTTERFLY": 4,
    "BONNET-ASSY-100": 10, "BODY-DN100": 15, "BONNET-DN100": 20, "STEM-GATE": 30, "WEDGE-DN100": 18,
    "SEAT-RING-100": 40, "BODY-DN80": 25, "BALL-DN80": 20, "STEM-BALL": 40, "BODY-DN50": 50,
    "DISC-DN50": 80, "BODY-DN150": 6, "DISC-DN150": 8, "STEM-BFLY": 10,
    "CAST-BODY-DN100": 20, "CAST-BONNET-DN100": 60, "CAST-WEDGE-DN100": 50, "CAST-BODY-DN80": 160,
    "CAST-BODY-DN50": 300, "CAST-BODY-DN150": 25, "CAST-DISC-DN150": 50, "BAR-SS420": 350,
    "BAR-SS316": 700, "BOLT-M16": 2000, "BOLT-M12": 3500, "GASKET-DN100": 180, "PACKING-SET": 170,
    "SEAT-PTFE-80": 700, "SPRING-50": 350, "SEAT-EPDM-150": 20, "GEARBOX-150": 8,
    "HANDWHEEL-100": 60, "LEVER-80": 320, "PAINT-EPOXY": 140,
}

# po_id, item_id, qty, due (working days from the anchor). Stock and these cover the open
# orders except in time: the DN100 body castings (day 4) and the DN150 gearboxes (day 6)
# arrive only just before the orders that need them.
_PURCHASE_ORDERS: tuple[tuple[str, str, float, int], ...] = (
    ("PO-5101", "CAST-BODY-DN100", 130, 4),
    ("PO-5102", "GEARBOX-150", 50, 6),
    ("PO-5103", "CAST-BODY-DN150", 40, 9),
    ("PO-5104", "BAR-SS316", 500, 3),
    ("PO-5105", "SEAT-EPDM-150", 40, 5),
    ("PO-5106", "HANDWHEEL-100", 100, 10),
    ("PO-5107", "CAST-BODY-DN80", 150, 12),
    ("PO-5108", "BAR-SS420", 500, 2),
    ("PO-5109", "CAST-BONNET-DN100", 80, 6),
    ("PO-5110", "CAST-WEDGE-DN100", 100, 8),
)

_SALES_EN, _SALES_ZH = "U01SALES1", "U01SALES2"
_CUSTOMER_OWNER = {"ACME": _SALES_EN, "Globex": _SALES_EN, "Initech": _SALES_EN,
                   "华东水务": _SALES_ZH, "中石化": _SALES_ZH}

N, H, R = Priority.NORMAL, Priority.HIGH, Priority.RUSH
SHIPPED, CONFIRMED = OrderStatus.SHIPPED, OrderStatus.CONFIRMED
QUOTED, CANCELLED = OrderStatus.QUOTED, OrderStatus.CANCELLED

# order_id, customer, item_id, qty, requested, promised, priority, status, shipped, shipped_qty
# (dates in working days from the anchor; None = no date)
_SALES_ORDERS: tuple[
    tuple[str, str, str, float, int, int | None, Priority, OrderStatus, int | None, float | None], ...
] = (
    # shipped over the last ten weeks: most on time, some late, one short
    ("SO-2401", "ACME", "DN100-GATE", 40, -48, -48, N, SHIPPED, -49, None),
    ("SO-2402", "华东水务", "DN80-BALL", 120, -45, -44, N, SHIPPED, -44, None),
    ("SO-2403", "Globex", "DN50-CHECK", 150, -40, -40, N, SHIPPED, -37, None),  # 3 days late
    ("SO-2404", "中石化", "DN150-BUTTERFLY", 20, -37, -36, N, SHIPPED, -36, None),
    ("SO-2405", "Initech", "DN80-BALL", 60, -32, -32, N, SHIPPED, -33, None),
    ("SO-2406", "ACME", "DN100-GATE", 30, -29, -27, N, SHIPPED, -23, None),  # 4 days late
    ("SO-2407", "华东水务", "DN50-CHECK", 200, -25, -25, N, SHIPPED, -25, 180),  # short shipped
    ("SO-2408", "Globex", "DN80-BALL", 80, -20, -20, N, SHIPPED, -20, None),
    ("SO-2409", "中石化", "DN100-GATE", 25, -17, -16, H, SHIPPED, -14, None),  # 2 days late
    ("SO-2410", "Initech", "DN150-BUTTERFLY", 12, -12, -12, N, SHIPPED, -13, None),
    ("SO-2411", "ACME", "DN50-CHECK", 100, -9, -9, N, SHIPPED, -9, None),
    ("SO-2412", "华东水务", "DN80-BALL", 90, -6, -5, N, SHIPPED, -3, None),  # 2 days late
    ("SO-2413", "Globex", "DN100-GATE", 20, -3, -3, N, SHIPPED, -3, None),
    # open: one past due, a few tight, the rest comfortable
    ("SO-2414", "中石化", "DN100-GATE", 30, -3, -2, H, CONFIRMED, None, None),  # past due
    ("SO-2415", "ACME", "DN80-BALL", 60, 3, 3, N, CONFIRMED, None, None),
    ("SO-2416", "Globex", "DN50-CHECK", 120, 5, 5, N, CONFIRMED, None, None),
    ("SO-2417", "华东水务", "DN100-GATE", 60, 6, 7, H, CONFIRMED, None, None),  # tight: castings arrive day 4
    ("SO-2418", "Initech", "DN150-BUTTERFLY", 24, 8, 8, N, CONFIRMED, None, None),  # gearboxes arrive day 6
    ("SO-2419", "ACME", "DN100-GATE", 40, 12, 12, N, CONFIRMED, None, None),
    ("SO-2420", "华东水务", "DN80-BALL", 120, 10, 11, R, CONFIRMED, None, None),  # rush, large
    ("SO-2421", "中石化", "DN50-CHECK", 150, 14, 14, N, CONFIRMED, None, None),
    ("SO-2422", "Globex", "DN80-BALL", 80, 16, 16, N, CONFIRMED, None, None),
    ("SO-2423", "Initech", "DN100-GATE", 30, 18, 18, N, CONFIRMED, None, None),
    ("SO-2424", "华东水务", "DN150-BUTTERFLY", 30, 20, 20, N, CONFIRMED, None, None),
    ("SO-2425", "ACME", "DN50-CHECK", 100, 22, 22, N, CONFIRMED, None, None),
    ("SO-2426", "中石化", "DN80-BALL", 80, 24, 25, N, CONFIRMED, None, None),
    # not (or no longer) in the order book
    ("SO-2427", "Globex", "DN100-GATE", 50, 15, None, N, QUOTED, None, None),
    ("SO-2428", "Initech", "DN80-BALL", 40, 9, 9, N, CANCELLED, None, None),
)

# weekly forecast for the finished valves, for the eight weeks after this one
_FORECAST: dict[str, tuple[float, ...]] = {
    "DN100-GATE": (35, 30, 40, 35, 38, 32, 36, 40),
    "DN80-BALL": (55, 60, 50, 65, 55, 60, 58, 62),
    "DN50-CHECK": (60, 70, 55, 60, 75, 65, 60, 70),
    "DN150-BUTTERFLY": (10, 8, 12, 10, 9, 11, 10, 12),
}

_USERS: tuple[tuple[str, str, Role, Language], ...] = (
    (_SALES_EN, "Mia Carter", Role.SALES, Language.EN),
    (_SALES_ZH, "李娜", Role.SALES, Language.ZH),
    ("U01PROD1", "王强", Role.PRODUCTION, Language.ZH),
    ("U01PROD2", "Tom Becker", Role.PRODUCTION, Language.EN),
    ("U01PLAN1", "Sam Rivera", Role.PLANNER, Language.EN),
    ("U01PLAN2", "陈静", Role.PLANNER, Language.ZH),
    ("U01ADMIN1", "Alex Kim", Role.ADMIN, Language.EN),
    ("U01ADMIN2", "刘洋", Role.ADMIN, Language.ZH),
)


def demo_plant(anchor: date) -> PlantSnapshot:
    """The demo plant as it stands on `anchor` (the demo's "today")."""
    return PlantSnapshot(
        plant=PLANT,
        items={row[0]: _item(row) for row in _ITEMS},
        bom=tuple(BomLine(p, c, float(q), float(s)) for p, c, q, s in _BOM),
        routings=tuple(
            RoutingStep(item_id, step, tuple(resources.split("|")), float(setup), float(run))
            for item_id, step, resources, setup, run in _ROUTINGS
        ),
        calendars=_calendars(anchor),
        resources={
            rid: Resource(rid, name, calendar_id, units, tuple(aliases.split(";")))
            for rid, name, calendar_id, units, aliases in _RESOURCES
        },
        inventory={item_id: float(qty) for item_id, qty in _INVENTORY.items()},
        purchase_orders=tuple(
            PurchaseOrder(po_id, item_id, float(qty), working_day(anchor, due))
            for po_id, item_id, qty, due in _PURCHASE_ORDERS
        ),
        work_orders=_work_orders(anchor),
        sales_orders=tuple(_sales_order(anchor, row) for row in _SALES_ORDERS),
        forecast=_forecast(anchor),
        users={uid: User(uid, name, role, language) for uid, name, role, language in _USERS},
    )


def working_day(anchor: date, offset: int) -> date:
    """The `offset`-th Monday-to-Friday day from `anchor` (0: the anchor, or the next weekday)."""
    day = anchor
    while day.weekday() >= 5:
        day += timedelta(days=1)
    step = 1 if offset >= 0 else -1
    for _ in range(abs(offset)):
        day += timedelta(days=step)
        while day.weekday() >= 5:
            day += timedelta(days=step)
    return day


def _item(row: tuple[str, str, ItemType, str, int, float, float, float, str]) -> Item:
    item_id, name, kind, uom, lead, safety, min_lot, lot_multiple, aliases = row
    return Item(item_id, name, kind, uom, lead, float(safety), float(min_lot), float(lot_multiple),
                tuple(aliases.split(";")))


def _calendars(anchor: date) -> dict[str, Calendar]:
    weekdays = list(Weekday)
    day_shifts = tuple(
        ShiftInterval(day, start, end)
        for day in weekdays[:5]
        for start, end in ((time(8), time(12)), (time(13), time(17)))  # lunch 12:00-13:00
    )
    two_shifts = tuple(
        ShiftInterval(day, start, end)
        for day in weekdays[:6]
        for start, end in ((time(6), time(14)), (time(14), time(22)))
    )
    saturday = anchor + timedelta(days=(5 - anchor.weekday()) % 7 + 7)  # the Saturday of next week
    day_exceptions = (
        CalendarException("DAY", working_day(anchor, 9), ExceptionKind.CLOSED),  # stocktake
        CalendarException("DAY", saturday, ExceptionKind.OPEN, time(8), time(12)),  # overtime Saturday
        CalendarException("DAY", saturday, ExceptionKind.OPEN, time(13), time(17)),
    )
    two_shift_exceptions = (
        # planned maintenance on the lathes and the machining centre: early shift off
        CalendarException("TWO-SHIFT", working_day(anchor, 4), ExceptionKind.CLOSED, time(6), time(14)),
    )
    return {
        "DAY": Calendar("DAY", day_shifts, day_exceptions),
        "TWO-SHIFT": Calendar("TWO-SHIFT", two_shifts, two_shift_exceptions),
    }


def _work_orders(anchor: date) -> tuple[WorkOrder, ...]:
    """Work orders on the shop floor, each as long as its routing step takes on that resource's calendar."""

    def at(offset: int, hour: int) -> datetime:
        return datetime.combine(working_day(anchor, offset), time(hour))

    balls_start = at(1, 6)
    return (
        # 60 + 40 × 42 min = 29 h on the two-shift lathe: started yesterday, done tonight
        WorkOrder("WO-3101", "BODY-DN100", 40.0, "CNC-1", at(-1, 6), at(0, 22), WorkOrderStatus.RUNNING),
        # 40 + 50 × 30 min ≈ 26 h: one two-shift day and most of the next (Saturdays are worked)
        WorkOrder("WO-3102", "BALL-DN80", 50.0, "CNC-2", balls_start, balls_start + timedelta(days=1, hours=10),
                  WorkOrderStatus.RELEASED),
        # 20 + 60 × 11 min ≈ 11 h on the day-shift assembly line: a day and a morning
        WorkOrder("WO-3103", "DN80-BALL", 60.0, "ASSY", at(2, 8), at(3, 12), WorkOrderStatus.RELEASED),
    )


def _sales_order(
    anchor: date,
    row: tuple[str, str, str, float, int, int | None, Priority, OrderStatus, int | None, float | None],
) -> SalesOrder:
    order_id, customer, item_id, qty, requested, promised, priority, status, shipped, shipped_qty = row
    shipped_date = working_day(anchor, shipped) if shipped is not None else None
    return SalesOrder(
        order_id=order_id,
        customer=customer,
        item_id=item_id,
        qty=float(qty),
        requested_date=working_day(anchor, requested),
        promised_date=working_day(anchor, promised) if promised is not None else None,
        priority=priority,
        status=status,
        shipped_date=shipped_date,
        shipped_qty=float(shipped_qty if shipped_qty is not None else qty) if shipped_date else None,
        owner=_CUSTOMER_OWNER[customer],
    )


def _forecast(anchor: date) -> tuple[ForecastEntry, ...]:
    next_monday = anchor + timedelta(days=7 - anchor.weekday())
    return tuple(
        ForecastEntry(item_id, next_monday + timedelta(weeks=week), float(qty))
        for item_id, weekly in _FORECAST.items()
        for week, qty in enumerate(weekly)
    )
