"""A query parameter named like a legacy HTML entity is a parameter, not a character."""

from __future__ import annotations

from pathlib import Path

from kzarchive.extract import extract


def test_a_parameter_named_like_an_entity_stays_as_written(tmp_path: Path) -> None:
    doc = tmp_path / "report.md"
    doc.write_text(
        "Claim.[^1]\n\n[^1]: https://example.org/search?q=1&para=2&copy=3&amp;lang=en&#38;p=4\n"
    )
    assert [c.url for c in extract(doc).citations] == [
        "https://example.org/search?q=1&para=2&copy=3&lang=en&p=4"
    ]
