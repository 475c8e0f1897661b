"""The words the bot posts: clarifying questions and answers, in English or Chinese.

Pure functions of a parsed request, the plant and the facts a service returned; the
service layer decides what to call, this module only says it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from planbridge.language.frame import Intent, Metric, ParsedRequest
from planbridge.language.rules.text import has_cjk
from planbridge.services import wording
from planbridge.services.lookup import item_names, suggestions
from planning_core.model import Item, OrderStatus, PlantSnapshot, SalesOrder

if TYPE_CHECKING:  # pandas comes with these; the CLI should not pay for it on every message
    from planning_core.kpi import KpiReport
    from planning_core.mrp.results import Shortage

EN, ZH = wording.EN, wording.ZH
MAX_LISTED_ORDERS = 5
_MEASURE = {"pcs": "个", "pc": "个", "ea": "个", "set": "套", "sets": "套", "kg": "公斤", "m": "米", "t": "吨"}


@dataclass(frozen=True)
class Reply:
    text: str
    language: str
    needs: str | None = None  # the slot a clarifying question asks for
    suggestions: tuple[str, ...] = ()  # item ids close to an unknown item
    answer: dict[str, Any] | None = None  # the service's JSON document, when one answered
    error: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


def reply_language(request: ParsedRequest, *, user_language: str | None, thread_language: str | None, text: str) -> str:
    """The user's language if known; else the message's; a bare "500" keeps the thread's."""
    if user_language in (EN, ZH):
        return user_language
    if thread_language and not has_cjk(text) and not any(ch.isalpha() for ch in text):
        return thread_language
    return request.language


# ---------------------------------------------------------------- what is missing


def missing_slot(request: ParsedRequest) -> str | None:
    """The first slot this intent cannot do without, or None."""
    s = request.slots
    needs: dict[Intent, list[tuple[str, bool]]] = {
        Intent.QUOTE: [("item_id", s.item_id is None), ("qty", s.qty is None)],
        Intent.RUSH: [("order_id", s.order_id is None and s.item_id is None),
                      ("qty", s.order_id is None and s.qty is None), ("due_date", s.due_date is None)],
        Intent.CHANGE: [("order_id", s.order_id is None), ("change", s.qty is None and s.due_date is None)],
        Intent.CANCEL: [("order_id", s.order_id is None)],
        Intent.ORDER_STATUS: [("order_id", s.order_id is None and s.customer is None and s.item_id is None)],
        Intent.STOCK: [("item_id", s.item_id is None)],
    }
    return next((name for name, missing in needs.get(request.intent, []) if missing), None)


def clarify(request: ParsedRequest, slot: str, snapshot: PlantSnapshot, language: str) -> Reply:
    zh = language == ZH
    s = request.slots
    if slot == "item_id":
        return _which_item(request, snapshot, language)
    if slot == "order_id":
        if request.unmatched.order:
            hint = suggestions(request.unmatched.order, {o.order_id: (o.order_id,) for o in snapshot.sales_orders})
            text = (f"没有找到订单“{request.unmatched.order}”。" + (f"您是指{'、'.join(hint)}吗？" if hint else "请检查订单号。")
                    if zh else f"I can't find order {request.unmatched.order}." +
                    (f" Did you mean {', '.join(hint)}?" if hint else " Please check the order number."))
            return Reply(text, language, needs=slot, suggestions=tuple(hint))
        example = snapshot.sales_orders[-1].order_id if snapshot.sales_orders else "SO-1001"
        text = f"请问是哪个订单？请提供订单号（例如{example}）。" if zh else f"Which order? Please give the order number (for example {example})."
        return Reply(text, language, needs=slot)
    if slot == "qty":
        item = snapshot.items.get(s.item_id or "")
        if zh:
            text = f"需要多少{measure(item)}{display_name(item, ZH)}？" if item else "需要多少个？"
        else:
            text = f"How many {plural(display_name(item, EN))}?" if item else "How many?"
        return Reply(text, language, needs=slot)
    if slot == "due_date":
        what = s.order_id or (display_name(snapshot.items.get(s.item_id or ""), language) if s.item_id else "")
        text = f"客户要求{what}什么时候交货？" if zh else f"By when does the customer need {what or 'it'}?"
        return Reply(text, language, needs=slot)
    order = s.order_id or ""
    text = f"{order}要改什么：数量还是交期？" if zh else f"What should change on {order}: the quantity or the date?"
    return Reply(text, language, needs=slot)


