"""The daily digest on the example plant at a fixed date: figures, text, Block Kit, chart, CLI and the job."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient
from typer.testing import CliRunner

from bot.blockkit import render_card
from bot.channel import SlackChannel
from planbridge.bootstrap import block_kit
from planbridge.chat.digests import DigestDelivery
from planbridge.cli import app as cli_app
from planbridge.presentation.charts import digest_chart
from planbridge.presentation.digest import digest_card, digest_document, digest_text, kpi_card
from planbridge.presentation.documents import digest_figures
from planbridge.records import DigestSubscription, RequestKind
from planbridge.services.context import ServiceContext
from planbridge.services.digest import DigestCommand, build_digest
from planbridge.services.requests import CreateRequest, audit_log, create_request
from planbridge.services.subscriptions import ClaimPolicy, Subscribe, claims_of, list_subscriptions, subscribe
from planning_core.model import PlantSnapshot
from tests.bot.conftest import AS_OF, DIGEST_CHANNEL, SALES, plant_services
from tests.bot.mock_slack import MockSlack

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def pumps_services(sqlite_url: str, pumps: PlantSnapshot) -> ServiceContext:
    return plant_services(sqlite_url, pumps)


def troubled(pumps: PlantSnapshot) -> PlantSnapshot:
    """Pumps with a late order and a motor shortage.

    A-3 (Gamma, 4 pumps, due Jan 2) is late on Jan 4 and served from the 5 pumps in stock.
    A-1 (15 due Jan 5) then needs 14 new pumps, so 14 motors on Jan 5; with 5 motors on hand
    9 are short from Jan 5 until PO P-100 brings 50 on Jan 8: A-1 is at risk.
    """
    a3 = replace(pumps.sales_orders[0], order_id="A-3", customer="Gamma", qty=4.0,
                 requested_date=date(2027, 1, 2), promised_date=date(2027, 1, 2))
    return replace(pumps, inventory={**pumps.inventory, "MOTOR": 5.0}, sales_orders=(*pumps.sales_orders, a3))


def test_the_figures_of_the_example_plant(pumps_services: ServiceContext) -> None:
    digest = build_digest(DigestCommand(as_of=AS_OF), pumps_services)
    figures = digest_figures(digest).to_dict()

    # shipped Dec 6 – Jan 4: A-0 (Dec 21, promised Dec 21) and A-000 (Dec 28, promised Dec 28) on time,
    # A-00 (Dec 18, promised Dec 15) late → 2 of 3
    assert (figures["otd_last_30_days"], figures["otif_last_30_days"]) == (0.6667, 0.6667)
    assert (figures["shipped_last_30_days"], figures["on_time_last_30_days"]) == (3, 2)
    assert (figures["backlog_orders"], figures["late_open_orders"], figures["at_risk_orders"]) == (2, 0, 0)
    assert (figures["shortages"], figures["pending_requests"]) == (0, 0)
    # 35 pumps ordered − 5 in stock = 30 to assemble × 24 min = 720 min of 10 days × 480 min on ASSY
    assert figures["utilization_next_14_days"] == {"ASSY": 0.15, "DRILL1": 0.0, "DRILL2": 0.0, "LATHE": 0.0}
    assert [p["otd"] for p in figures["otd_trend"]][-3:] == [0.5, 1.0, None]  # weeks to Dec 21, Dec 28, Jan 4


def test_the_text_digest(pumps_services: ServiceContext) -> None:
    text = digest_text(build_digest(DigestCommand(as_of=AS_OF), pumps_services))

    assert text.splitlines()[:10] == [
        "Daily digest · Example pump works · 2027-01-04", "",
        "On-time delivery (30 days): 66.7% (2 of 3 shipped)", "On time in full (30 days): 66.7%",
        "Backlog: 2 orders", "Past due (promised before today): 0", "Will miss their promise on finite capacity: 0",
        "At risk: short of material not yet ordered (MRP): 0", "Shortages (MRP, 90 days): 0", "Pending change requests: 0"]
    assert "  ASSY         15.0%  ███░░░░░░░░░░░░░░░░░" in text


def test_the_block_kit_digest(pumps_services: ServiceContext) -> None:
    blocks = render_card(digest_card(build_digest(DigestCommand(as_of=AS_OF), pumps_services)))

    assert [b["type"] for b in blocks] == ["header", "section", "divider", "section", "context"]
    assert blocks[0]["text"]["text"] == "Daily digest · Example pump works · Jan 4"
    assert [f["text"] for f in blocks[1]["fields"]][:3] == [
        "*On-time delivery (30 days)*\n66.7% (2 of 3 shipped)", "*On time in full (30 days)*\n66.7%",
        "*Backlog*\n2 orders"]
    assert blocks[3]["text"]["text"].startswith("*Load per resource, next 14 days*\n`ASSY    ` ██░░░░░░░░ 15.0%")


def test_late_orders_shortages_and_pending_requests_are_listed(sqlite_url: str, pumps: PlantSnapshot) -> None:
    services = plant_services(sqlite_url, troubled(pumps))
    request = create_request(CreateRequest(kind=RequestKind.RUSH, user_id=SALES, order_id="A-2", due=date(2027, 1, 6)),
                             services).request

    digest = build_digest(DigestCommand(as_of=AS_OF), services)

    figures = digest_figures(digest).to_dict()
    assert (figures["backlog_orders"], figures["late_open_orders"], figures["at_risk_orders"]) == (3, 1, 1)
    assert (figures["shortages"], figures["pending_requests"]) == (1, 1)
    assert figures["top_shortages"] == [{"item_id": "MOTOR", "item_name": "Motor 5.5 kW", "uom": "pcs",
                                         "date": "2027-01-05", "until": "2027-01-08", "qty": 9, "orders": ["A-1"],
                                         "customers": ["Acme"]}]
    text = digest_text(digest)
    assert "  - A-3 Gamma: 4 Centrifugal pump A, due Jan 2 (2 d late)" in text
    assert "  - A-1 Acme: 15 Centrifugal pump A, due Jan 5; short MOTOR" in text
    assert "  - Motor 5.5 kW short 9 pcs from Jan 5 → A-1 Acme" in text
    # On finite capacity: A-3 ships from stock today, A-1 waits for the motors of Jan 8, and
    # with assembly at 20 a day A-2 needs Jan 11 too (MRP, with infinite capacity, misses that).
    assert figures["projected_late_orders"] == 3
    assert "  - A-2 Beta Water: 20 Centrifugal pump A, promised Jan 8, projected Jan 11" in text
    assert "  - A-3 Gamma: 4 Centrifugal pump A, promised Jan 2, projected Jan 4" in text
    assert "  - A-1 Acme: 15 Centrifugal pump A, promised Jan 5, projected Jan 8" in text
    assert f"  - {request.request_id} Rush A-2 by Mia Sales" in text
    blocks = render_card(digest_card(digest))
    assert [b["text"]["text"].split("\n")[0] for b in blocks if b["type"] == "section" and "text" in b][:5] == [
        "*Past due (promised before today)*", "*Will miss their promise on finite capacity*",
        "*At risk: short of material not yet ordered (MRP)*",
        "*Top shortages*", "*Pending change requests*"]
    assert len(render_card(kpi_card(digest))) == 5  # the figures and the load, without the lists

    zh = digest_text(build_digest(DigestCommand(as_of=AS_OF, language="zh"), services))
    assert "  - 电机自1月5日起缺9pcs → A-1 Acme" in zh
    assert "已逾期（承诺日期已过）: 1" in zh


def test_the_chart_is_a_png(pumps_services: ServiceContext) -> None:
    assert digest_chart(build_digest(DigestCommand(as_of=AS_OF), pumps_services)).startswith(PNG)


def test_the_json_document_keeps_text_blocks_and_figures(pumps_services: ServiceContext) -> None:
    document = digest_document(build_digest(DigestCommand(as_of=AS_OF), pumps_services), render=block_kit).to_dict()

    assert set(document) == {"text", "blocks", "figures"}
    assert document["figures"]["backlog_orders"] == 2


def run_cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli_app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_planbridge_digest_prints_text_json_and_writes_the_chart(sqlite_url: str, pumps_services: ServiceContext,
                                                                  tmp_path: Path) -> None:
    chart = tmp_path / "digest.png"
    code, out, err = run_cli("digest", "--db", sqlite_url, "--as-of", "2027-01-04", "--json", "--chart", str(chart))

    assert code == 0, err
    document = json.loads(out)
    assert document["figures"]["otd_last_30_days"] == 0.6667
    assert document["blocks"][0]["type"] == "header"
    assert chart.read_bytes().startswith(PNG)

    code, out, _ = run_cli("digest", "--db", sqlite_url, "--as-of", "2027-01-04", "--lang", "zh")
    assert code == 0
    assert "准时交付率（30天）: 66.7% (3单中2单准时)" in out


@pytest.mark.parametrize("args", [["--lang", "fr"], ["--chart", "chart.svg"]])
def test_planbridge_digest_refuses_bad_options(sqlite_url: str, pumps_services: ServiceContext,
                                               args: list[str]) -> None:
    code, _, err = run_cli("digest", "--db", sqlite_url, "--as-of", "2027-01-04", *args)

    assert code == 2
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1


# -- the subscribed digest ------------------------------------------------------------------


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current

    def today(self, timezone: str) -> date:
        return AS_OF


def shanghai(day: int, hour: int, minute: int) -> datetime:
    """A moment in the plant's time zone, as a UTC clock reads it."""
    return datetime(2027, 1, day, hour, minute, tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)


