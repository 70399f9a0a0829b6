"""Shared fixtures: the per-process extractor's taxonomy and the matching analyzer (loading takes seconds), and
the console's fixtures (a populated database per module on both backends, a client) for the console tests."""

from __future__ import annotations

import pytest

from chanyan.extraction import get_extractor
from chanyan.partners.analysis import Analyzer, get_analyzer
from tests.console.conftest import client, database, refs, settings  # noqa: F401  (console_support joins sys.path)


@pytest.fixture(scope="session")
def taxonomy():
    return get_extractor().taxonomy


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    return get_analyzer()
