"""Plain sentences about quotes and rushes, in English or Chinese.

The planning core returns facts (dates, quantities, ids); this module alone turns
them into words, so the CLI, the REST API and the bot all say the same thing.
"""

from __future__ import annotations

import math
from datetime import date

from planning_core.ctp.results import BindingConstraint, ConstraintKind, ImpactedOrder, Quote, ReviewCheck, RushImpact
from planning_core.model import PlantSnapshot

EN, ZH = "en", "zh"


def language_of(text: str) -> str:
    """`zh` when the text has any CJK ideograph, else `en`."""
    return ZH if any("\u4e00" <= ch <= "\u9fff" for ch in text) else EN


def day(value: date | str | None, lang: str, *, today: date | None = None) -> str:
    if value is None:
        return "—"
    when = date.fromisoformat(value) if isinstance(value, str) else value
    if lang == ZH:
        return f"{when.month}月{when.day}日" if today is None or when.year == today.year else f"{when.year}年{when.month}月{when.day}日"
    text = f"{when:%b} {when.day}"
    return text if today is None or when.year == today.year else f"{text}, {when.year}"


def span(first: str | None, last: str | None, lang: str, *, today: date | None = None) -> str:
    if first == last or last is None:
        return (f"{day(first, lang, today=today)}" if lang == ZH else f"on {day(first, lang, today=today)}")
    a, b = date.fromisoformat(first or last), date.fromisoformat(last)
    if lang == ZH:
        tail = f"{b.day}日" if (a.year, a.month) == (b.year, b.month) else day(b, lang, today=today)
        return f"{day(a, lang, today=today)}至{tail}"
    tail = f"{b.day}" if (a.year, a.month) == (b.year, b.month) else day(b, lang, today=today)
    return f"{day(a, lang, today=today)}–{tail}"


def qty(value: float | str | None) -> str:
    if value is None:
        return "?"
    number = float(value)
    return f"{number:,.0f}" if abs(number - round(number)) < 1e-6 else f"{number:,.2f}"


def _local_name(name: str, aliases: tuple[str, ...], lang: str) -> str:
    """A Chinese alias for Chinese readers when the plant has one; the name otherwise."""
    if lang == ZH and language_of(name) != ZH:
        return next((a for a in aliases if language_of(a) == ZH), name)
    return name


def item_name(snapshot: PlantSnapshot, item_id: str | None, lang: str = EN) -> str:
    item = snapshot.items.get(item_id or "")
    return _local_name(item.name, item.aliases, lang) if item else (item_id or "?")


def resource_name(snapshot: PlantSnapshot, resource_id: str | None, lang: str = EN) -> str:
    resource = snapshot.resources.get(resource_id or "")
    return _local_name(resource.name, resource.aliases, lang) if resource else (resource_id or "?")