def on_clock(services: ServiceContext, clock: FakeClock) -> ServiceContext:
    return replace(services, clock=clock)


def delivery(services: ServiceContext, slack: MockSlack, *, base_url: str | None = None) -> DigestDelivery:
    client = WebClient(token="xoxb", base_url=base_url or slack.api_url, timeout=2)
    return DigestDelivery(services, SlackChannel(client), ClaimPolicy(lease=timedelta(minutes=5)))


def subscribed(services: ServiceContext, **values: object) -> DigestSubscription:
    command: dict[str, object] = {"channel": DIGEST_CHANNEL, "at": "07:30", "timezone": "Asia/Shanghai", **values}
    return subscribe(Subscribe(**command), services)  # type: ignore[arg-type]


def test_a_subscription_posts_its_digest_and_chart_once_per_period(pumps_services: ServiceContext,
                                                                   slack: MockSlack) -> None:
    clock = FakeClock(shanghai(4, 7, 0))
    services = on_clock(pumps_services, clock)
    subscription = subscribed(services)
    job = delivery(services, slack)

    clock.current = shanghai(4, 7, 29)
    assert job.due(subscription.subscription_id) is None  # 07:29 in Shanghai: not yet
    clock.current = shanghai(4, 7, 30)
    period = job.due(subscription.subscription_id)
    assert period == date(2027, 1, 4)
    assert job.deliver(subscription.subscription_id, period) is True

    [post] = slack.to("chat.postMessage")
    assert post.body["channel"] == DIGEST_CHANNEL
    assert post.body["text"].startswith("Daily digest · Example pump works · 2027-01-04")
    blocks = post.body["blocks"]
    assert blocks[0]["type"] == "header" and "66.7% (2 of 3 shipped)" in blocks[1]["fields"][0]["text"]
    assert [m for m in slack.methods() if m.startswith("files.")] == ["files.getUploadURLExternal",
                                                                     "files.completeUploadExternal"]
    [upload] = [c for c in slack.calls if c.path == "/upload/F1"]
    assert PNG in upload.raw
    [complete] = slack.to("files.completeUploadExternal")
    assert complete.body["channel_id"] == DIGEST_CHANNEL

    clock.current = shanghai(4, 7, 45)
    assert job.deliver(subscription.subscription_id, period) is False  # already posted this period
    assert delivery(services, slack).deliver(subscription.subscription_id, period) is False  # nor by another worker
    assert len(slack.to("chat.postMessage")) == 1
    [entry] = [e for e in audit_log(services) if e.action == "digest_posted"]
    assert entry.subject == f"digest:2027-01-04:{DIGEST_CHANNEL}"

    clock.current = shanghai(5, 6, 0)  # the next morning, before 07:30: still the period of Jan 4
    assert job.due(subscription.subscription_id) == date(2027, 1, 4)
    clock.current = shanghai(5, 8, 10)
    assert job.deliver(subscription.subscription_id, job.due(subscription.subscription_id) or AS_OF) is True
    assert len(slack.to("chat.postMessage")) == 2


