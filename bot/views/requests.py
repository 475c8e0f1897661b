"""Block Kit for change requests in the production channel: Approve / Reject, then the decision."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.views.answers import impacted_text
from bot.views.blocks import Block, actions, button, confirm_dialog, context, escape, header, section
from bot.views.words import words
from planbridge.services import wording

APPROVE = "planbridge_approve"
REJECT = "planbridge_reject"


def request_blocks(request: dict[str, Any], language: str, *, origin: dict[str, str] | None = None) -> list[Block]:
    """A pending request (`RequestAnswer.to_json()`) with its impact analysis and the two buttons.

    `origin` (channel and thread of the conversation that asked) rides in the button value,
    so the decision can be posted back there; Slack signs it with the click.
    """
    blocks = _body(request, language)
    if request["status"] != "pending":
        return [*blocks, context(_status(request, language))]
    value = {"request_id": request["request_id"], **({"origin": origin} if origin else {})}
    blocks.append(context(words(language, "status_pending")))
    blocks.append(actions(
        f"decide_{request['request_id']}",
        button(words(language, "approve"), action_id=APPROVE, value=value, style="primary",
               confirm=confirm_dialog(title=words(language, "approve_confirm_title", request_id=request["request_id"]),
                                      text=words(language, "approve_confirm_text"),
                                      confirm=words(language, "approve"), deny=words(language, "cancel"))),
        button(words(language, "reject"), action_id=REJECT, value=value, style="danger"),
    ))
    return blocks


def decided_blocks(request: dict[str, Any], language: str) -> list[Block]:
    """The request after a decision: no buttons, who decided, and what the service said."""
    return [*_body(request, language), section(escape(request.get("explanation") or "")),
            context(_status(request, language))]


def _body(request: dict[str, Any], language: str) -> list[Block]:
    kind = words(language, f"kind_{request['kind']}")
    impact = request.get("impact") or {}
    payload = request.get("payload") or {}
    today = date.fromisoformat(payload["as_of"]) if payload.get("as_of") else None
    subject = request.get("order_id") or words(
        language, "new_order", qty=wording.qty(payload.get("qty")), item=payload.get("item_id", "?"))
    blocks: list[Block] = [
        header(words(language, "request_title", kind=kind, request_id=request["request_id"]) + f" · {subject}"),
        context(words(language, "asked_by", user=f"<@{request['requested_by']}>")),
    ]
    explanation = impact.get("explanation") or (request.get("explanation") if request["status"] == "pending" else None)
    if explanation:
        blocks.append(section(escape(explanation)))
    if "impacted" in impact and request["kind"] != "cancel":
        blocks.append(section(f"*{words(language, 'impacted')}*\n"
                              + impacted_text(impact["impacted"], language, today)))
    return blocks


def _status(request: dict[str, Any], language: str) -> str:
    status = request["status"]
    if status == "approved":
        return ":white_check_mark: " + words(language, "status_approved", user=f"<@{request['decided_by']}>")
    if status == "rejected":
        return ":no_entry: " + words(language, "status_rejected", user=f"<@{request['decided_by']}>")
    return words(language, "status_pending")
