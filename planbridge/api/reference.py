"""docs/api.md's reference section, generated from the app's OpenAPI description.

`python -m planbridge.api.reference` rewrites the part of docs/api.md between the two markers;
a test fails when the committed file differs from what the code describes.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

BEGIN = "<!-- BEGIN generated from the OpenAPI description: python -m planbridge.api.reference -->"
END = "<!-- END generated -->"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"
METHODS = ("get", "post", "put", "patch", "delete")


def openapi() -> dict[str, Any]:
    """The OpenAPI description of the app (no database is opened to make it)."""
    from planbridge.api.app import create_app
    from planbridge.bootstrap import bootstrap
    from planbridge.settings import Settings

    settings = Settings(database_url="sqlite://", slack_bot_token=None, api_token=None)
    return create_app(bootstrap(settings, create_schema=True), settings).openapi()


def markdown(spec: dict[str, Any]) -> str:
    lines = [BEGIN, "", "## Reference (generated)", ""]
    for path, operations in sorted(spec["paths"].items()):
        if not path.startswith("/api/"):
            continue
        for method in METHODS:
            if method in operations:
                lines += _operation(method, path, operations[method])
    lines += ["### Schemas", ""]
    for name, schema in sorted(spec.get("components", {}).get("schemas", {}).items()):
        lines += _schema(name, schema)
    lines.append(END)
    return "\n".join(lines) + "\n"


def _operation(method: str, path: str, operation: dict[str, Any]) -> list[str]:
    lines = [f"### `{method.upper()} {path}`", ""]
    if operation.get("summary"):
        lines += [_one_line(operation["summary"]), ""]
    parameters = operation.get("parameters") or []
    if parameters:
        lines += ["| parameter | in | type | required | description |", "| --- | --- | --- | --- | --- |"]
        lines += [f"| `{p['name']}` | {p['in']} | {_type(p.get('schema', {}))} | {'yes' if p.get('required') else 'no'} "
                  f"| {_one_line(p.get('description') or p.get('schema', {}).get('description', ''))} |"
                  for p in parameters]
        lines.append("")
    body = (operation.get("requestBody") or {}).get("content", {})
    for content_type, content in body.items():
        lines += [f"Body ({content_type}): {_type(content.get('schema', {}))}", ""]
    responses = sorted(operation.get("responses", {}).items())
    for status, response in responses:
        if status.startswith("2"):
            content = response.get("content") or {}
            answer = ", ".join(f"{_type(c.get('schema', {}))} ({t})" for t, c in content.items()) or "no body"
            lines += [f"**{status}**: {answer}", ""]
    errors = [status for status, _ in responses if not status.startswith("2")]
    if errors:
        lines += [f"Errors: {', '.join(errors)} ([ErrorDocument](#errordocument))", ""]
    return lines


def _schema(name: str, schema: dict[str, Any]) -> list[str]:
    lines = [f"#### {name}", ""]
    if schema.get("description"):
        lines += [_one_line(schema["description"]), ""]
    properties = schema.get("properties") or {}
    if properties:
        required = set(schema.get("required") or [])
        lines += ["| field | type | required | description |", "| --- | --- | --- | --- |"]
        lines += [f"| `{field}` | {_type(value)} | {'yes' if field in required else 'no'} "
                  f"| {_one_line(value.get('description', ''))} |" for field, value in properties.items()]
        lines.append("")
    elif schema.get("enum"):
        lines += ["One of: " + ", ".join(f"`{v}`" for v in schema["enum"]), ""]
    return lines


def _type(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return f"[{schema['$ref'].rsplit('/', 1)[-1]}](#{schema['$ref'].rsplit('/', 1)[-1].lower()})"
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return " or ".join(_type(s) for s in schema[key])
    kind = schema.get("type")
    if kind == "array":
        return f"list of {_type(schema.get('items', {}))}"
    if kind == "object" and "additionalProperties" in schema and isinstance(schema["additionalProperties"], dict):
        return f"map of {_type(schema['additionalProperties'])}"
    if "enum" in schema:
        return " \\| ".join(f"`{v}`" for v in schema["enum"])
    if "const" in schema:
        return f"`{schema['const']}`"
    fmt = schema.get("format")
    return f"{kind} ({fmt})" if kind and fmt else str(kind or "any")


def _one_line(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def current(text: str, generated: str) -> str:
    """`text` with its generated section replaced (appended when it has none)."""
    if BEGIN in text and END in text:
        before = text[: text.index(BEGIN)]
        after = text[text.index(END) + len(END):].lstrip("\n")
        return before + generated + (("\n" + after) if after else "")
    return text.rstrip("\n") + "\n\n" + generated


def main() -> int:
    text = DOCS.read_text(encoding="utf-8")
    DOCS.write_text(current(text, markdown(openapi())), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
