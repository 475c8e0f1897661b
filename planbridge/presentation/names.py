"""How an item or a resource is called in each language: one rule, used by every answer and the digest."""

from __future__ import annotations

from planbridge.presentation.catalogue import ZH_HANT, is_chinese, normalize, t
from planning_core.model import Item, PlantSnapshot

_UNITS = {"pcs": "pcs", "pc": "pcs", "ea": "pcs", "set": "set", "sets": "set", "kg": "kg", "m": "m", "t": "t"}


def has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def local_name(name: str, aliases: tuple[str, ...], language: str) -> str:
    """The name a reader of `language` knows the record by.

    Chinese readers get the name when it is Chinese already, else the longest Chinese alias
    (the most specific one: "DN100闸阀" rather than "闸阀", "数控车床1" rather than "数控车床"),
    else the name; readers of Traditional Chinese get it in Traditional characters (OpenCC).
    Everyone else gets the name.
    """
    if not is_chinese(language):
        return name
    chinese = [a for a in aliases if has_cjk(a)]
    local = name if has_cjk(name) or not chinese else max(chinese, key=len)
    if normalize(language) != ZH_HANT:
        return local
    from planbridge.language.rules.text import to_traditional  # OpenCC and the rules: only when asked

    return to_traditional(local)


def item_name(snapshot: PlantSnapshot, item_id: str | None, language: str) -> str:
    item = snapshot.items.get(item_id or "")
    return local_name(item.name, item.aliases, language) if item else (item_id or "?")


def resource_name(snapshot: PlantSnapshot, resource_id: str | None, language: str) -> str:
    resource = snapshot.resources.get(resource_id or "")
    return local_name(resource.name, resource.aliases, language) if resource else (resource_id or "?")


def display_name(item: Item | None, language: str) -> str:
    """An item's local name, "" when there is no item."""
    return local_name(item.name, item.aliases, language) if item else ""


def plural(name: str) -> str:
    """"DN100 gate valve" → "DN100 gate valves"; names ending in a code ("pump A", "M16") stay as they are."""
    last = name.split()[-1] if name.split() else ""
    if has_cjk(name) or not (last.isalpha() and last.islower() and len(last) >= 3) or last.endswith("s"):
        return name
    return name[:-1] + "ies" if name.endswith("y") and name[-2:-1] not in "aeiou" else name + "s"


def measure(item: Item | None, language: str) -> str:
    """The counting word for the item's unit ("个", "套"; "pcs", "set" in English); the unit itself when unknown."""
    if item is None:
        return t(language, "unit.pcs")
    unit = _UNITS.get(item.uom.lower())
    return t(language, f"unit.{unit}") if unit else item.uom
