"""Reads each CSV file of a plant folder into typed rows, collecting every cell problem."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from integrations.csv_import.fields import CellError
from integrations.csv_import.schema import FileSpec


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, where a planner can find it."""

    file: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


@dataclass(frozen=True)
class Row:
    file: str
    line: int
    values: dict[str, Any]

    def __getitem__(self, column: str) -> Any:
        return self.values[column]


@dataclass
class Findings:
    """Every problem found so far, and what cross-file checks must not count as a new problem."""

    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # files that could not be read at all (missing, bad header): references into them are not checked
    failed_files: set[str] = field(default_factory=set)
    # per file, the ids (first column) of rows left out for a bad cell: already reported once
    rejected_ids: dict[str, set[str]] = field(default_factory=dict)

    def error(self, file: str, line: int | None, column: str | None, message: str) -> None:
        self.errors.append(Problem(file, line, column, message))

    def warn(self, file: str, line: int | None, column: str | None, message: str) -> None:
        self.warnings.append(Problem(file, line, column, message))


def read_file(folder: Path, spec: FileSpec, findings: Findings) -> list[Row] | None:
    """Typed rows of one file, or None when the file is absent (or unreadable).

    Rows with a bad cell are reported and left out, so later cross-checks do not
    pile consequential errors on top of the real one.
    """
    path = folder / spec.name
    if not path.exists():
        if not spec.optional:
            findings.error(spec.name, None, None, "required file is missing")
            findings.failed_files.add(spec.name)
        return None
    try:
        content = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        findings.error(spec.name, None, None, f"not UTF-8 text (byte {exc.start})")
        findings.failed_files.add(spec.name)
        return None
    reader = csv.reader(io.StringIO(content, newline=""))
    header = next(_records(reader, spec.name, findings), None)
    if header is None:
        if not any(p.file == spec.name for p in findings.errors):  # not already reported as unreadable
            findings.error(spec.name, 1, None, "file is empty: a header row is required")
        findings.failed_files.add(spec.name)
        return None
    columns = [name.strip().lower() for name in header]
    if not _check_header(spec, columns, findings):
        findings.failed_files.add(spec.name)
        return None
    rejected = findings.rejected_ids.setdefault(spec.name, set())
    key_index = columns.index(spec.columns[0].name)  # the id column; the header check ensured it is there
    rows: list[Row] = []
    line = reader.line_num
    for raw in _records(reader, spec.name, findings):
        start_line, line = line + 1, reader.line_num
        if not any(cell.strip() for cell in raw):
            continue
        row = _parse_row(spec, columns, raw, start_line, findings)
        if row is not None:
            rows.append(row)
        elif key_index < len(raw):
            rejected.add(raw[key_index].strip())
    return rows


def _records(reader: Any, file: str, findings: Findings) -> Iterator[list[str]]:
    """The records of a CSV reader; a malformed record (e.g. an unclosed quote) ends the file with an error."""
    try:
        yield from reader
    except csv.Error as exc:
        findings.error(file, reader.line_num, None, f"not readable as CSV: {exc}")


def _check_header(spec: FileSpec, columns: list[str], findings: Findings) -> bool:
    known = {c.name for c in spec.columns}
    ok = True
    seen: set[str] = set()
    for name in columns:
        if name in seen:
            findings.error(spec.name, 1, name, "column appears twice in the header")
            ok = False
        seen.add(name)
        if name not in known:
            findings.warn(spec.name, 1, name or "(blank)", "unknown column is ignored")
    for column in spec.columns:
        if column.required and not column.may_omit and column.name not in seen:
            findings.error(spec.name, 1, column.name, "required column is missing")
            ok = False
    return ok


def _parse_row(
    spec: FileSpec, columns: list[str], raw: list[str], line: int, findings: Findings
) -> Row | None:
    if len(raw) > len(columns) and any(cell.strip() for cell in raw[len(columns):]):
        findings.error(spec.name, line, None, f"row has {len(raw)} values but the header has {len(columns)}")
        return None
    cells = dict(zip(columns, raw, strict=False))
    values: dict[str, Any] = {}
    ok = True
    for column in spec.columns:
        cell = (cells.get(column.name) or "").strip()
        if not cell:
            if column.required:
                findings.error(spec.name, line, column.name, "value is required")
                ok = False
            else:
                values[column.name] = column.default
            continue
        try:
            values[column.name] = column.parse(cell)
        except CellError as exc:
            findings.error(spec.name, line, column.name, str(exc))
            ok = False
    return Row(spec.name, line, values) if ok else None
