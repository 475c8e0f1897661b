"""Which planning question a message asks: weighted cue words per intent, plus what was found.

Cues are matched on the message after entities, orders and dates were replaced by
placeholders, so "rush" in a customer's name or "may" in a date cannot vote. Each
intent's score is the sum of its matched cue weights and a few priors from the slots
(an order id makes "status" likely and a new quote unlikely; an item and a quantity make
a quote likely). The best score wins; the margin over the runner-up gives confidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from planbridge.language.frame import Intent, Metric
from planbridge.language.rules.text import ORDER_MARK, ascii_words

_O = ORDER_MARK

_CUES: dict[Intent, tuple[tuple[str, float], ...]] = {
    Intent.CANCEL: (
        (r"\bcancel+(?:l?ed|l?ing|lation|s)?\b|\bcancle\b|\bcancell\b", 3.5),
        (r"取消|撤单|撤销|撤回订单|作废|退单|砍单|不要了", 3.5),
        (rf"\bdrop(?:ping)?\s+(?:the\s+)?(?:order|{_O})|\bcall(?:ing)?\s+off\b|\bwithdraw", 3.0),
    ),
    Intent.CHANGE: (
        (r"\bchange\b|\bchanging\b|\bmodif(?:y|ied)\b|\bamend|\bupdate\s+(?:the\s+)?(?:order|qty|quantity|date|" + _O + r")|\badjust", 2.5),
        (r"\bpush(?:ed|ing)?\s+(?:\S+\s+)?(?:out|back)\b|\bpostpone|\bdelay(?:ed|ing)?\b|\breschedul|\bmov(?:e|ed|ing)\b(?!\s+(?:\S+\s+)?up\b)|\bshift(?:ed)?\b", 2.5),
        (r"\bincrease|\breduce|\bdecrease|\bcut\s+(?:\S+\s+)?(?:to|down)|\bbump\s+(?:\S+\s+)?(?:to|up)\b"
         r"|\bdouble\b|\btriple\b|\bhalve\b|\btop\s+up\b", 2.5),
        (r"改|修改|更改|变更|调整|推迟|延期|延后|推后|往后推|加到|减到|增加到|减少到|挪到|挪", 2.5),
    ),
    Intent.RUSH: (
        (r"\brush|\bexpedit|\burgent|\bhot\s+order|\bpull(?:ed|ing)?\s+(?:\S+\s+){0,2}in\b|\bpull\s+(?:forward|ahead)"
         r"|\bbring\s+(?:\S+\s+){0,2}forward|\bmove\s+(?:\S+\s+)?up\b|\bspeed\s+up|\bprioriti[sz]|\btop\s+priority"
         r"|\bsooner\b|\bearlier\b", 3.0),
        (r"加急|急单|插单|提前|赶在|赶一下|赶出|赶工|加快|优先|很急|催货|催单|催", 3.0),
        (r"\basap\b|尽快|马上|急", 1.5),
        (r"\bimpact\b|影响", 1.0),
    ),
    Intent.QUOTE: (
        (r"\bwhen\s+(?:can|could|will|would)\s+(?:we|you|u|they|he|she)\b|\bhow\s+(?:soon|fast|quickly|long)\b|\bearliest\b", 2.5),
        (r"\bquot(?:e|ation)\b|\bdelivery\s+date\b|\bpromise\s+date\b|\bcommit\b|\bpromise\b|\blead\s?time\b|\batp\b|\bctp\b|\brfq\b|\benquiry\b|\binquiry\b", 2.5),
        (r"\bcan\s+(?:we|you|u)\s+(?:deliver|ship|make|do|supply|build|get|produce|promise|handle|manage|send)\b|\bwhen\s+can\b", 2.0),
        (r"\bfeasible\b|\bpossible\b|\bdoable\b|\bcan\s+do\b|\bable\s+to\b|\bcan\s+we\b|\bcould\s+we\b", 1.5),
        (r"\bwants?\b|\bneeds?\b|\bneeded\b|\basking\s+for\b|\basks?\b|\brequir", 1.0),
        (r"什么时候能|什么时候可以|多久能|多久可以|最快|最早|几时能|哪天能|何时能|多长时间|多久", 2.5),
        (r"交期|交货期|货期|报价|询价|报个|交货时间", 2.5),
        (r"能不能|能否|可不可以|可否|是否能|能.{0,12}吗|可以.{0,10}吗|行吗|来得及|赶得上|做得出|能行|ok吗", 2.0),
        (r"要|需要|下单", 0.5),
    ),
    Intent.AVAILABLE: (
        (r"\bhow\s+(?:many|much)\b.{0,60}\b(?:can|could|will|would)\s+(?:we|i|you|u|they)\s+(?:\S+\s+)?(?:ship|deliver|make|get|promise|"
         r"commit|supply|build|produce|send|do|have|finish)\b"
         r"|\bhow\s+(?:many|much)\b.{0,60}\b(?:can|could)\s+(?:ship|be\s+(?:shipped|delivered|made|ready))\b"
         r"|\bhow\s+(?:many|much)\b.{0,60}\b(?:can|could)\s+\ue004+\s+(?:get|have|receive)\b"
         r"|\bhow\s+(?:many|much)\b.{0,60}\b(?:we|i|you)\s+(?:can|could)\s+(?:ship|deliver|make|get|promise|supply|build|"
         r"produce|send|do|have)\b"
         r"|\b(?:max(?:imum)?|most)\b.{0,40}\b(?:we|i)\s+(?:can|could)\b|\bmax(?:imum)?\s+(?:qty|quantity|number|amount)\b"
         r"|\bavailable\s+to\s+promise\b|\bavailable\s+(?:by|before|for|on)\s+\ue003|\bhave\s+ready\b", 4.5),
        (r"最多.{0,8}(?:能|可以|可)|能(?:交|出|发|供|做出|做|给|生产|提供|出货|发货|交付)(?:出)?(?:多少|几)|可交(?:数量|多少)"
         r"|能(?:交|出|发|供|做|给)出?多少|可(?:交|供|发)(?:多少|几)|可交付(?:数量|多少)", 4.5),
    ),
    Intent.LATE_ORDERS: (
        (r"\blate\s+orders?\b|\borders?\s+(?:at\s+risk|behind|running\s+late)\b|\bat[\s-]risk\s+orders?\b", 2.0),
        (r"(?:逾期|延误|延期|晚交|迟交|拖期)的?订单|订单.{0,6}(?:风险)", 2.0),
    ),
    Intent.ORDER_STATUS: (
        (r"\bprojected\b|\bexpected\s+(?:date|completion|delivery)|\bforecast(?:ed)?\s+date|\bmake\s+(?:its|the|their)\s+(?:date|promise)"
         r"|\bhow\s+(?:is|does)\s+\ue002\s+(?:look|looking)|\bwhen\s+will\s+\ue002\b", 2.5),
        (r"预计|预期|完工|哪天完成|能否按时|能不能按时|能按时", 2.5),
        (r"\bstatus\b|\bwhere(?:'s|\s+is|\s+are)\b|\bon\s+(?:track|schedule)\b|\bshipped\b|\bwhen\s+will\s+(?:the\s+)?(?:order|" + _O + r")"
         r"|\beta\b|\bupdate\s+on\b|\bprogress\b|\btracking\b|\bgoing\s+to\s+be\s+on\s+time\b|\bon\s+time\b", 2.5),
        (r"\border(?:s)?\b.{0,30}\bopen\b|\bopen\s+orders\b", 1.5),
        (r"状态|进度|到哪|发货了吗|发了吗|什么时候发货|什么时候发|按时|交了吗|到货了吗|交期是|哪天交|哪些.{0,4}订单|有什么订单", 2.5),
        (r"\border(?:s)?\b|订单", 0.5),
    ),
    Intent.STOCK: (
        (r"\bstock\b|\binventory\b|\bon[\s-]?hand\b|\bwarehouse\b|\bavailable\b|\bis\s+left\b|\bare\s+left\b|\bleft\s+in\b"
         r"|\bdo\s+we\s+(?:still\s+)?have\b|\bhave\s+we\s+got\b|\bon\s+the\s+shelf\b|\bin\s+stock\b", 3.0),
        (r"库存|现货|存货|有货|还有多少|还剩|剩多少|仓库", 3.0),
        (r"\bhow\s+many\b|\bhow\s+much\b|有多少", 1.0),
    ),
    Intent.CAPACITY: (
        (r"\bcapacity\b|\bloaded\b|\bload\b|\bbusy\b|\bfree\b|\bbottleneck|\bhow\s+full\b|\bbooked\s+up\b|\bidle\b", 3.0),
        (r"产能|负荷|排满|忙|有空|空闲|瓶颈|满负荷|排产|机时|开工率", 3.0),
    ),
    Intent.SHORTAGES: (
        (r"\bshortages?\b|\bshort\s+(?:of|on)\b|\bwhat\s+are\s+we\s+short\b|\bmissing\b|\brun(?:ning)?\s+out\b"
         r"|\bmaterial\s+(?:problems?|issues?)\b|\bkitting\b", 3.0),
        (r"缺料|缺什么|缺哪些|短缺|缺货|欠料|缺|齐套|物料不够|料不够|不够料", 3.0),
        (r"\benough\b|够不够|够吗|够用吗|够做", 2.5),
        (r"\benough\s+(?!capacity|stock|time|room|inventory)\S+.{0,40}\bfor\b|够不够做|够做", 1.5),  # "enough X for Y"  # "enough castings for 200?": stock or capacity words outvote it
    ),
    Intent.KPI: (
        (r"\bkpis?\b|\bmetrics?\b|\bperformance\b|指标|绩效", 3.0),
        (r"\bhow\s+many\s+shortages\b|\bnumber\s+of\s+shortages\b|\bshortage\s+count\b|缺料.{0,3}(?:几项|多少项|几个|数量)", 4.0),
        (r"\bhow\s+many\b|\bnumber\s+of\b|几个|多少个订单|有几", 1.0),
    ),
    Intent.DIGEST: (
        (r"\bdigest\b|\bsummary\b|\bdaily\s+(?:report|update|brief)|\bmorning\s+(?:report|brief|update)|\bbrief\s+me\b"
         r"|\bwhat'?s\s+(?:going\s+on|happening|up)\b", 3.5),
        (r"日报|摘要|汇总|简报|早报|概况|整体情况|今天.{0,6}情况|总体情况", 3.5),
        (r"\boverview\b", 2.0),
    ),
    Intent.QUALITY: (
        (r"\bquality\b|\bcomplaints?\b|\bcomplain(?:ed|ing|s)?\b|\bncrs?\b|\bnon[\s-]?conformanc\w*|\bdefects?\b"
         r"|\bquarantin\w*|\bcustomer\s+returns?\b|\breturns?\s+(?:from|for|of|by)\b|\bon\s+(?:quality\s+)?hold\b(?!.{0,20}\b(?:order|\ue002))", 4.0),
        (r"质量|品质|品質|投诉|投訴|客诉|客訴|退货|退貨|不合格|冻结库存|凍結庫存|隔离|隔離", 4.0),
    ),
    Intent.HELP: (
        (r"^\s*(?:help|\?+|(?:hi|hello|hey)(?:\s+(?:there|all|team|bot|planbridge))?|你好呀?|您好|帮助|在吗)\s*[!.?。！？~]*\s*$",
         4.0),
        (r"\bwhat\s+(?:can|does)\s+(?:you|it|this|the)\s*(?:bot|assistant)?\s+do\b|\bhow\s+do\s+i\b|\bhow\s+to\s+use\b|\bcommands\b|\bwhat\s+do\s+you\s+do\b|\bhelp\s+me\s+use\b", 4.0),
        (r"你能做什么|你会什么|能干什么|怎么(?:用|查|问|使用|操作)|如何(?:使用|用|查)|帮助|使用说明", 4.0),
    ),
}
_COMPILED = {intent: tuple((re.compile(ascii_words(p)), w) for p, w in cues) for intent, cues in _CUES.items()}

_METRICS: tuple[tuple[Metric, str], ...] = (
    (Metric.OTIF, r"\botif\b|\bin\s+full\b|足额准时|准时足额"),
    (Metric.OTD, r"\botd\b|\bon[\s-]time\s+(?:delivery|rate|performance|%|percentage)|\bdelivery\s+performance\b|\bdelivered\s+on\s+time\b"
                 r"|准时交付|准时交货|准交率|准时率|交付率|按时交付|按时交货率"),
    (Metric.BACKLOG, r"\bbacklog\b|积压|在手订单"),
    (Metric.LATE_ORDERS, r"\blate\s+orders?\b|\borders?\s+(?:are\s+|is\s+)?(?:late|overdue|past\s+due|behind)\b|\boverdue\b|\bpast\s+due\b"
                         r"|(?:订单|单子).{0,4}(?:延期|逾期|拖期)|延期(?:了|的订单|订单)|逾期|拖期|晚交|延误|迟交"),
    (Metric.UTILIZATION, r"\butili[sz]ation\b|\butili[sz]ed\b|利用率|稼动率|负荷率|开动率"),
    (Metric.FORECAST_ACCURACY, r"\bforecast\s+(?:accuracy|error)|\bmape\b|预测准确|预测精度|预测误差|预测.{0,3}准"),
    (Metric.SHORTAGES, r"\bshortages?\b|缺料"),
)
_METRICS_COMPILED = tuple((metric, re.compile(ascii_words(p))) for metric, p in _METRICS)
_KPI_METRICS = frozenset(
    {Metric.OTD, Metric.OTIF, Metric.BACKLOG, Metric.LATE_ORDERS, Metric.UTILIZATION, Metric.FORECAST_ACCURACY}
)
CAPACITY_CONTEXT = _COMPILED[Intent.CAPACITY]

# Orders that are or will be late, or at risk: a list question, or about one order (its outlook).
_LATE = re.compile(ascii_words(
    r"\blate\b|\bat[\s-]risk\b|\bbehind\b|\boverdue\b|\bpast\s+due\b|\bslip(?:s|ping|ped)?\b|\bmiss(?:es|ing)?\s+(?:its|their|the)\s+"
    r"(?:promise|date|due)|\bon\s+(?:time|track|schedule)\b|\bin\s+time\b|\bmake\s+(?:its|the|their)\s+(?:date|promise)"
    r"|延误|延期|逾期|晚交|迟交|拖期|有风险|风险|交不了|来不及|赶不上|按时|准时"
))
_LIST = re.compile(ascii_words(
    r"\bwhich\b|\bwhat\b|\blist\b|\bshow\b|\bany\b|\bare\s+there\b|\border(?:s)?\s+for\b|^\s*late\s+orders?\b"
    r"|哪些|哪几|哪个|列出|列一下|有没有|有.{0,6}吗|有哪|什么订单|\ue004.{0,6}订单"
))
_COUNT = re.compile(ascii_words(r"\bhow\s+many\b|\bnumber\s+of\b|\bcount\b|几个|多少个|多少张|几张|数量"))

_APPROVAL = re.compile(ascii_words(r"\bapprov|\bsign\s+off\b|\bauthori[sz]e|批准|审批|同意|签字"))
_FOLLOW_UP = re.compile(ascii_words(
    r"^\s*(?:and|what\s+about|how\s+about|what\s+if|then|same\s+for|also)\b|^\s*(?:那|要是|如果|假如|换成|改成)|呢\s*[?？]?\s*$"
))


@dataclass(frozen=True, slots=True)
class Found:
    """What the entity and number rules found, as far as choosing an intent cares."""

    item: bool
    qty: bool
    order: bool
    customer: bool
    resource: bool
    date: bool
    target: bool = False  # a "to …" date or quantity: the message asks for a change


@dataclass(frozen=True, slots=True)
class Classification:
    intent: Intent
    confidence: float
    metric: Metric | None
    asks_approval: bool
    follow_up: bool
    hint: Intent | None = None  # the best intent of an elliptical follow-up, withheld for lack of an anchor


def classify(text: str, found: Found) -> Classification:
    """Choose the intent of `text` (lower case, with entities replaced by placeholders)."""
    scores = {intent: sum(w for p, w in cues if p.search(text)) for intent, cues in _COMPILED.items()}
    metric = detect_metric(text)
    if metric is None and not found.order and _LATE.search(text) and _COUNT.search(text):
        metric = Metric.LATE_ORDERS  # "how many orders will be late next week?"
    outlook = _add_lateness(scores, text, found, metric)
    if metric in _KPI_METRICS and not outlook:
        scores[Intent.KPI] += 3.5
    _add_priors(scores, found)
    if metric is Metric.UTILIZATION and found.resource:
        scores[Intent.CAPACITY] = max(scores[Intent.CAPACITY], scores[Intent.KPI]) + 1.0
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    (best, top), (_, second) = ranked[0], ranked[1]
    follow_up = bool(_FOLLOW_UP.search(text))
    anchored = found.item or found.order or found.customer or found.resource
    asks_approval = bool(_APPROVAL.search(text))
    if top < 1.0:
        return Classification(Intent.UNKNOWN, 0.3, metric, asks_approval, follow_up)
    if follow_up and not anchored and best not in (Intent.KPI, Intent.DIGEST, Intent.HELP):
        # "要是改成下周五呢？" is not an order change: it completes the previous request.
        return Classification(Intent.UNKNOWN, 0.4, metric, asks_approval, follow_up, hint=best)
    confidence = min(0.97, 0.45 + 0.08 * min(top, 5.0) + 0.06 * min(top - second, 3.0))
    return Classification(best, confidence, metric, asks_approval, follow_up)


def _add_lateness(scores: dict[Intent, float], text: str, found: Found, metric: Metric | None) -> bool:
    """Late or at-risk words: about one order, its outlook ("is SO-2417 going to be late?"); else a
    list ("what's late this week?"), unless they ask for a count (a KPI). True: an order's outlook."""
    if not _LATE.search(text) or scores[Intent.RUSH] >= 3.0 or scores[Intent.CANCEL] >= 3.0:
        return False
    if found.order:
        if found.target:
            return False  # "SO-2422延期到2月5日" changes the order
        scores[Intent.ORDER_STATUS] += 4.0
        return True
    if _COUNT.search(text) or (metric is not None and metric is not Metric.LATE_ORDERS):
        return False
    if metric is Metric.LATE_ORDERS or _LIST.search(text):
        scores[Intent.LATE_ORDERS] += 6.0
    return False


def _add_priors(scores: dict[Intent, float], found: Found) -> None:
    if found.order:
        scores[Intent.ORDER_STATUS] += 1.0
        scores[Intent.CHANGE] += 0.5
        scores[Intent.QUOTE] -= 2.0
        scores[Intent.STOCK] -= 1.0
    elif found.item and found.qty:
        scores[Intent.QUOTE] += 2.0
        scores[Intent.AVAILABLE] -= 3.0  # a quantity asks when, not how many
    elif found.item:
        scores[Intent.STOCK] += 0.5
    if found.customer and not found.qty and not found.order:
        scores[Intent.ORDER_STATUS] += 1.0  # a customer without a quantity: a question about their orders
    if found.resource:
        scores[Intent.CAPACITY] += 1.0


def detect_metric(text: str) -> Metric | None:
    for metric, pattern in _METRICS_COMPILED:
        if pattern.search(text):
            return metric
    return None


def capacity_context(text: str) -> bool:
    """Whether the message talks about machine load (then "paint" is the paint booth, not the paint)."""
    return any(p.search(text) for p, _ in CAPACITY_CONTEXT) or detect_metric(text) is Metric.UTILIZATION
