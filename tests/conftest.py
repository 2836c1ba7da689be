"""Shared test helpers: a call factory and the path of the recorded fixtures."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from matcher.models import Call

FIXTURES = Path(__file__).parent / "fixtures"


def make_call(native_id: str = "T-1", portal: str = "eu_ftop", **fields: object) -> Call:
    """A call with sensible defaults; tests override only what they pin."""
    defaults: dict[str, object] = {
        "title": f"Call {native_id}",
        "url": f"https://example.org/{native_id}",
        "deadlines": [datetime(2026, 9, 15, 15, 0, tzinfo=UTC)],
    }
    defaults.update(fields)
    return Call(portal=portal, native_id=native_id, **defaults)  # type: ignore[arg-type]


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES
