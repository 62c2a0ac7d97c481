"""Fixtures for the source clients' tests: fakes on pytest-httpserver, budgets, held answers."""

from __future__ import annotations

import threading

import pytest

from packyard.core.http import build_client
from packyard.sources import registry
from packyard.sources.types import RateReading


class RecordingBudget:
    """A `RateBudget` that lets every request go and remembers what it was told."""

    def __init__(self, refuse=None):
        self.refuse = refuse
        self.acquired: list[str] = []
        self.readings: list[tuple[str, RateReading | None]] = []

    def acquire(self, host):
        self.acquired.append(host)
        if self.refuse is not None:
            raise self.refuse

    def release(self, host, reading):
        self.readings.append((host, reading))

    @property
    def costs(self):
        return [reading.cost for _, reading in self.readings if reading is not None]


@pytest.fixture
def budget():
    """A budget that records every acquire and release."""
    return RecordingBudget()


@pytest.fixture
def release_later():
    """Make events that held answers wait on; every one is set when the test ends."""
    events = []

    def make():
        event = threading.Event()
        events.append(event)
        return event

    yield make
    for event in events:
        event.set()


@pytest.fixture
def http():
    """Build `httpx.Client`s the way Packyard does, closing them after the test."""
    clients = []

    def make(base_url, *, timeout=5.0):
        client = build_client(base_url=base_url, timeout=timeout)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture(autouse=True)
def _forget_clients():
    """Forget the registry's kept clients, since tests change settings."""
    registry.clear_clients()
    yield
    registry.clear_clients()
