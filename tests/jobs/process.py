"""A planbridge process for the multi-process tests: `python -m tests.jobs.process scheduler|hang SECONDS`.

`scheduler` runs the real runtime's digest scheduler (APScheduler on the SQLAlchemy job store,
in-process runner, Slack at PLANBRIDGE_SLACK_API_URL) for SECONDS; `hang` does the same but its
worker stops for good between its claim and the post (the test kills it there).
Settings come from the environment, as in production.
"""

from __future__ import annotations

import sys
import time

from planbridge import logs
from planbridge.app import build_runtime
from planbridge.settings import Settings


def main(mode: str, seconds: float) -> None:
    settings = Settings()
    logs.configure(json=False, level="INFO")
    runtime = build_runtime(settings)
    if mode == "hang":
        from planbridge.bootstrap import job_worker, slack_channel
        from planbridge.jobs.runner import InProcessRunner

        worker = job_worker(runtime.services, runtime.settings, channel=slack_channel(runtime.settings))
        assert worker.digests is not None
        worker.digests.before_post = lambda claim: time.sleep(3600)
        runtime.jobs = InProcessRunner(lambda: worker, threads=1, queue_size=10)
        assert runtime.scheduler is not None
        runtime.scheduler.runner = runtime.jobs
    runtime.start()
    try:
        time.sleep(seconds)
    finally:
        runtime.stop()


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]))
