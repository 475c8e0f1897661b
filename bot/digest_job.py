"""The daily digest post: built, posted with its chart, once per plant day, on a minute tick.

`DailyDigest.tick()` is what the scheduler calls every minute; it posts when the plant's
local time has reached `digest_time` (within a grace period, so a restart at 07:35 still
posts, but a start at 15:00 does not) and the day's digest is not in the audit log yet.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from slack_sdk import WebClient

from bot.views.chart import digest_chart
from bot.views.digest import digest_blocks, digest_text
from bot.views.words import words
from planbridge.errors import NotFound
from planbridge.services.context import ServiceContext
from planbridge.services.digest import Digest, DigestCommand, build_digest, digest_posted, post_once

log = logging.getLogger("planbridge.digest")

GRACE = timedelta(hours=2)


class Clock(Protocol):
    def now(self) -> datetime: ...


@dataclass
class DigestPoster:
    """Posts the digest (Block Kit) to a channel and uploads its chart under it."""

    services: ServiceContext
    client: WebClient
    channel: str
    language: str = "en"
    with_chart: bool = True

    def build(self) -> Digest:
        return build_digest(DigestCommand(language=self.language), self.services)

    def post(self, digest: Digest) -> dict[str, Any]:
        posted = self.client.chat_postMessage(channel=self.channel, text=digest_text(digest),
                                              blocks=digest_blocks(digest), unfurl_links=False)
        detail: dict[str, Any] = {"ts": posted.get("ts"), "as_of": digest.as_of.isoformat()}
        if self.with_chart:
            detail["chart"] = self._upload_chart(digest_chart(digest), as_of=detail["as_of"])
        return detail

    def _upload_chart(self, png: bytes, *, as_of: str) -> bool:
        # The digest itself is posted: a failed chart must not make the job post it again.
        try:
            self.client.files_upload_v2(channel=self.channel, file=png, filename=f"digest-{as_of}.png",
                                        title=words(self.language, "chart_title"))
        except Exception:
            log.exception("the digest chart could not be uploaded")
            return False
        return True


@dataclass
class DailyDigest:
    services: ServiceContext
    poster: DigestPoster
    at: time
    clock: Clock
    grace: timedelta = GRACE

    def tick(self) -> bool:
        """Post today's digest if it is time and nobody has; True when this call posted it."""
        try:
            timezone = self.services.snapshot().plant.timezone
        except NotFound:
            return False  # no plant loaded yet
        local = self.clock.now().astimezone(ZoneInfo(timezone))
        due = datetime.combine(local.date(), self.at, tzinfo=local.tzinfo)
        if not due <= local < due + self.grace:
            return False
        channel = self.poster.channel
        if digest_posted(self.services, day=local.date(), channel=channel):
            return False
        digest = self.poster.build()  # before taking the lock: building reads the database
        posted = post_once(self.services, day=local.date(), channel=channel, post=lambda: self.poster.post(digest))
        if posted:
            log.info("posted the digest of %s to %s", local.date(), self.poster.channel)
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
