"""Fixtures for the language layer: the two example plants, a parser bound to them, services with a plant loaded."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from planbridge.language.frame import ParsedRequest
from planbridge.language.rules import lexicon_for, parse_rules
from planbridge.services.context import ServiceContext
from planbridge.services.plant import store_plant
from planning_core.model import PlantSnapshot
from tests.conftest import load_folder, make_services

MONDAY = date(2027, 1, 4)  # the as-of date of the example cases (a Monday)

Parse = Callable[..., ParsedRequest]


@pytest.fixture(scope="session")
def valves() -> PlantSnapshot:
    """The demo plant as of 2027-01-04, frozen as a folder so the tests do not move with the demo."""
    return load_folder("valves")


@pytest.fixture(scope="session")
def parse_valves(valves: PlantSnapshot) -> Parse:
    def parse(text: str, as_of: date = MONDAY) -> ParsedRequest:
        return parse_rules(text, lexicon=lexicon_for(valves), as_of=as_of)

    return parse


@pytest.fixture(scope="session")
def parse_pumps(pumps: PlantSnapshot) -> Parse:
    def parse(text: str, as_of: date = MONDAY) -> ParsedRequest:
        return parse_rules(text, lexicon=lexicon_for(pumps), as_of=as_of)

    return parse


@pytest.fixture
def valves_services(sqlite_url: str, valves: PlantSnapshot) -> ServiceContext:
    services = make_services(sqlite_url, as_of=MONDAY)
    store_plant(valves, services, replace=False)
    return services


@pytest.fixture
def pumps_services(sqlite_url: str, pumps: PlantSnapshot) -> ServiceContext:
    services = make_services(sqlite_url, as_of=MONDAY)
    store_plant(pumps, services, replace=False)
    return services