def _which_item(request: ParsedRequest, snapshot: PlantSnapshot, language: str) -> Reply:
    zh = language == ZH
    mention = request.unmatched.item
    if not mention:
        text = "请问是哪个产品？" if zh else "Which item do you mean?"
        return Reply(text, language, needs="item_id")
    close = suggestions(mention, item_names(snapshot))
    names = [f"{display_name(snapshot.items[i], language)} ({i})" for i in close]
    if zh:
        text = f"没有找到“{mention}”。" + (f"您是指{'、'.join(names)}吗？" if names else "请问是哪个产品？")
    else:
        text = f"I don't know “{mention}”." + (f" Did you mean {', '.join(names)}?" if names else " Which item do you mean?")
    return Reply(text, language, needs="item_id", suggestions=tuple(close))


# ---------------------------------------------------------------- answers from the plant snapshot


def order_status(request: ParsedRequest, snapshot: PlantSnapshot, language: str, *, as_of: date) -> Reply:
    s = request.slots
    if s.order_id:
        order = snapshot.orders_by_id[s.order_id]
        return Reply(_order_line(order, snapshot, language, as_of=as_of), language,
                     answer={"orders": [_order_json(order)]})
    orders = [o for o in snapshot.open_orders
              if (s.customer is None or o.customer == s.customer) and (s.item_id is None or o.item_id == s.item_id)]
    orders.sort(key=lambda o: o.due_date)
    whose = s.customer or display_name(snapshot.items.get(s.item_id or ""), language)
    zh = language == ZH
    if not orders:
        text = f"{whose}目前没有未交订单。" if zh else f"{whose} has no open orders."
        return Reply(text, language, answer={"orders": []})
    listed = [_order_short(o, snapshot, language, as_of=as_of) for o in orders[:MAX_LISTED_ORDERS]]
    more = len(orders) - len(listed)
    if zh:
        text = f"{whose}有{len(orders)}个未交订单：" + "；".join(listed) + (f"；另有{more}个。" if more else "。")
    else:
        text = f"{whose} has {len(orders)} open order{'s' if len(orders) != 1 else ''}: " + "; ".join(listed) + (
            f"; and {more} more." if more else ".")
    return Reply(text, language, answer={"orders": [_order_json(o) for o in orders]})


def _order_line(order: SalesOrder, snapshot: PlantSnapshot, language: str, *, as_of: date) -> str:
    item = snapshot.items.get(order.item_id)
    qty = wording.qty(order.qty)
    if language == ZH:
        head = f"{order.order_id}（{order.customer}）：{display_name(item, ZH)} {qty}{measure(item)}，"
        if order.status is OrderStatus.SHIPPED:
            late = _days(order.promised_date, order.shipped_date)
            return head + f"已于{wording.day(order.shipped_date, ZH, today=as_of)}发货" + (f"（晚了{late}天）。" if late > 0 else "。")
        if order.status is OrderStatus.CANCELLED:
            return head + "已取消。"
        if order.status is OrderStatus.QUOTED:
            return head + f"已报价，尚未确认（要求交期{wording.day(order.requested_date, ZH, today=as_of)}）。"
        overdue = _days(order.due_date, as_of)
        return head + f"承诺交期{wording.day(order.due_date, ZH, today=as_of)}，尚未发货" + (f"，已逾期{overdue}天。" if overdue > 0 else "。")
    head = f"{order.order_id} for {order.customer}: {qty} × {display_name(item, EN)}, "
    if order.status is OrderStatus.SHIPPED:
        late = _days(order.promised_date, order.shipped_date)
        return head + f"shipped {wording.day(order.shipped_date, EN, today=as_of)}" + (
            f" ({late} day{'s' if late != 1 else ''} late)." if late > 0 else ".")
    if order.status is OrderStatus.CANCELLED:
        return head + "cancelled."
    if order.status is OrderStatus.QUOTED:
        return head + f"quoted, not confirmed yet (requested {wording.day(order.requested_date, EN, today=as_of)})."
    overdue = _days(order.due_date, as_of)
    return head + f"promised {wording.day(order.due_date, EN, today=as_of)}, not shipped yet" + (
        f" — {overdue} day{'s' if overdue != 1 else ''} past due." if overdue > 0 else ".")


