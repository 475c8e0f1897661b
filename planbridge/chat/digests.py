"""The scheduled digest: when it is due, and posting it once per period and channel, on any chat platform.

`DailyDigest.tick()` is what the scheduler calls every minute; it posts when the plant's local
time has reached the digest time (within a grace period, so a restart at 07:35 still posts,
but a start at 15:00 does not) and the period's digest is not in the audit log yet. Posting
goes through the `ChatChannel` port: the card, then its chart as an image.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from planbridge.chat.ports import ChatChannel, Place
from planbridge.errors import NotFound
from planbridge.presentation.catalogue import t
from planbridge.presentation.charts import digest_chart
from planbridge.presentation.digest import digest_card
from planbridge.services.context import ServiceContext
from planbridge.services.digest import Digest, DigestCommand, build_digest, digest_posted, post_once
from planbridge.services.ports import Clock

log = logging.getLogger("planbridge.digest")

GRACE = timedelta(hours=2)


def due_day(now: datetime, *, at: time, timezone: str, grace: timedelta = GRACE) -> date | None:
    """The plant day whose digest is due at `now` (local time at or after `at`, within `grace`), else None."""
    local = now.astimezone(ZoneInfo(timezone))
    due = datetime.combine(local.date(), at, tzinfo=local.tzinfo)
    return local.date() if due <= local < due + grace else None


@dataclass
class DigestPublisher:
    """Builds the digest in the channel's language and posts it with its chart."""

    services: ServiceContext
    channel: ChatChannel
    target: str  # the channel's id on the chat platform
    language: str = "en"
    with_chart: bool = True

    def build(self) -> Digest:
        return build_digest(DigestCommand(language=self.language), self.services)

    def post(self, digest: Digest) -> dict[str, Any]:
        posted = self.channel.post(Place(self.target), digest_card(digest))
        detail: dict[str, Any] = {"ts": posted.message_id if posted else None, "as_of": digest.as_of.isoformat()}
        if self.with_chart:
            detail["chart"] = self._post_chart(digest_chart(digest), as_of=detail["as_of"])
        return detail

    def _post_chart(self, png: bytes, *, as_of: str) -> bool:
        # The digest itself is posted: a failed chart must not make the job post it again.
        try:
            self.channel.post_image(self.target, png, filename=f"digest-{as_of}.png",
                                    title=t(self.language, "card.chart_title"))
        except Exception:
            log.exception("the digest chart could not be uploaded")
            return False
        return True


@dataclass
class DailyDigest:
    services: ServiceContext
    publisher: DigestPublisher
    at: time
    clock: Clock
    grace: timedelta = GRACE

    def tick(self) -> bool:
        """Post today's digest if it is time and nobody has; True when this call posted it."""
        try:
            timezone = self.services.snapshot().plant.timezone
        except NotFound:
            return False  # no plant loaded yet
        day = due_day(self.clock.now(), at=self.at, timezone=timezone, grace=self.grace)
        if day is None:
            return False
        target = self.publisher.target
        if digest_posted(self.services, day=day, channel=target):
            return False
        digest = self.publisher.build()  # before taking the lock: building reads the database
        posted = post_once(self.services, day=day, channel=target, post=lambda: self.publisher.post(digest))
        if posted:
            log.info("posted the digest of %s to %s", day, target)
        return posted

    def safe_tick(self) -> None:
        """The scheduler's job: a failure is logged and tried again on the next tick."""
        try:
            self.tick()
        except Exception:
            log.exception("posting the daily digest failed; retrying on the next tick")


def parse_time(value: str) -> time:
    hours, minutes = (int(part) for part in value.split(":"))
    return time(hours, minutes)
