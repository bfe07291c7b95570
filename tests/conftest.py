"""Shared fixtures: paths to the seed report and the document fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DOCUMENTS = FIXTURES / "documents"


@pytest.fixture
def seed() -> Path:
    return ROOT / "sources.txt"
