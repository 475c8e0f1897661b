"""The API explorable offline: docs/api.md's reference is what the OpenAPI description says, every /api/
route declares its answer and its errors, and /docs and /redoc load nothing from the internet."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from planbridge.api.app import create_app
from planbridge.api.reference import BEGIN, DOCS, END, current, markdown, openapi
from planbridge.bootstrap import bootstrap
from planbridge.settings import Settings

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)


def offline_app() -> TestClient:
    settings = Settings(database_url="sqlite://", api_token=None)
    return TestClient(create_app(bootstrap(settings, create_schema=True), settings))


def test_the_committed_reference_is_what_the_code_describes() -> None:
    committed = DOCS.read_text(encoding="utf-8")

    assert BEGIN in committed and END in committed
    assert current(committed, markdown(openapi())) == committed, \
        "docs/api.md is out of date: run `python -m planbridge.api.reference`"


def test_every_api_operation_has_a_typed_answer_and_typed_errors() -> None:
    spec = openapi()
    problems = []
    for path, operations in spec["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            ok = [r for status, r in operation["responses"].items() if status.startswith("2")]
            content = ok[0].get("content", {}) if ok else {}
            schema = content.get("application/json", {}).get("schema") or content.get("image/png", {}).get("schema")
            if schema is None:
                problems.append(f"{method} {path}: no answer")
            errors = {s for s in operation["responses"] if s[0] in "45"}
            if not {"400", "401", "404", "413", "500"} <= errors:
                problems.append(f"{method} {path}: errors {sorted(errors)}")
    assert problems == []
    assert spec["components"]["schemas"]["ErrorDocument"]["required"] == ["error"]


def test_swagger_ui_and_redoc_come_from_packaged_assets() -> None:
    client = offline_app()

    for page in ("/docs", "/redoc"):
        html = client.get(page).text
        assert EXTERNAL.findall(html) == [], page
        assets = re.findall(r"""(?:src|href)=["']?(/[^"' >]+)""", html)
        assert assets, page
        for asset in assets:
            assert client.get(asset).status_code == 200, asset
    assert "swagger-ui-bundle.js" in client.get("/docs").text
    assert client.get("/openapi.json").json()["info"]["title"] == "planbridge"
