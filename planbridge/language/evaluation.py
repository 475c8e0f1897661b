"""Scoring a parser on an evaluation set (JSON lines; `planbridge eval-nl FILE`).

Each line: {"id", "text", "intent", "slots": {seven slot keys}, "plant" (opt, a plant folder
next to the file), "as_of" (opt, YYYY-MM-DD)}. A slot missing from "slots" is expected to be
null. Optional keys: "window" ({"from", "to"} or null: the period a list, load or KPI question
is about; scored only when the key is there), "user_language" (the asker's setting) and
"reply_language" (the language the answer must be in; scored only when there), "lang" (the
group the case is reported in: en, zh, zh-Hant, mixed; by default zh when the text has
Chinese characters). Reported: intent accuracy, per-slot accuracy (over every case, nulls
included, and over the cases where the slot is expected to be filled), full-frame accuracy
(intent, all seven slots, and the window and reply language where scored), the same by
language group, and the confusion pairs of intents.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from planbridge.errors import BadRequest
from planbridge.language.frame import SLOT_NAMES, ParsedRequest
from planbridge.language.rules.text import has_cjk

# (request, the asker's language setting, the text) → the language the reply is written in
ReplyLanguage = Callable[[ParsedRequest, str | None, str], str]


@dataclass(frozen=True, slots=True)
class EvalCase:
    case_id: str
    text: str
    intent: str
    slots: dict[str, Any]
    plant: str | None = None
    as_of: date | None = None
    window: dict[str, str] | None = None
    scores_window: bool = False
    user_language: str | None = None
    reply_language: str | None = None
    group: str = "en"


def load_cases(path: Path) -> list[EvalCase]:
    """Read an evaluation file; a malformed line is a bad request naming the line."""
    cases: list[EvalCase] = []
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as exc:
        raise BadRequest(f"cannot read {path}: {exc.strerror or exc}") from None
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            raw = json.loads(line)
            slots = raw.get("slots") or {}
            unknown = set(slots) - set(SLOT_NAMES)
            if unknown:
                raise ValueError(f"unknown slot(s) {sorted(unknown)}")
            cases.append(EvalCase(
                case_id=str(raw.get("id", number)),
                text=str(raw["text"]),
                intent=str(raw["intent"]),
                slots={name: slots.get(name) for name in SLOT_NAMES},
                plant=raw.get("plant"),
                as_of=date.fromisoformat(raw["as_of"]) if raw.get("as_of") else None,
                window=_window(raw.get("window")),
                scores_window="window" in raw,
                user_language=raw.get("user_language"),
                reply_language=raw.get("reply_language"),
                group=str(raw.get("lang") or ("zh" if has_cjk(str(raw["text"])) else "en")),
            ))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BadRequest(f"{path}:{number}: not an evaluation case ({exc})") from None
    return cases


def _window(raw: Any) -> dict[str, str] | None:
    if raw is None:
        return None
    first, last = date.fromisoformat(raw["from"]), date.fromisoformat(raw["to"])
    if last < first:
        raise ValueError("a window ends before it starts")
    return {"from": first.isoformat(), "to": last.isoformat()}


@dataclass
class GroupScore:
    total: int = 0
    intent_correct: int = 0
    frame_correct: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"cases": self.total,
                "intent_accuracy": round(self.intent_correct / self.total, 4) if self.total else None,
                "frame_accuracy": round(self.frame_correct / self.total, 4) if self.total else None}


@dataclass
class EvalReport:
    total: int = 0
    intent_correct: int = 0
    frame_correct: int = 0
    slot_correct: Counter[str] = field(default_factory=Counter)
    slot_filled: Counter[str] = field(default_factory=Counter)  # cases where the slot is expected non-null
    slot_filled_correct: Counter[str] = field(default_factory=Counter)
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)
    failures: list[dict[str, Any]] = field(default_factory=list)
    groups: dict[str, GroupScore] = field(default_factory=dict)
    window_scored: int = 0
    window_correct: int = 0
    language_scored: int = 0
    language_correct: int = 0

    @property
    def intent_accuracy(self) -> float:
        return self.intent_correct / self.total if self.total else 0.0

    @property
    def frame_accuracy(self) -> float:
        return self.frame_correct / self.total if self.total else 0.0

    def slot_accuracy(self, name: str) -> float:
        return self.slot_correct[name] / self.total if self.total else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "cases": self.total,
            "intent_accuracy": round(self.intent_accuracy, 4),
            "frame_accuracy": round(self.frame_accuracy, 4),
            "slots": {
                name: {
                    "accuracy": round(self.slot_accuracy(name), 4),
                    "filled_cases": self.slot_filled[name],
                    "filled_accuracy": round(self.slot_filled_correct[name] / self.slot_filled[name], 4)
                    if self.slot_filled[name] else None,
                }
                for name in SLOT_NAMES
            },
            "window_accuracy": round(self.window_correct / self.window_scored, 4) if self.window_scored else None,
            "reply_language_accuracy": round(self.language_correct / self.language_scored, 4)
            if self.language_scored else None,
            "by_language": {name: score.to_json() for name, score in sorted(self.groups.items())},
            "confusions": [
                {"expected": expected, "got": got, "count": count}
                for (expected, got), count in self.confusions.most_common()
            ],
            "failures": self.failures,
        }


def evaluate(
    cases: list[EvalCase], parse: Callable[[EvalCase], ParsedRequest], *, reply_language: ReplyLanguage | None = None,
) -> EvalReport:
    report = EvalReport()
    for case in cases:
        got = parse(case)
        got_slots = got.slots.to_json()
        report.total += 1
        group = report.groups.setdefault(case.group, GroupScore())
        group.total += 1
        intent_ok = got.intent.value == case.intent
        report.intent_correct += intent_ok
        group.intent_correct += intent_ok
        if not intent_ok:
            report.confusions[(case.intent, got.intent.value)] += 1
        wrong = []
        for name in SLOT_NAMES:
            ok = same_value(case.slots[name], got_slots[name])
            report.slot_correct[name] += ok
            if case.slots[name] is not None:
                report.slot_filled[name] += 1
                report.slot_filled_correct[name] += ok
            if not ok:
                wrong.append(name)
        extra = _extras(case, got, reply_language)
        for name, (expected, answer) in extra.items():
            ok = expected == answer
            if name == "window":
                report.window_scored += 1
                report.window_correct += ok
            else:
                report.language_scored += 1
                report.language_correct += ok
        wrong_extras = {name: pair for name, pair in extra.items() if pair[0] != pair[1]}
        if intent_ok and not wrong and not wrong_extras:
            report.frame_correct += 1
            group.frame_correct += 1
        else:
            report.failures.append({
                "id": case.case_id, "text": case.text, "expected_intent": case.intent, "got_intent": got.intent.value,
                "wrong_slots": {name: {"expected": case.slots[name], "got": got_slots[name]} for name in wrong}
                | {name: {"expected": expected, "got": answer} for name, (expected, answer) in wrong_extras.items()},
            })
    return report


def _extras(case: EvalCase, got: ParsedRequest, reply_language: ReplyLanguage | None) -> dict[str, tuple[Any, Any]]:
    """The window and the reply language, where the case scores them: (expected, got)."""
    found: dict[str, tuple[Any, Any]] = {}
    if case.scores_window:
        found["window"] = (case.window, got.to_json().get("window"))
    if case.reply_language is not None:
        answered = reply_language(got, case.user_language, case.text) if reply_language else got.language
        found["reply_language"] = (case.reply_language, answered)
    return found


def same_value(expected: Any, got: Any) -> bool:
    if isinstance(expected, int | float) and isinstance(got, int | float):
        return abs(float(expected) - float(got)) < 1e-9
    if isinstance(expected, str) and isinstance(got, str):
        return expected.strip() == got.strip()
    return bool(expected == got)