def test_a_failing_slack_call_releases_the_claim_and_the_next_attempt_posts(pumps_services: ServiceContext,
                                                                            slack: MockSlack) -> None:
    clock = FakeClock(shanghai(4, 7, 0))
    services = on_clock(pumps_services, clock)
    subscription = subscribed(services)
    clock.current = shanghai(4, 7, 31)
    unreachable = delivery(services, slack, base_url="http://127.0.0.1:9/api/")

    with pytest.raises(Exception, match=r"Connection refused|Errno"):
        unreachable.deliver(subscription.subscription_id, AS_OF)

    assert [e for e in audit_log(services) if e.action == "digest_posted"] == []
    assert delivery(services, slack).deliver(subscription.subscription_id, AS_OF) is True
    [claim] = claims_of(services)
    assert (claim.status, claim.attempts) == ("posted", 2)


def test_two_workers_delivering_at_once_post_one_digest(db_url: str, pumps: PlantSnapshot, slack: MockSlack) -> None:
    """Each worker has its own engine; the claim row lets one of them post."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.conftest import make_services

    clock = FakeClock(shanghai(4, 7, 0))
    subscription = subscribed(on_clock(plant_services(db_url, pumps), clock))
    clock.current = shanghai(4, 7, 30)
    slack.delay = 0.3  # both are inside their delivery while the first post is on its way
    workers = [delivery(on_clock(make_services(db_url, as_of=AS_OF), clock), slack) for _ in range(2)]

    with ThreadPoolExecutor(2) as pool:
        posted = list(pool.map(lambda job: job.deliver(subscription.subscription_id, AS_OF), workers))

    assert sorted(posted) == [False, True]
    assert len(slack.to("chat.postMessage")) == 1
    assert len([e for e in audit_log(workers[0].services) if e.action == "digest_posted"]) == 1


def test_the_chart_png_has_the_expected_size_and_is_not_blank(pumps_services: ServiceContext) -> None:
    import io
    import struct

    import numpy as np
    from matplotlib.image import imread

    png = digest_chart(build_digest(DigestCommand(as_of=AS_OF), pumps_services))

    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
    assert (width, height) == (900, 400)  # 9 × 4 inches at 100 dpi
    pixels = imread(io.BytesIO(png))[:, :, :3]
    inked = (pixels < 0.9).any(axis=2).mean()
    colours = len(np.unique((pixels * 255).astype(int).reshape(-1, 3), axis=0))
    assert 0.03 < inked < 0.6 and colours > 20  # bars, lines and labels on a white page


def test_a_slack_user_subscribes_the_channel_and_lists_it(harness, slack: MockSlack) -> None:  # type: ignore[no-untyped-def]
    from tests.bot.conftest import SALES, SALES_CHANNEL

    assert harness.command("digest subscribe 08:00 --tz Asia/Shanghai --lang zh --weekly mon").status_code == 200
    [reply] = [c for c in slack.calls if c.path.startswith("/respond/")]
    assert reply.body["text"] == "Digest 1: CSALES at 08:00 (Asia/Shanghai), every mon, in zh, sections: sales."
    [added] = list_subscriptions(harness.services)
    assert (added.channel, added.language, added.weekday, added.sections, added.owner, added.source) == (
        SALES_CHANNEL, "zh", "mon", ("sales",), SALES, "slack")  # a sales rep's own orders

    harness.command("digest list")
    assert [c for c in slack.calls if c.path.startswith("/respond/")][-1].body["text"].startswith("Digest subscriptions:")
    harness.command(f"digest unsubscribe {added.subscription_id}")
    assert list_subscriptions(harness.services) == []


def test_a_schedule_asked_in_slack_says_working_on_it_and_answers_in_its_thread(harness, slack: MockSlack) -> None:  # type: ignore[no-untyped-def]
    import time as clock

    from tests.bot.conftest import SALES_CHANNEL

    assert harness.command("schedule").status_code == 200
    deadline = clock.monotonic() + 60
    while len(slack.to("chat.postMessage")) < 2 and clock.monotonic() < deadline:
        clock.sleep(0.1)

    working, result = slack.to("chat.postMessage")
    assert working.body["channel"] == SALES_CHANNEL and working.body["text"].startswith("Working on it: the schedule")
    assert result.body["channel"] == SALES_CHANNEL and result.body["thread_ts"].startswith("170000") and result.body["text"].startswith("Schedule (job J-")
