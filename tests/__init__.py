"""Test support shared by every app's tests and by the benchmarks.

Factories (`tests.factories`), fake upstream servers (`tests.fakes`) and the world of roles
the permission tests walk (`tests.world`). Production code never imports this package; the
layer contracts in `pyproject.toml` check that.
"""
