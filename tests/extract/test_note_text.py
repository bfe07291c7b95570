"""Each note's own text and the document's title, as the reports show them, per format."""

from __future__ import annotations

from pathlib import Path

import pytest

from kzarchive.extract import extract

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SEED = Path(__file__).resolve().parents[2] / "sources.txt"
AKTAU = "Kazakhstan: monitoring of hearings in Aktau"
DIARY = (
    "Mission diary: https://fidu.it/en/aktau-hearings-2022/; photo archive: "
    "https://www.flickr.com/photos/fidu/albums/72177720297."
)


@pytest.mark.parametrize(
    "name", ["office/report.md", "office/report.docx", "office/report.odt", "office/report.tex"]
)
def test_one_report_has_one_title_whatever_its_format(name: str) -> None:
    found = extract(FIXTURES / name)
    assert found.document.title == AKTAU


@pytest.mark.parametrize("name", ["office/report.md", "office/report.docx", "office/report.odt"])
def test_a_note_reads_as_its_reader_sees_it(name: str) -> None:
    citations = extract(FIXTURES / name).citations
    assert citations[0].footnote == "1"
    assert citations[0].note == DIARY  # the label, link syntax and markup left out
    assert {c.note for c in citations if c.footnote == "2"} == {
        "Court register of the Aktau City Court."
    }


def test_html_notes_lose_their_tags_and_back_links() -> None:
    found = extract(FIXTURES / "documents" / "pandoc-footnotes.html")
    assert found.document.title == "Report on detentions"
    note = found.citations[-1].note
    assert note is not None and "<" not in note and "↩" not in note
    assert note.startswith("Decree text: http://adilet.zan.kz/rus/docs/U1900000001")


def test_the_seeds_title_is_its_bold_first_paragraph_and_its_notes_their_urls() -> None:
    found = extract(SEED)
    assert found.document.title is not None
    assert found.document.title.startswith("KAZAKHSTAN ILLEGALLY EXPELLED FIDU")
    first = found.citations[0]
    assert first.note == first.url  # the seed's notes are the bare links, <sup>1</sup> left out
    assert found.document.to_json()["title"] == found.document.title


def test_latex_notes_share_lines_with_the_body_so_no_text_is_guessed() -> None:
    assert all(c.note is None for c in extract(FIXTURES / "office" / "report.tex").citations)


def test_a_document_without_a_title_has_none(tmp_path: Path) -> None:
    doc = tmp_path / "plain.md"
    doc.write_text("Some text.[^1]\n\n[^1]: https://example.org/a\n")
    found = extract(doc)
    assert found.document.title is None
    assert "title" not in found.document.to_json()
    assert found.citations[0].note == "https://example.org/a"
