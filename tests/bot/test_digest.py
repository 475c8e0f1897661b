"""The daily digest on the example plant at a fixed date: figures, text, Block Kit, chart, CLI and the job."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient
from typer.testing import CliRunner

from bot.blockkit import render_card
from bot.channel import SlackChannel
from planbridge.bootstrap import block_kit
from planbridge.chat.digests import DailyDigest, DigestPublisher
from planbridge.cli import app as cli_app
from planbridge.presentation.charts import digest_chart
from planbridge.presentation.digest import digest_card, digest_document, digest_text, kpi_card
from planbridge.presentation.documents import digest_figures
from planbridge.records import RequestKind
from planbridge.services.context import ServiceContext
from planbridge.services.digest import DigestCommand, build_digest
from planbridge.services.requests import CreateRequest, audit_log, create_request
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


# -- the daily job ---------------------------------------------------------------------------


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


def shanghai(day: int, hour: int, minute: int) -> datetime:
    """A moment in the plant's time zone, as a UTC clock reads it."""
    return datetime(2027, 1, day, hour, minute, tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)


def job(services: ServiceContext, slack: MockSlack, clock: FakeClock) -> DailyDigest:
    publisher = DigestPublisher(services, SlackChannel(WebClient(token="xoxb", base_url=slack.api_url)), DIGEST_CHANNEL)
    return DailyDigest(services, publisher, clock_time(7, 30), clock=clock)


def test_the_job_posts_the_digest_and_its_chart_once_at_digest_time(pumps_services: ServiceContext,
                                                                     slack: MockSlack) -> None:
    clock = FakeClock(shanghai(4, 7, 29))
    daily = job(pumps_services, slack, clock)

    assert daily.tick() is False  # 07:29 in Shanghai: not yet
    assert slack.calls == []

    clock.current = shanghai(4, 7, 30)
    assert daily.tick() is True
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
    assert daily.tick() is False  # already posted today
    assert job(pumps_services, slack, clock).tick() is False  # nor by a second worker
    assert len(slack.to("chat.postMessage")) == 1
    [entry] = [e for e in audit_log(pumps_services) if e.action == "digest_posted"]
    assert entry.subject == f"digest:2027-01-04:{DIGEST_CHANNEL}"


def test_the_job_posts_again_the_next_day_and_not_long_after_digest_time(pumps_services: ServiceContext,
                                                                         slack: MockSlack) -> None:
    clock = FakeClock(shanghai(4, 15, 0))
    daily = job(pumps_services, slack, clock)

    assert daily.tick() is False  # started at 15:00: too late for today's digest
    clock.current = shanghai(5, 8, 10)  # a restart at 08:10 the next day still posts
    assert daily.tick() is True
    assert len(slack.to("chat.postMessage")) == 1


def test_a_failing_slack_call_is_logged_and_retried_on_the_next_tick(pumps_services: ServiceContext,
                                                                     slack: MockSlack, caplog) -> None:
    clock = FakeClock(shanghai(4, 7, 31))
    daily = job(pumps_services, slack, clock)
    daily.publisher.channel = SlackChannel(WebClient(token="xoxb", base_url="http://127.0.0.1:9/api/", timeout=1))

    daily.safe_tick()

    assert "posting the daily digest failed" in caplog.text
    assert [e for e in audit_log(pumps_services) if e.action == "digest_posted"] == []
    daily.publisher.channel = SlackChannel(WebClient(token="xoxb", base_url=slack.api_url))
    assert daily.tick() is True


def test_two_workers_ticking_at_once_post_one_digest(db_url: str, pumps: PlantSnapshot, slack: MockSlack) -> None:
    """Each worker has its own engine and scheduler; the plant's write lock lets one of them post."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.conftest import make_services

    plant_services(db_url, pumps)
    slack.delay = 0.3  # both are inside their tick while the first post is on its way
    clock = FakeClock(shanghai(4, 7, 30))
    workers = [job(make_services(db_url, as_of=AS_OF), slack, clock) for _ in range(2)]

    with ThreadPoolExecutor(2) as pool:
        posted = list(pool.map(lambda daily: daily.tick(), workers))

    assert sorted(posted) == [False, True]
    assert len(slack.to("chat.postMessage")) == 1
    assert len([e for e in audit_log(workers[0].services) if e.action == "digest_posted"]) == 1


def test_post_once_holds_the_lock_while_posting(db_url: str, pumps: PlantSnapshot) -> None:
    """Two workers racing past the cheap check: the second waits for the first and then does not post."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from planbridge.services.digest import post_once
    from tests.conftest import make_services

    plant_services(db_url, pumps)
    contexts = [make_services(db_url, as_of=AS_OF) for _ in range(2)]
    posts: list[str] = []
    both_started = threading.Barrier(2)

    def post() -> dict[str, object]:
        posts.append("posted")
        time.sleep(0.3)  # the Slack call, while the other worker waits on the lock
        return {"ts": "1.0"}

    def worker(ctx: ServiceContext) -> bool:
        both_started.wait()
        return post_once(ctx, day=AS_OF, channel=DIGEST_CHANNEL, post=post)

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(worker, contexts))

    assert sorted(results) == [False, True]
    assert posts == ["posted"]
