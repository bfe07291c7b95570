"""Files from other projects, read from the shared folder beside the clone, never committed here.

The workspace keeps them in ``../shared/fixtures/third-party/`` (its README says where each came
from, under which licence); ``KZARCHIVE_SHARED`` names another shared folder. A clone without it
skips the tests that need them, each with one line saying which file is missing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("KZARCHIVE_SHARED") or ROOT.parent / "shared")
THIRD_PARTY = SHARED / "fixtures" / "third-party"


def third_party(relative: str) -> Path:
    """The path of ``relative`` in the shared third-party fixtures; skips the test if absent."""
    path = THIRD_PARTY / relative
    if not path.is_file():
        pytest.skip(f"needs {relative} from ../shared/fixtures/third-party/ (absent here)")
    return path
