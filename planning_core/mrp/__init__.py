"""Time-phased material requirements planning (MRP), vectorised with numpy.

`run_mrp(snapshot, MrpParams(as_of=...))` nets gross requirements (open orders,
consumed forecast, dependent demand) against on hand, open purchase and work orders
and safety stock, level by level in low-level-code order, sizes lots, offsets lead
times and reports planned orders, exception messages and shortages pegged to the
sales orders they hurt. docs/kpi.md states the rules.
"""

from planning_core.mrp.engine import run_mrp
from planning_core.mrp.grid import BucketSize, Grid
from planning_core.mrp.netting import lot_size
from planning_core.mrp.results import (
    MessageKind,
    MrpMessage,
    MrpParams,
    MrpResult,
    PlannedOrder,
    Shortage,
    shortage_line,
)

__all__ = [
    "BucketSize",
    "Grid",
    "MessageKind",
    "MrpMessage",
    "MrpParams",
    "MrpResult",
    "PlannedOrder",
    "Shortage",
    "lot_size",
    "run_mrp",
    "shortage_line",
]