def _order_short(order: SalesOrder, snapshot: PlantSnapshot, language: str, *, as_of: date) -> str:
    item = snapshot.items.get(order.item_id)
    when = wording.day(order.due_date, language, today=as_of)
    if language == ZH:
        return f"{order.order_id}（{display_name(item, ZH)} {wording.qty(order.qty)}{measure(item)}，{when}）"
    return f"{order.order_id} ({wording.qty(order.qty)} × {display_name(item, EN)}, {when})"


def _order_json(order: SalesOrder) -> dict[str, Any]:
    return {
        "order_id": order.order_id, "customer": order.customer, "item_id": order.item_id, "qty": order.qty,
        "requested_date": order.requested_date.isoformat(),
        "promised_date": order.promised_date.isoformat() if order.promised_date else None,
        "status": order.status.value, "priority": order.priority.value,
        "shipped_date": order.shipped_date.isoformat() if order.shipped_date else None,
    }


def stock(request: ParsedRequest, snapshot: PlantSnapshot, language: str, *, as_of: date) -> Reply:
    item = snapshot.items[request.slots.item_id or ""]
    on_hand = snapshot.inventory.get(item.item_id, 0.0)
    receipts = sorted((po for po in snapshot.purchase_orders if po.item_id == item.item_id and po.due_date >= as_of),
                      key=lambda po: po.due_date)
    wanted = request.slots.qty
    zh = language == ZH
    unit = measure(item) if zh else item.uom
    if zh:
        text = f"{display_name(item, ZH)}（{item.item_id}）现有库存{wording.qty(on_hand)}{unit}"
        if item.safety_stock:
            text += f"，安全库存{wording.qty(item.safety_stock)}{unit}"
        if receipts:
            po = receipts[0]
            text += f"；下一批到货：{po.po_id} {wording.qty(po.qty)}{unit}，{wording.day(po.due_date, ZH, today=as_of)}"
        if wanted is not None:
            text += (f"。够{wording.qty(wanted)}{unit}。" if on_hand >= wanted
                     else f"。要{wording.qty(wanted)}{unit}还差{wording.qty(wanted - on_hand)}{unit}。")
        else:
            text += "。"
    else:
        text = f"{display_name(item, EN)} ({item.item_id}): {wording.qty(on_hand)} {unit} on hand"
        if item.safety_stock:
            text += f", safety stock {wording.qty(item.safety_stock)}"
        if receipts:
            po = receipts[0]
            text += f"; next receipt {wording.qty(po.qty)} on {wording.day(po.due_date, EN, today=as_of)} ({po.po_id})"
        if wanted is not None:
            text += f". Enough for {wording.qty(wanted)}." if on_hand >= wanted else f". {wording.qty(wanted - on_hand)} short of {wording.qty(wanted)}."
        else:
            text += "."
    answer = {"item_id": item.item_id, "on_hand": on_hand, "safety_stock": item.safety_stock,
              "receipts": [{"po_id": po.po_id, "qty": po.qty, "due_date": po.due_date.isoformat()} for po in receipts]}
    return Reply(text, language, answer=answer)


