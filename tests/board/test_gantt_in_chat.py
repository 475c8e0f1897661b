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
