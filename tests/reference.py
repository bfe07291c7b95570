"""Schemas other projects publish, read from the shared folder (never committed here).

``../shared/reference/`` beside the repository holds them; ``KZARCHIVE_TEST_REFERENCE`` may name
another folder. A test that needs a missing one skips, naming the file and where it comes from.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = {
    "junit-10.xsd": "pytest-dev/pytest, testing/example_scripts/junit-10.xsd",
    "csl-data.json": "citation-style-language/schema, schemas/input/csl-data.json",
}


def reference_file(name: str) -> Path:
    """The shared copy of ``name``, or a skip saying which file is missing."""
    folders = [ROOT.parent / "shared" / "reference"]
    if os.environ.get("KZARCHIVE_TEST_REFERENCE"):
        folders.insert(0, Path(os.environ["KZARCHIVE_TEST_REFERENCE"]))
    for folder in folders:
        if (folder / name).is_file():
            return folder / name
    pytest.skip(f"{name} is not in ../shared/reference/ (from {SOURCES[name]})")