def change_request(request: ParsedRequest, snapshot: PlantSnapshot, language: str, *, as_of: date) -> Reply:
    """What a change or cancellation would be; the bot never changes an order itself."""
    s = request.slots
    order = snapshot.orders_by_id[s.order_id or ""]
    current = _order_line(order, snapshot, language, as_of=as_of)
    zh = language == ZH
    if request.intent is Intent.CANCEL:
        wish = "取消该订单" if zh else "cancelling it"
    else:
        parts = []
        if s.qty is not None:
            parts.append(f"数量改为{wording.qty(s.qty)}" if zh else f"quantity to {wording.qty(s.qty)}")
        if s.due_date is not None:
            parts.append(f"交期改为{wording.day(s.due_date, ZH, today=as_of)}" if zh else
                         f"date to {wording.day(s.due_date, EN, today=as_of)}")
        wish = ("、".join(parts)) if zh else "changing the " + " and the ".join(parts)
    if zh:
        text = f"{current}\n{wish}需要提交变更申请，由生产主管批准后才会生效；我没有修改任何数据。"
    else:
        text = f"{current}\n{wish[0].upper() + wish[1:]} needs a change request that a production lead approves; nothing has been changed."
    return Reply(text, language, answer={"order": _order_json(order), "requested": request.slots.to_json()})


# ---------------------------------------------------------------- fixed texts


def approval_refusal(language: str) -> str:
    if language == ZH:
        return "我不能根据聊天消息批准任何事项：加急、变更或取消只能由生产主管在申请上点击“批准”后生效。"
    return ("I can't approve anything from a chat message: a rush, change or cancellation takes effect only "
            "when a production lead clicks Approve on the request.")


def analysis_only(language: str) -> str:
    if language == ZH:
        return "以上仅为影响分析，没有修改任何订单；如需执行，请提交加急申请，由生产主管批准。"
    return "This is an impact analysis only; no order was changed. To go ahead, send a rush request for a production lead to approve."


def not_available(what: Intent, language: str) -> str:
    names = {Intent.CAPACITY: ("Capacity figures", "产能数据"), Intent.KPI: ("KPIs", "KPI指标"),
             Intent.SHORTAGES: ("Shortage lists", "缺料清单"), Intent.DIGEST: ("The daily digest", "每日摘要")}
    en, zh = names.get(what, ("This answer", "这个答案"))
    return f"{zh}暂时还无法提供（功能尚未完成）。" if language == ZH else f"{en} are not available yet in this version."


def could_not(message: str, language: str) -> str:
    return f"抱歉，无法回答：{message}" if language == ZH else f"Sorry, I could not answer that: {message}"


def help_text(snapshot: PlantSnapshot | None, language: str) -> str:
    item = _example_item(snapshot)
    if language == ZH:
        name = display_name(item, ZH) if item else "产品"
        return ("我可以回答这些问题：\n"
                f"• 交期：“{name}500个，下周五能交吗？”\n• 加急影响：“SO-1001加急，客户要求周五交货”\n"
                "• 订单状态：“SO-1001到哪了？”\n• 库存：“还有多少库存？”\n• 产能、缺料、准时交付率、每日摘要\n"
                "加急、变更和取消只做影响分析，需生产主管批准后才会执行。")
    name = plural(display_name(item, EN)) if item else "valves"
    return ("I can answer:\n"
            f"• Quotes: “Can we deliver 500 {name} by next Friday?”\n• Rush impact: “Rush SO-1001 to Friday”\n"
            "• Order status: “Where is SO-1001?”\n• Stock: “How many do we have in stock?”\n"
            "• Capacity, shortages, on-time delivery and other KPIs, the daily digest\n"
            "Rushes, changes and cancellations are analysed only; a production lead approves them.")


