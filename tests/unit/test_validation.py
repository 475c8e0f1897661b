"""The core validator names the ids of every problem, whatever the snapshot came from."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from planning_core.model import BomLine, PlantSnapshot, PurchaseOrder, Resource, RoutingStep
from planning_core.validation import ProblemKind, bom_cycles, validate
from tests.plants import day, one_shift_plant


def a_plant() -> PlantSnapshot:
    return (one_shift_plant().make("A", ("M", 10), components=(("B", 2),)).make("B", ("M", 5), components=(("C", 1),))
            .buy("C", lead_time_days=3).order("SO-1", "A", 5, day(3)).build())


def test_a_sound_plant_has_no_problem() -> None:
    assert validate(a_plant()) == []


def test_a_bom_cycle_is_named_item_by_item() -> None:
    snapshot = a_plant()
    cyclic = replace(snapshot, bom=(*snapshot.bom, BomLine("C", "A", 1.0)))

    [problem] = validate(cyclic)
    assert problem.kind is ProblemKind.CYCLE
    assert problem.ids == ("A", "B", "C", "A")
    assert str(problem) == "BOM cycle: A → B → C → A"


def test_bom_cycles_are_found_once_each() -> None:
    assert bom_cycles([("A", "B"), ("B", "A"), ("C", "D"), ("D", "E"), ("E", "C")]) == [("A", "B", "A"), ("C", "D", "E", "C")]
    assert bom_cycles([("A", "B"), ("A", "C"), ("B", "C")]) == []


def test_references_to_missing_records_name_both_ids() -> None:
    snapshot = a_plant()
    broken = replace(
        snapshot,
        routings=(*snapshot.routings, RoutingStep("B", 20, ("LATHE",), 0, 1)),
        resources={**snapshot.resources, "N": Resource("N", "N", "NIGHT")},
        purchase_orders=(PurchaseOrder("PO-1", "ZZ", 5, date(2027, 1, 5)),),
    )

    found = {(p.kind, p.ids) for p in validate(broken)}
    assert found == {(ProblemKind.REFERENCE, ("B", "LATHE")), (ProblemKind.REFERENCE, ("N", "NIGHT")),
                     (ProblemKind.REFERENCE, ("PO-1", "ZZ"))}


def test_duplicates_and_impossible_values_are_named() -> None:
    snapshot = a_plant()
    order = snapshot.sales_orders[0]
    broken = replace(
        snapshot,
        sales_orders=(order, replace(order, qty=0)),
        bom=(*snapshot.bom, BomLine("A", "C", 1.0, scrap_pct=100)),
        inventory={"C": -1.0},
    )

    found = {(p.kind, p.ids, p.message) for p in validate(broken)}
    assert (ProblemKind.DUPLICATE, ("SO-1",), "duplicate sales order id SO-1") in found
    assert (ProblemKind.VALUE, ("SO-1",), "sales order SO-1: qty must be > 0") in found
    assert (ProblemKind.VALUE, ("A", "C"), "BOM line A → C: scrap of 100% is impossible") in found
    assert (ProblemKind.VALUE, ("C",), "stock of C is negative") in found
