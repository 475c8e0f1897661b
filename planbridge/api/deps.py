"""Dependencies of the routes, as `Annotated` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from planbridge.services.context import ServiceContext


def _services(request: Request) -> ServiceContext:
    services: ServiceContext = request.app.state.services
    return services


Services = Annotated[ServiceContext, Depends(_services)]
