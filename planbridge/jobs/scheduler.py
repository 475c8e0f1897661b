"""The digest scheduler: APScheduler with its SQLAlchemy job store in the application database.

Every `serve` process runs one. Each subscription is a cron job in the shared job store (id
`digest-<id>`), so its next run survives restarts: after downtime APScheduler fires a missed
job once (coalesced) and the digest of the latest period is posted, not one per missed run.
Several schedulers may fire the same job; the claim row of (subscription, period) lets one
post. A tick (every PLANBRIDGE_SCHEDULER_TICK seconds, in each process's memory) adds the jobs
of new subscriptions, drops those of removed ones, and hands claims whose holder died to a
worker again.
"""

from __future__ import annotations

import logging
import threading
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from planbridge.jobs.runner import JobRunner
from planbridge.records import DigestSubscription
from planbridge.services.context import ServiceContext
from planbridge.services.subscriptions import (
    ClaimPolicy,
    claims_to_retry,
    due_period,
    get_subscription,
    list_subscriptions,
    next_due,
    parse_at,
)

if TYPE_CHECKING:
    from apscheduler.schedulers.background import BackgroundScheduler
    from sqlalchemy import Engine

log = logging.getLogger("planbridge.scheduler")

JOB_PREFIX = "digest-"
FIRING_THREADS = 4  # firing only hands work to the runner
MAX_RETRIES_PER_TICK = 100

_active: DigestScheduler | None = None
_active_lock = threading.Lock()


def fire_subscription(subscription_id: int) -> None:
    """The stored jobs' target (kept by name in the job store): the scheduler of this process fires."""
    scheduler = _active
    if scheduler is None:
        log.warning("subscription %s fired with no scheduler running in this process", subscription_id)
        return
    scheduler.fire(subscription_id)


@dataclass
class DigestScheduler:
    services: ServiceContext
    engine: Engine
    runner: JobRunner
    policy: ClaimPolicy = field(default_factory=ClaimPolicy)
    tick_seconds: int = 60
    scheduler: BackgroundScheduler | None = None

    @property
    def running(self) -> bool:
        return self.scheduler is not None and self.scheduler.running

    def start(self, *, paused: bool = False) -> None:
        """Start firing (`paused`: only open the job store, e.g. to look at or add stored jobs)."""
        global _active
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.jobstores.memory import MemoryJobStore
        from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
        from apscheduler.schedulers.background import BackgroundScheduler
        from apscheduler.triggers.interval import IntervalTrigger

        scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=self.engine), "local": MemoryJobStore()},
            executors={"default": ThreadPoolExecutor(FIRING_THREADS)},
            # a missed run fires once, however late (the claim decides whether it posts)
            job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
            timezone=UTC,
            daemon=True,
        )
        scheduler.add_job(self.safe_tick, IntervalTrigger(seconds=self.tick_seconds), id="tick", jobstore="local",
                          next_run_time=datetime.now(UTC), misfire_grace_time=self.tick_seconds)
        with _active_lock:
            _active = self
        self.scheduler = scheduler
        scheduler.start(paused=paused)

    def stop(self) -> None:
        global _active
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        with _active_lock:
            if _active is self:
                _active = None

    def fire(self, subscription_id: int) -> None:
        subscription = get_subscription(self.services, subscription_id)
        if subscription is None:
            return
        period = due_period(subscription, self.services.clock.now())
        if period is not None:
            log.info("subscription %s fired for %s", subscription_id, period)
            self.runner.deliver_digest(subscription_id, period)

    def safe_tick(self) -> None:
        try:
            self.tick()
        except Exception:
            log.exception("the scheduler's tick failed; trying again on the next one")

    def tick(self) -> None:
        self.sync()
        for claim in claims_to_retry(self.services, policy=self.policy, limit=MAX_RETRIES_PER_TICK):
            log.info("retrying the digest of %s for subscription %s (its holder's lease ran out)", claim.period,
                     claim.subscription_id)
            self.runner.deliver_digest(claim.subscription_id, claim.period)

    def sync(self) -> None:
        """Make the stored jobs match the subscriptions (every scheduler may do it at once)."""
        from apscheduler.jobstores.base import ConflictingIdError, JobLookupError

        assert self.scheduler is not None
        wanted = {f"{JOB_PREFIX}{s.subscription_id}": s for s in list_subscriptions(self.services)}
        stored = {job.id for job in self.scheduler.get_jobs(jobstore="default") if job.id.startswith(JOB_PREFIX)}
        for job_id in stored - set(wanted):
            with suppress(JobLookupError):  # another scheduler may have removed it
                self.scheduler.remove_job(job_id, jobstore="default")
        for job_id in sorted(set(wanted) - stored):
            with suppress(ConflictingIdError):  # another scheduler may have added it
                self.scheduler.add_job(fire_subscription, **job_arguments(wanted[job_id]))


def job_arguments(subscription: DigestSubscription) -> dict[str, Any]:
    """The stored cron job of a subscription; its first run is the first due moment after the
    subscription was made (in the past when no scheduler ran since: it then fires at once)."""
    from apscheduler.triggers.cron import CronTrigger

    at = parse_at(subscription.at)
    trigger = CronTrigger(hour=at.hour, minute=at.minute, day_of_week=subscription.weekday or "*",
                          timezone=subscription.timezone)
    return {"trigger": trigger, "id": f"{JOB_PREFIX}{subscription.subscription_id}", "jobstore": "default",
            "args": [subscription.subscription_id], "next_run_time": next_due(subscription, subscription.created_at),
            "name": f"digest to {subscription.channel}"}
