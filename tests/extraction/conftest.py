"""Shared fixtures: one extractor per test session (loading takes seconds, extracting milliseconds)."""

from __future__ import annotations

from datetime import datetime

import pytest

from chanyan.extraction import Extractor, get_extractor

NOW = datetime(2026, 3, 15, 10, 0)


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    return get_extractor()


@pytest.fixture(scope="session")
def now() -> datetime:
    return NOW