def constraint_detail(c: BindingConstraint, snapshot: PlantSnapshot, lang: str, *, today: date) -> str:
    """One concrete sentence fragment per binding constraint."""
    f = dict(c.facts)
    item, res = item_name(snapshot, c.item_id, lang), resource_name(snapshot, c.resource_id, lang)
    uom = f.get("uom", "")
    unit = f" {uom}" if uom and uom != "pcs" else ""
    if uom == "pcs" and f.get("qty"):  # whole pieces are bought and received
        f["qty"] = str(math.ceil(float(f["qty"]) - 1e-6))
    zh = lang == ZH
    if c.kind is ConstraintKind.STOCK:
        free = max(float(f.get("on_hand", 0)) - float(f.get("committed", 0)), 0.0)
        if zh:
            return f"{item}：库存{qty(f.get('on_hand'))}，已承诺给确认订单{qty(f.get('committed'))}"
        text = f"{item}: {qty(f.get('on_hand'))} on hand, {qty(f.get('committed'))} promised to confirmed orders"
        return text + (f" ({qty(free)} free)" if free > 0 else "")
    if c.kind is ConstraintKind.RECEIPT:
        if zh:
            return f"{item}：库存{qty(f.get('on_hand'))}，另有{qty(f.get('qty'))}{unit}于{day(f.get('date'), lang, today=today)}到货（{f.get('ref')}）"
        return f"{item}: {qty(f.get('on_hand'))} on hand, {qty(f.get('qty'))}{unit} more arrive {day(f.get('date'), lang, today=today)} ({f.get('ref')})"
    if c.kind is ConstraintKind.PURCHASE_LEAD_TIME:
        if zh:
            return f"{item}需新采购{qty(f.get('qty'))}{unit}，采购周期{f.get('lead_time_days')}天，{day(f.get('arrival'), lang, today=today)}到货"
        return (f"{item}: {qty(f.get('qty'))}{unit} must be bought; with a {f.get('lead_time_days')}-day lead time "
                f"they arrive {day(f.get('arrival'), lang, today=today)}")
    if c.kind is ConstraintKind.CAPACITY and c.resource_id:
        when = span(f.get("from"), f.get("to"), lang, today=today)
        return f"{res}{when}满负荷" if zh else f"{res} is fully loaded {when}"
    if c.kind is ConstraintKind.CAPACITY:
        return f"{f.get('horizon_days')}天内无法完成" if zh else f"cannot be completed within {f.get('horizon_days')} days"
    if c.kind is ConstraintKind.CALENDAR:
        dates = [day(d, lang, today=today) for d in (f.get("dates") or "").split(",") if d]
        return f"{res}在{'、'.join(dates)}停工" if zh else f"{res} is closed on {', '.join(dates)}"
    if c.kind is ConstraintKind.DATA:
        return f"{f.get('items')}没有工艺路线，无法生产" if zh else f"{f.get('items')} cannot be made: no routing"
    return c.kind.value


REVIEW_WORDS = {
    ("technical", "makeable"): ("routing and BOM complete", "工艺路线和BOM完整"),
    ("technical", "bought"): ("bought item", "外购件"),
    ("technical", "no_bom"): ("routing but no BOM: check the material list", "有工艺路线但没有BOM，请核对物料"),
    ("technical", "no_routing"): ("no routing for {items}", "{items}没有工艺路线"),
    ("material", "covered"): ("covered by stock and open orders", "库存和在途订单可满足"),
    ("material", "must_buy"): ("new purchases needed", "需要新采购"),
    ("material", "waits_for_receipt"): ("waits for incoming purchase orders", "需等待在途采购到货"),
    ("material", "no_source"): ("no source for some parts", "部分物料没有来源"),
    ("capacity", "available"): ("capacity available", "产能充足"),
    ("capacity", "loaded"): ("bottleneck resources fully loaded", "瓶颈设备满负荷"),
    ("capacity", "cannot_make"): ("cannot be made", "无法生产"),
    ("date", "on_time"): ("meets the requested date with {days} days to spare", "可按期交付，富余{days}天"),
    ("date", "tight"): ("meets the requested date with little slack", "可按期交付，但余量很小"),
    ("date", "late"): ("{days} days later than requested", "比要求晚{days}天"),
    ("date", "no_due_date"): ("no date requested", "未指定交期"),
    ("date", "never"): ("no date possible", "无法给出交期"),
}


def review_reason(name: str, check: ReviewCheck, lang: str) -> str:
    en, zh = REVIEW_WORDS.get((name, check.reason_code), (check.reason_code, check.reason_code))
    facts = dict(check.facts)
    if check.reason_code == "no_routing":
        facts.setdefault("items", "?")
    try:
        return (zh if lang == ZH else en).format(**facts)
    except KeyError:
        return zh if lang == ZH else en


_PRIORITY = {
    ConstraintKind.DATA: 0,
    ConstraintKind.PURCHASE_LEAD_TIME: 1,
    ConstraintKind.RECEIPT: 2,
    ConstraintKind.CAPACITY: 3,
    ConstraintKind.CALENDAR: 4,
    ConstraintKind.MATERIAL: 5,
    ConstraintKind.STOCK: 6,
}


def main_constraints(constraints: tuple[BindingConstraint, ...], *, limit: int = 2) -> list[BindingConstraint]:
    """The constraints worth a sentence: what really binds first, stock last."""
    ranked = sorted(constraints, key=lambda c: (_PRIORITY[c.kind], -(_latest(c) or date.min).toordinal()))
    return ranked[:limit]


def _latest(c: BindingConstraint) -> date | None:
    for key in ("to", "arrival", "date"):
        value = c.fact(key)
        if value:
            return date.fromisoformat(value)
    return None


def quote_explanation(q: Quote, snapshot: PlantSnapshot, lang: str, *, customer: str | None = None) -> str:
    item = item_name(snapshot, q.item_id, lang)
    amount = qty(q.qty)
    if q.promise_date is None:
        why = "; ".join(constraint_detail(c, snapshot, lang, today=q.as_of) for c in main_constraints(q.constraints, limit=1))
        if lang == ZH:
            return f"{amount}个{item}无法交付：{why}。"
        return f"We cannot deliver {amount} {item}: {why}."
    when = day(q.promise_date, lang, today=q.as_of)
    binding = [c for c in main_constraints(q.constraints) if c.kind is not ConstraintKind.STOCK or q.promise_date == q.as_of]
    why = "; ".join(constraint_detail(c, snapshot, lang, today=q.as_of) for c in binding)
    for_whom = f" for {customer}" if customer and lang == EN else ""
    if lang == ZH:
        head = f"{amount}个{item}最早可于{when}交货"
        if q.due_date is not None:
            head += "，可满足要求交期" if q.feasible_by_due else f"，晚于要求的{day(q.due_date, lang, today=q.as_of)}"
        first = q.partial[0] if len(q.partial) > 1 else None
        tail = f"；如接受分批，{first.date.month}月{first.date.day}日可先发{qty(first.qty)}个" if first else ""
        return f"{head}{tail}。" + (f"限制因素：{why}。" if why else "")
    head = f"We can deliver {amount} {item}{for_whom} on {when}"
    if q.due_date is not None:
        head += (" — in time for the requested " if q.feasible_by_due else " — later than the requested ") + day(q.due_date, lang, today=q.as_of)
    first = q.partial[0] if len(q.partial) > 1 else None
    tail = f"; with partial shipments {qty(first.qty)} can ship {day(first.date, lang, today=q.as_of)}" if first else ""
    return f"{head}{tail}." + (f" Binding: {why}." if why else "")


def rush_explanation(r: RushImpact, snapshot: PlantSnapshot, lang: str) -> str:
    name = r.order_id or f"{qty(r.qty)} {item_name(snapshot, r.item_id, lang)}"
    if r.promise_date is None:
        return f"{name}无法完成。" if lang == ZH else f"{name} cannot be completed at all."
    when = day(r.promise_date, lang, today=r.as_of)
    slips = [_slip(i, lang, today=r.as_of) for i in r.impacted]
    if lang == ZH:
        head = f"加急后{name}可于{when}完成" + ("" if r.feasible_by_due else f"（晚于要求的{day(r.due_date, lang, today=r.as_of)}）")
        return head + (f"；将有{len(slips)}个订单延误：" + "；".join(slips) + "。" if slips else "，不影响其他订单的承诺交期。")
    head = f"Rushed, {name} can be ready {when}" + ("" if r.feasible_by_due else f" (later than the requested {day(r.due_date, lang, today=r.as_of)})")
    if not slips:
        return head + "; no other order misses its promise."
    return head + f"; {len(slips)} order{'s' if len(slips) != 1 else ''} would slip: " + "; ".join(slips) + "."


def _slip(i: ImpactedOrder, lang: str, *, today: date) -> str:
    if lang == ZH:
        to = day(i.projected_date, lang, today=today) if i.projected_date else "无法完成"
        return f"{i.order_id}（{i.customer}）从{day(i.promised_date, lang, today=today)}推迟到{to}"
    to = day(i.projected_date, lang, today=today) if i.projected_date else "never"
    return f"{i.order_id} ({i.customer}) from {day(i.promised_date, lang, today=today)} to {to}"
