"""Lists the benchmarks (`python -m benchmarks`), or runs one (`python -m benchmarks NAME`)."""

from __future__ import annotations

import importlib
import pkgutil
import runpy
import sys
from pathlib import Path


def available() -> dict[str, str]:
    """Benchmark module names and the first line of their docstrings."""
    found = {}
    for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if module.name.startswith("_"):
            continue
        doc = importlib.import_module(f"benchmarks.{module.name}").__doc__ or ""
        found[module.name] = (doc.strip().splitlines() or [""])[0]
    return found


def main(argv: list[str]) -> int:
    benchmarks = available()
    if argv and argv[0] in benchmarks:
        sys.argv = [f"benchmarks.{argv[0]}", *argv[1:]]
        runpy.run_module(f"benchmarks.{argv[0]}", run_name="__main__")
        return 0
    if argv:
        print(f"unknown benchmark {argv[0]!r}", file=sys.stderr)
    print("Benchmarks (run one with `.venv/bin/python -m benchmarks.NAME` or `python -m benchmarks NAME`):")
    for name, summary in sorted(benchmarks.items()):
        print(f"  {name:<24} {summary}")
    return 2 if argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