def not_understood(snapshot: PlantSnapshot | None, language: str) -> str:
    item = _example_item(snapshot)
    if language == ZH:
        example = f"“{display_name(item, ZH)}500个，下周五能交吗？”" if item else "“500个，下周五能交吗？”"
        return f"抱歉，我没看懂。您可以问交期、加急、订单状态、库存、产能、缺料或KPI，例如{example}"
    example = f"“Can we deliver 500 {plural(display_name(item, EN))} by next Friday?”" if item else "“Can we deliver 500 by Friday?”"
    return f"Sorry, I didn't get that. Ask me about quotes, rushes, order status, stock, capacity, shortages or KPIs, for example {example}"


# ---------------------------------------------------------------- names


def display_name(item: Item | None, language: str) -> str:
    """The item as a person calls it: its name, or in Chinese its first Chinese alias."""
    if item is None:
        return ""
    if language == ZH:
        chinese = [a for a in item.aliases if has_cjk(a)]
        if chinese:
            return max(chinese, key=len)
    return item.name


def plural(name: str) -> str:
    """"DN100 gate valve" → "DN100 gate valves"; names ending in a code ("pump A", "M16") stay as they are."""
    last = name.split()[-1] if name.split() else ""
    if has_cjk(name) or not (last.isalpha() and last.islower() and len(last) >= 3) or last.endswith("s"):
        return name
    return name[:-1] + "ies" if name.endswith("y") and name[-2:-1] not in "aeiou" else name + "s"


def measure(item: Item | None) -> str:
    return _MEASURE.get(item.uom.lower(), item.uom) if item else "个"


def _days(earlier: date | None, later: date | None) -> int:
    return (later - earlier).days if earlier and later else 0


def _example_item(snapshot: PlantSnapshot | None) -> Item | None:
    if snapshot is None or not snapshot.items:
        return None
    top = [i for i in snapshot.items.values() if not snapshot.parents_of.get(i.item_id)]
    return (top or list(snapshot.items.values()))[0]


# ---------------------------------------------------------------- KPIs, capacity, shortages


def kpi(request: ParsedRequest, report: KpiReport, snapshot: PlantSnapshot, language: str) -> Reply:
    metric = request.slots.metric
    zh = language == ZH
    if metric in (Metric.OTD, Metric.OTIF):
        text = _delivery_rate(report, metric, customer=request.slots.customer, zh=zh)
    elif metric is Metric.BACKLOG:
        backlog, late = len(report.open["backlog"]), len(report.open["late_open"])
        text = f"未交订单{backlog}个，其中{late}个已逾期。" if zh else f"Backlog: {backlog} open orders, {late} past due."
    elif metric is Metric.LATE_ORDERS:
        text = _late_orders(report, snapshot, zh=zh)
    elif metric is Metric.UTILIZATION:
        text = _utilization_summary(report, snapshot, zh=zh)
    elif metric is Metric.FORECAST_ACCURACY:
        text = _accuracy(report, item_id=request.slots.item_id, zh=zh)
    elif metric is Metric.SHORTAGES:
        count = len(report.shortages)
        text = f"MRP显示{count}项缺料。" if zh else f"MRP shows {count} shortage{'s' if count != 1 else ''}."
    else:
        text = "\n".join((
            _delivery_rate(report, Metric.OTD, customer=None, zh=zh),
            _delivery_rate(report, Metric.OTIF, customer=None, zh=zh),
            (f"未交订单{len(report.open['backlog'])}个，逾期{len(report.open['late_open'])}个，缺料{len(report.shortages)}项。"
             if zh else f"Backlog {len(report.open['backlog'])} orders, {len(report.open['late_open'])} past due, "
             f"{len(report.shortages)} shortages."),
        ))
    return Reply(text, language, answer=report.to_json())


