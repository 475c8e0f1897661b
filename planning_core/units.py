"""Units of measure that count whole things: pieces, sets, units (not kilograms or metres)."""

from __future__ import annotations

import math

COUNTED_UNITS = frozenset({"pcs", "pc", "ea", "each", "unit", "units", "set", "sets", "nos", "个", "件", "台", "套", "只"})
WHOLE_TOLERANCE = 1e-6


def is_counted(uom: str) -> bool:
    return uom.strip().casefold() in COUNTED_UNITS


def whole_up(qty: float, uom: str) -> float:
    """What must be had of `qty` in this unit: whole pieces rounded up (134.5 pcs → 135), else as is."""
    return float(math.ceil(qty - WHOLE_TOLERANCE)) if is_counted(uom) else qty


def whole_down(qty: float, uom: str) -> float:
    """What can be handed over of `qty`: whole pieces rounded down (2.76 pcs → 2), else as is."""
    return float(math.floor(qty + WHOLE_TOLERANCE)) if is_counted(uom) else qty
