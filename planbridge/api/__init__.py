"""The REST API under /api/ (same operations and JSON shapes as the CLI), /healthz and /slack/events."""

from planbridge.api.app import create_app

__all__ = ["create_app"]