def _delivery_rate(report: KpiReport, metric: Metric, *, customer: str | None, zh: bool) -> str:
    lines = [line for line in report.last_30_days.shipped if customer is None or line.customer == customer]
    good = sum(line.on_time and (metric is Metric.OTD or line.in_full) for line in lines)
    who = f"{customer}的" if zh and customer else (f" for {customer}" if customer else "")
    label = ("准时交付率" if metric is Metric.OTD else "准时足额交付率(OTIF)") if zh else (
        "On-time delivery" if metric is Metric.OTD else "On time in full (OTIF)")
    if not lines:
        return f"近30天{who}没有已发货的订单。" if zh else f"No orders shipped in the last 30 days{who}."
    share = f"{good / len(lines):.0%}"
    if zh:
        return f"近30天{who}{label}：{share}（{len(lines)}个已发货订单中{good}个达标）。"
    return f"{label}{who}, last 30 days: {share} ({good} of {len(lines)} shipped orders)."


def _late_orders(report: KpiReport, snapshot: PlantSnapshot, *, zh: bool) -> str:
    late = list(report.open["late_open"])
    if not late:
        return "目前没有逾期订单。" if zh else "No open order is past due."
    shown = late[:MAX_LISTED_ORDERS]
    if zh:
        parts = [f"{o.order_id}（{o.customer}，逾期{o.days_late}天）" for o in shown]
        return f"{len(late)}个订单已逾期：" + "；".join(parts) + "。"
    parts = [f"{o.order_id} ({o.customer}, {o.days_late} day{'s' if o.days_late != 1 else ''} late)" for o in shown]
    return f"{len(late)} open order{'s are' if len(late) != 1 else ' is'} past due: " + "; ".join(parts) + "."


def _utilization_summary(report: KpiReport, snapshot: PlantSnapshot, *, zh: bool) -> str:
    loads = sorted((r for r in report.utilization.resources if r.utilization is not None),
                   key=lambda r: -(r.load_ratio if r.load_ratio is not None else r.utilization or 0.0))
    if not loads:
        return "没有产能数据。" if zh else "No utilisation figures are available."
    parts = [f"{_resource_name(snapshot, r.resource_id, zh)} {_percent(r.load_ratio, r.utilization)}" for r in loads[:5]]
    return ("未来14天设备负荷：" + "，".join(parts) + "。") if zh else "Utilisation, next 14 days: " + ", ".join(parts) + "."


def capacity(request: ParsedRequest, report: KpiReport, snapshot: PlantSnapshot, language: str) -> Reply:
    zh = language == ZH
    rid = request.slots.resource_id
    if rid is None:
        return Reply(_utilization_summary(report, snapshot, zh=zh), language, answer=report.to_json())
    load = next((r for r in report.utilization.resources if r.resource_id == rid), None)
    name = _resource_name(snapshot, rid, zh)
    if load is None or load.utilization is None:
        text = f"{name}未来14天没有工作时间。" if zh else f"{name} has no working time in the next 14 days."
    else:
        busy = _percent(load.load_ratio, load.utilization)
        over = load.load_ratio is not None and load.load_ratio > 1.0
        if zh:
            text = f"{name}未来14天负荷{busy}" + ("，已超负荷。" if over else "。")
        else:
            text = f"{name} is {busy} loaded over the next 14 days" + (" — overloaded." if over else ".")
    return Reply(text, language, answer={"resource_id": rid, **(load.to_json() if load else {})})


def _accuracy(report: KpiReport, *, item_id: str | None, zh: bool) -> str:
    if report.accuracy is None:
        return "还没有可以评估的预测期。" if zh else "No completed forecast periods to measure yet."
    lines = [line for line in report.accuracy.lines if item_id is None or line.item_id == item_id]
    actual = sum(line.actual for line in lines)
    if not lines or actual <= 0:
        return "该产品没有可评估的预测数据。" if zh else "No forecast periods with shipments for that item."
    wape = sum(abs(line.forecast - line.actual) for line in lines) / actual
    bias = (sum(line.forecast for line in lines) - actual) / actual
    if zh:
        return f"预测误差（WAPE）{wape:.0%}，偏差{bias:+.0%}，共{len(lines)}个预测期。"
    return f"Forecast error (WAPE) {wape:.0%}, bias {bias:+.0%}, over {len(lines)} forecast periods."


