"""Request bodies of the REST API. Values are checked by the services (zero quantity → 400),
so the models only say what each field is."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class QuoteBody(_Body):
    item: str = Field(description="Item id, name or alias.", examples=["DN100-GATE"])
    qty: float = Field(description="Quantity (must be > 0).", examples=[500])
    due: date | None = Field(None, description="Requested date.")
    customer: str | None = None
    as_of: date | None = Field(None, description="Plan as if today were this date.")
    user: str | None = Field(None, description="Chat user id (sets the reply language).")
    lang: Literal["en", "zh", "zh-Hant"] | None = None
    exact: bool = Field(True, description="False: the first answer only (feasible, from the committed plan, in "
                                          "milliseconds), not the exact earliest day.")


class AvailableBody(_Body):
    item: str = Field(description="Item id, name or alias.", examples=["DN50-CHECK"])
    by: date = Field(description="The date the quantity must be ready by.")
    customer: str | None = None
    as_of: date | None = Field(None, description="Plan as if today were this date.")
    user: str | None = Field(None, description="Chat user id (sets the reply language).")
    lang: Literal["en", "zh", "zh-Hant"] | None = None


class RushBody(_Body):
    due: date = Field(description="The date the rushed order is needed.")
    order_id: str | None = Field(None, description="An open order; or give item and qty for a new one.")
    item: str | None = None
    qty: float | None = None
    customer: str | None = None
    as_of: date | None = None
    user: str | None = None
    lang: Literal["en", "zh", "zh-Hant"] | None = None


class BookBody(_Body):
    item: str
    qty: float
    customer: str
    due: date | None = None
    user: str | None = Field(None, description="Chat user id of the rep booking (recorded as the owner).")
    as_of: date | None = None
    lang: Literal["en", "zh", "zh-Hant"] | None = None
    quoted: date | None = Field(None, description="The day the customer was quoted, when the exact answer was "
                                                  "earlier than the first: booked there if the plant can hold it.")


class RequestBody(_Body):
    kind: Literal["rush", "change", "cancel"]
    user: str = Field(description="Chat user id of the requester.")
    order_id: str | None = None
    due: date | None = None
    qty: float | None = None
    item: str | None = Field(None, description="A rush for a new order: item, qty, due and customer.")
    customer: str | None = None
    note: str | None = None
    as_of: date | None = None


class DecisionBody(_Body):
    user: str = Field(description="Chat user id of the decider: only production or admin users may decide.")
    reason: str | None = None
    as_of: date | None = None


class QualityEventBody(_Body):
    kind: Literal["complaint", "return", "ncr"]
    user: str = Field(description="Chat user id: sales log complaints and returns; production, planners, admins NCRs.")
    item: str | None = Field(None, description="The item (default: the order's).")
    qty: float = Field(0.0, ge=0)
    customer: str | None = Field(None, description="The customer (default: the order's).")
    order_id: str | None = None
    note: str | None = None
    lang: str | None = None


class QualityCloseBody(_Body):
    user: str = Field(description="Chat user id: production, planners and admins close events.")
    lang: str | None = None


class ScheduleBody(_Body):
    time_limit: float = Field(10.0, description="Solver time limit in seconds (at most 120 through the API).")
    save: bool = Field(False, description="Store it for the digest and the utilisation KPIs.")
    as_of: date | None = None
    campaign_window_days: int = Field(3, ge=0, le=28, description=(
        "Merge batches of one item for orders due within this many days, so the set-up is paid once (0: never)."))


class ParseBody(_Body):
    text: str
    as_of: date | None = None
    mode: Literal["rules", "llm", "hybrid"] | None = None


class AskBody(_Body):
    text: str
    user: str | None = None
    thread: str | None = Field(None, description="Conversation id: follow-ups reuse its slots.")
    as_of: date | None = None
    mode: Literal["rules", "llm", "hybrid"] | None = None


class ErrorDocument(BaseModel):
    """Every refusal and failure: what went wrong, in one line the caller can show."""

    error: str = Field(description="What went wrong.", examples=["quantity must be greater than zero, got -5.0"])
    details: list[str] | None = Field(None, description="Each problem, when there are several.")
    reference: str | None = Field(None, description="On a 500: the id the server log line carries.")


ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorDocument, "description": "Bad input (a field missing, out of range or unknown)"},
    401: {"model": ErrorDocument, "description": "Missing or wrong bearer token"},
    403: {"model": ErrorDocument, "description": "The acting user's role may not do this"},
    404: {"model": ErrorDocument, "description": "Unknown item, order, request or job"},
    409: {"model": ErrorDocument, "description": "Conflicts with the current state (e.g. already decided)"},
    413: {"model": ErrorDocument, "description": "Request body over PLANBRIDGE_MAX_BODY_BYTES"},
    422: {"model": ErrorDocument, "description": "A planning refusal the user can act on"},
    500: {"model": ErrorDocument, "description": "An unexpected failure (with a reference id)"},
}
