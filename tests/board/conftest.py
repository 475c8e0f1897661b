"""The demo plant with a saved schedule, served by the real app with an API token: one per module
(building it schedules the plant), with fresh change requests made by each test."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI

from planbridge.api import create_app
from planbridge.records import RequestKind
from planbridge.services.context import ServiceContext
from planbridge.services.plant import LoadDemo, load_demo
from planbridge.services.requests import CreateRequest, create_request
from planbridge.services.scheduling import MakeSchedule, ScheduleResult, make_schedule
from planbridge.settings import Settings
from tests.conftest import make_services

AS_OF = date(2027, 1, 4)
TOKEN = "board-token"
LEAD, SALES = "U01PROD2", "U01SALES1"  # Tom Becker (production), Mia Carter (sales)


@dataclass
class DemoBoard:
    services: ServiceContext
    app: FastAPI
    schedule: ScheduleResult

    def new_request(self, order_id: str = "SO-2426", due: date = date(2027, 2, 3)) -> str:
        """A sales rep's rush request, pending."""
        command = CreateRequest(kind=RequestKind.RUSH, user_id=SALES, order_id=order_id, due=due)
        return create_request(command, self.services).request.request_id


@pytest.fixture(scope="module")
def demo_board(tmp_path_factory: pytest.TempPathFactory) -> DemoBoard:
    url = f"sqlite:///{tmp_path_factory.mktemp('board') / 'planbridge.sqlite'}"
    services = make_services(url, as_of=AS_OF)
    load_demo(LoadDemo(anchor=AS_OF), services)
    schedule = make_schedule(MakeSchedule(as_of=AS_OF, time_limit=2, workers=1, save=True), services)
    app = create_app(services, Settings(database_url=url, as_of=AS_OF, api_token=TOKEN))
    return DemoBoard(services, app, schedule)


ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
