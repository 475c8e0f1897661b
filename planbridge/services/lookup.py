"""Finding items, resources, orders and users by what people type: id, name or alias."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

from rapidfuzz import fuzz, process

from planbridge.errors import NotFound
from planning_core.model import Item, PlantSnapshot, Resource, SalesOrder, User

T = TypeVar("T")


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def _names(record: Item | Resource) -> Iterable[str]:
    record_id = record.item_id if isinstance(record, Item) else record.resource_id
    return (record_id, record.name, *record.aliases)


def _find(records: Mapping[str, T], text: str, names: Mapping[str, Iterable[str]], what: str) -> T:
    if text in records:
        return records[text]
    wanted = _norm(text)
    exact = [key for key, spellings in names.items() if any(_norm(s) == wanted for s in spellings)]
    if len(exact) == 1:
        return records[exact[0]]
    if len(exact) > 1:
        raise NotFound(f"{what} {text!r} is ambiguous: could be {', '.join(sorted(exact))}")
    hint = suggestions(text, names)
    raise NotFound(f"unknown {what} {text!r}" + (f"; did you mean {', '.join(hint)}?" if hint else ""))


def suggestions(text: str, names: Mapping[str, Iterable[str]], *, limit: int = 3) -> list[str]:
    """Ids whose id, name or alias is closest to `text` (best first)."""
    wanted = _norm(text)
    choices = {(key, spelling): _norm(spelling) for key, spellings in names.items() for spelling in spellings}
    scored: dict[str, tuple[float, float]] = {}
    for spelling, score, (key, _) in process.extract(wanted, choices, scorer=fuzz.WRatio, limit=limit * 4):
        if score >= 50:
            # WRatio finds candidates (also by part of a long name); the plain ratio ranks
            # them, so "pump B" suggests "pump A" before "Pump casing".
            rank = (fuzz.ratio(wanted, spelling), score)
            scored[key] = max(scored.get(key, (0.0, 0.0)), rank)
    return sorted(scored, key=lambda key: (-scored[key][0], -scored[key][1], key))[:limit]


def item_names(snapshot: PlantSnapshot) -> dict[str, tuple[str, ...]]:
    return {item_id: tuple(_names(item)) for item_id, item in snapshot.items.items()}


def find_item(snapshot: PlantSnapshot, text: str) -> Item:
    return _find(snapshot.items, text.strip(), item_names(snapshot), "item")


def find_order(snapshot: PlantSnapshot, text: str) -> SalesOrder:
    orders = snapshot.orders_by_id
    key = text.strip()
    if key in orders:
        return orders[key]
    folded = {order_id.casefold(): order_id for order_id in orders}
    if key.casefold() in folded:
        return orders[folded[key.casefold()]]
    hint = suggestions(key, {order_id: (order_id,) for order_id in orders})
    raise NotFound(f"unknown order {key!r}" + (f"; did you mean {', '.join(hint)}?" if hint else ""))


def find_user(snapshot: PlantSnapshot, user_id: str) -> User:
    user = snapshot.users.get(user_id.strip())
    if user is None:
        raise NotFound(f"unknown user {user_id!r}: users come from users.csv")
    return user
