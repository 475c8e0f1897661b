"""The composition root: wires settings, database, clock and caches into a `ServiceContext`."""

from __future__ import annotations

from functools import partial

from sqlalchemy import inspect

from integrations.db import migrate
from integrations.db.engine import make_engine, make_session_factory
from integrations.db.unit_of_work import SqlUnitOfWork
from planbridge.errors import NotFound
from planbridge.services.context import ServiceContext, SystemClock
from planbridge.settings import Settings, get_settings


def bootstrap(
    settings: Settings | None = None, *, database_url: str | None = None, create_schema: bool = False
) -> ServiceContext:
    """Build the services on a real database.

    `create_schema` runs the migrations (import, demo, serve do); read-only commands
    only upgrade an existing schema and otherwise report that no plant is loaded.
    """
    settings = settings or get_settings()
    engine = make_engine(database_url or settings.database_url)
    if create_schema or inspect(engine).has_table("alembic_version"):
        migrate.upgrade(engine)
    elif not create_schema:
        raise NotFound("no plant is loaded: run `planbridge import DIR` or `planbridge demo` first")
    session_factory = make_session_factory(engine)
    return ServiceContext(
        uow_factory=partial(SqlUnitOfWork, session_factory),
        clock=SystemClock(fixed_today=settings.as_of),
        settings=settings,
    )
