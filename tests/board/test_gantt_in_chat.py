"""A schedule run for chat (`/planbridge schedule`) posts its result and then the Gantt PNG, once."""

from __future__ import annotations

from datetime import date

from planbridge.jobs.work import JobWorker
from planbridge.services.context import ServiceContext
from planbridge.services.jobs import SubmitJob, submit_job
from planbridge.services.plant import store_plant
from planning_core.model import PlantSnapshot
from tests.fakes.chat import FakeChannel


def test_a_schedule_job_posts_its_gantt_chart_once(sqlite_services: ServiceContext, pumps: PlantSnapshot) -> None:
    store_plant(pumps, sqlite_services, replace=False)
    channel = FakeChannel()
    worker = JobWorker(sqlite_services, channel)
    job = submit_job(SubmitJob(kind="schedule", params={"time_limit": 2, "as_of": date(2027, 1, 4).isoformat()},
                               reply_channel="CPLAN", reply_thread="1.1"), sqlite_services)

    worker.run(job.job_id)
    worker.run(job.job_id)  # delivered again: the job is done, nothing is posted twice

    assert len(channel.posts) == 1
    [(place, png, filename)] = channel.images
    assert (place, filename) == ("CPLAN", "schedule-2027-01-04.png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000


def test_production_digests_carry_the_saved_schedules_gantt_and_sales_digests_do_not() -> None:
    from planbridge.chat.digests import DigestDelivery
    from planbridge.services.scheduling import MakeSchedule, make_schedule
    from planbridge.services.subscriptions import ClaimPolicy, Subscribe, subscribe
    from tests.fakes.clock import FakeClock
    from tests.fakes.services import fake_services
    from tests.unit.test_digest_subscriptions import MONDAY, late_plant, utc

    services = fake_services(late_plant(), today=MONDAY, clock=FakeClock(utc(0, 6), today=MONDAY))
    production = subscribe(Subscribe(channel="CPROD", at="06:00", sections=["production"]), services)
    sales = subscribe(Subscribe(channel="CSALES", at="06:00", sections=["sales"]), services)
    channel = FakeChannel()
    delivery = DigestDelivery(services, channel, ClaimPolicy())

    assert delivery.deliver(production.subscription_id, MONDAY)
    assert [(place, name) for place, _, name in channel.images] == [("CPROD", "digest-2027-01-04.png")]  # none saved
    make_schedule(MakeSchedule(as_of=MONDAY, time_limit=1, workers=1, save=True), services)
    tomorrow = MONDAY.replace(day=5)
    assert delivery.deliver(production.subscription_id, tomorrow) and delivery.deliver(sales.subscription_id, tomorrow)

    assert [(place, name) for place, _, name in channel.images[1:]] == [
        ("CPROD", "digest-2027-01-04.png"), ("CPROD", "schedule-2027-01-04.png"), ("CSALES", "digest-2027-01-04.png")]
    assert channel.images[2][1][:8] == b"\x89PNG\r\n\x1a\n"
