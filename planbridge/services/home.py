"""What a person sees on opening the app's home: their orders and requests (sales), the requests
waiting for a decision and the next 14 days' load (production and planners).

Data only: `presentation.home` words it, a chat adapter draws it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from planbridge.records import RequestStatus, StoredRequest
from planbridge.services.context import ServiceContext
from planbridge.services.lateness import OrderState, order_states
from planbridge.services.material import KpiCommand, kpis
from planbridge.services.requests import list_requests
from planning_core.kpi import UTILIZATION_DAYS, ResourceLoad
from planning_core.model import PlantSnapshot, Role, User

DECIDERS = (Role.PRODUCTION, Role.PLANNER, Role.ADMIN)  # they see what waits for a decision, and the load
MAX_PENDING = 50


@dataclass(frozen=True)
class HomeCommand:
    user_id: str | None
    as_of: date | None = None


@dataclass(frozen=True)
class HomeAnswer:
    """`user` is None for someone the plant does not know (they see only how to get in)."""

    user: User | None
    as_of: date
    snapshot: PlantSnapshot  # for names
    orders: tuple[OrderState, ...] = ()  # the user's open orders, by promise date
    my_requests: tuple[StoredRequest, ...] = ()  # the user's requests still waiting
    pending: tuple[StoredRequest, ...] = ()  # every request waiting for a decision (deciders)
    loads: tuple[ResourceLoad, ...] = ()  # each resource over the next `load_days` days (deciders)
    load_days: int = UTILIZATION_DAYS

    @property
    def language(self) -> str:
        return self.user.language.value if self.user else "en"

    @property
    def decides(self) -> bool:
        return self.user is not None and self.user.role in DECIDERS


def home(cmd: HomeCommand, ctx: ServiceContext) -> HomeAnswer:
    snapshot = ctx.snapshot()
    today = ctx.as_of(cmd.as_of, snapshot)
    user = snapshot.users.get(cmd.user_id) if cmd.user_id else None
    if user is None:
        return HomeAnswer(None, today, snapshot)
    pending = tuple(list_requests(ctx, status=RequestStatus.PENDING.value, limit=MAX_PENDING))
    answer = HomeAnswer(user, today, snapshot, my_requests=tuple(r for r in pending if r.requested_by == user.user_id))
    if user.role is Role.SALES or any(o.owner == user.user_id for o in snapshot.open_orders):
        states = order_states(ctx, as_of=today)
        mine = sorted((s for s in states.values() if snapshot.orders_by_id[s.order_id].owner == user.user_id),
                      key=lambda s: (s.promised_date, s.order_id))
        answer = replace(answer, orders=tuple(mine))
    if user.role in DECIDERS:
        loads = kpis(KpiCommand(as_of=today), ctx).report.utilization.resources
        answer = replace(answer, pending=pending, loads=tuple(loads))
    return answer
