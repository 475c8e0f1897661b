"""Benchmarks: seeded data, timed outside the test suite, results printed as a table.

Run `python -m benchmarks` to list them and `python -m benchmarks.<name>` to run one.
"""