def shortages(request: ParsedRequest, found: Sequence[Shortage], snapshot: PlantSnapshot, language: str, *,
              as_of: date) -> Reply:
    s = request.slots
    item_orders = {o.order_id for o in snapshot.sales_orders if o.item_id == s.item_id} if s.item_id else set()
    relevant = [
        x for x in found
        if (s.item_id is None or x.item_id == s.item_id or item_orders & set(x.orders))
        and (s.order_id is None or s.order_id in x.orders)
        and (s.due_date is None or x.date <= s.due_date)
    ]
    zh = language == ZH
    if not relevant:
        text = "没有缺料。" if zh else "No material shortages."
        return Reply(text, language, answer={"shortages": []})
    parts = []
    for x in relevant[:MAX_LISTED_ORDERS]:
        item = snapshot.items.get(x.item_id)
        orders = ", ".join(x.orders[:3])
        if zh:
            parts.append(f"{display_name(item, ZH)}从{wording.day(x.date, ZH, today=as_of)}起缺{wording.qty(x.qty)}{measure(item)}"
                         + (f"（影响{orders}）" if orders else ""))
        else:
            parts.append(f"{display_name(item, EN)} short {wording.qty(x.qty)} {item.uom if item else ''} from "
                         f"{wording.day(x.date, EN, today=as_of)}" + (f" ({orders})" if orders else ""))
    more = len(relevant) - len(parts)
    if zh:
        text = f"{len(relevant)}项缺料：" + "；".join(parts) + (f"；另有{more}项。" if more else "。")
    else:
        text = f"{len(relevant)} shortage{'s' if len(relevant) != 1 else ''}: " + "; ".join(parts) + (
            f"; and {more} more." if more else ".")
    return Reply(text, language, answer={"shortages": [x.to_json() for x in relevant]})


def digest_summary(figures: dict[str, Any], language: str) -> str:
    """The digest's key figures in two lines (the bot posts the full digest with its own layout)."""
    otd, day = figures.get("otd_last_30_days"), figures.get("as_of", "")
    late, risk, pending = figures.get("late_open_orders", 0), figures.get("at_risk_orders", 0), figures.get("pending_requests", 0)
    if language == ZH:
        rate = "无发货" if otd is None else f"{otd:.0%}"
        return (f"{figures.get('plant', '')} {day}：近30天准时交付率{rate}；未交订单{figures.get('backlog_orders', 0)}个"
                f"（逾期{late}个，有风险{risk}个），缺料{figures.get('shortages', 0)}项，待批准申请{pending}个。")
    rate = "no shipments" if otd is None else f"{otd:.0%}"
    return (f"{figures.get('plant', '')}, {day}: on-time delivery {rate} (last 30 days); backlog "
            f"{figures.get('backlog_orders', 0)} orders ({late} past due, {risk} at risk), "
            f"{figures.get('shortages', 0)} shortages, {pending} requests waiting for approval.")


def _resource_name(snapshot: PlantSnapshot, resource_id: str, zh: bool) -> str:
    resource = snapshot.resources.get(resource_id)
    if resource is None:
        return resource_id
    if zh:
        chinese = [a for a in resource.aliases if has_cjk(a)]
        return f"{max(chinese, key=len) if chinese else resource.name}（{resource_id}）"
    return f"{resource.name} ({resource_id})"


def _percent(ratio: float | None, capped: float | None) -> str:
    value = ratio if ratio is not None else capped
    return "—" if value is None else f"{value:.0%}"
