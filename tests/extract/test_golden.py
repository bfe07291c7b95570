"""Every fixture document read exactly as its golden record says (see ``golden.py``).

The records were reviewed when written; a change to any reader's output (a label, a line, a
context sentence, a span, a warning) fails here until ``python tests/fixtures/update_golden.py``
is run deliberately and its diff reviewed.
"""

from __future__ import annotations

import json

import pytest

from tests.extract.golden import documents, golden_path, record


@pytest.mark.parametrize("name", documents())
def test_reader_output_matches_its_golden_record(name: str) -> None:
    expected = json.loads(golden_path(name).read_text(encoding="utf-8"))
    assert record(name) == expected


def test_every_golden_record_has_its_document() -> None:
    wanted = {golden_path(name).name for name in documents()}
    present = {path.name for path in golden_path("x").parent.glob("*.json")}
    assert present == wanted
