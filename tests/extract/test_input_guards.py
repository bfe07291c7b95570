"""Input read as written: a query parameter named like a legacy HTML entity is a parameter, not a
character; a bibliography bibtexparser cannot read is a warning, never a traceback."""

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


def test_a_bibliography_with_an_undefined_macro_is_a_warning_not_a_traceback(
    tmp_path: Path,
) -> None:
    # Found by the mutated-documents test: a value that is neither braced, quoted nor a number
    # is a macro name, and an unknown one stopped the reader with bibtexparser's own error
    doc = tmp_path / "refs.bib"
    doc.write_text(
        "@report{fidu2022,\n  title = {Hearings},\n  url =-03-15},\n"
        "  url = {https://fidu.it/en/aktau-hearings-2022/},\n}\n"
    )
    found = extract(doc)
    assert any("undefined @string macro" in w for w in found.warnings)
