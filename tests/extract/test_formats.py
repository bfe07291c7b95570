"""ODT, EPUB, LaTeX and BibTeX; and every reader fed mutated real documents: a clean result or a
one-line error, never a traceback."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kzarchive.errors import DocumentError
from kzarchive.extract import extract
from tests.conftest import DOCUMENTS, FIXTURES
from tests.strategies import mutate

OFFICE = FIXTURES / "office"


def pairs(path: Path) -> list[tuple[str | None, str]]:
    return [(c.footnote, c.url) for c in extract(path).citations]


# What report.md cites (pandoc makes the ODT, EPUB and LaTeX versions from it).
REPORT = [
    ("1", "https://fidu.it/en/aktau-hearings-2022/"),
    ("1", "https://www.flickr.com/photos/fidu/albums/72177720297"),
    ("2", "https://office.sud.kz/courtAct/index.xhtml?id=2022-03-01&lang=en"),
    (
        "3",
        "https://www.hrw.org/world-report/2022/country-chapters/kazakhstan-human-rights-"
        "defenders-and-independent-journalists-under-pressure-from-the-authorities",
    ),
    ("4", "https://fidu.it/en/aktau-hearings-2022/"),
    ("6", "https://www.youtube.com/watch?v=realTarget42"),
]


@pytest.mark.parametrize("name", ["report.md", "report.odt", "report.epub", "report.tex"])
def test_pandoc_made_versions_cite_the_same(name: str) -> None:
    assert pairs(OFFICE / name) == REPORT


def test_latex_marks_texts_nested_braces_and_comments() -> None:
    found = [(c.footnote, c.url, c.line) for c in extract(OFFICE / "marks.tex").citations]
    assert found == [
        ("1", "https://fidu.it/en/aktau-hearings-2022/", 8),
        ("1", "https://www.flickr.com/photos/fidu/albums/72177720297", 8),
        ("2", "https://office.sud.kz/courtAct/index.xhtml?id=2022-03-01&lang=en", 11),
        ("7", "https://www.hrw.org/world-report/2022#kazakhstan", 12),
    ]
    result = extract(OFFICE / "marks.tex")
    assert result.document.format == "latex" and str(result.document.cited_on) == "2022-03-15"
    assert {c.footnote: c.context for c in result.citations}["7"] == "Observers were present."


def test_bibtex_entries_are_notes_labelled_by_their_keys() -> None:
    assert pairs(OFFICE / "zotero.bib") == [
        ("fidu2022", "https://fidu.it/en/aktau-hearings-2022/"),
        ("hrw2022", "https://www.hrw.org/world-report/2022/country-chapters/kazakhstan"),
        ("smith2020", "https://doi.org/10.1177/1879366520912345"),
    ]


def test_an_epub_made_by_ebooklib_with_endnotes() -> None:
    # EbookLib's layout: a navigation document that also links to the notes, <li> endnotes.
    assert pairs(OFFICE / "ebooklib.epub") == [
        ("1", "https://fidu.it/en/aktau-hearings-2022/"),
        ("2", "https://office.sud.kz/courtAct/index.xhtml?id=2022-03-01&lang=en"),
    ]


def test_an_epub3_with_aside_notes_in_another_file() -> None:
    assert pairs(OFFICE / "aside-notes.epub") == [
        ("1", "https://fidu.it/en/aktau-hearings-2022/"),
        ("2", "https://office.sud.kz/courtAct/index.xhtml?id=2022-03-01&lang=en"),
    ]


@pytest.mark.parametrize("name", ["report.odt", "report.epub", "marks.tex", "zotero.bib"])
def test_formats_are_told_by_content_not_name(name: str, tmp_path: Path) -> None:
    renamed = tmp_path / "document"
    renamed.write_bytes((OFFICE / name).read_bytes())
    assert pairs(renamed) == pairs(OFFICE / name)


# -- every reader, mutated real documents -------------------------------------------------------

SAMPLES = {
    "markdown": DOCUMENTS / "pandoc-footnotes.md",
    "html": DOCUMENTS / "word-export.htm",
    "docx": OFFICE / "report.docx",
    "pdf": OFFICE / "report.pdf",
    "odt": OFFICE / "report.odt",
    "epub": OFFICE / "report.epub",
    "latex": OFFICE / "marks.tex",
    "bibtex": OFFICE / "zotero.bib",
}
ZIPPED = {"docx": "word/document.xml", "odt": "content.xml", "epub": "EPUB/text/ch001.xhtml"}


def _mutate(data: bytes, draw: st.DrawFn) -> bytes:
    return mutate(
        data,
        draw,
        max_edits=5,
        max_cut=400,
        inserts=st.sampled_from([b"<", b"{", b"}", b"\\", b"\x00", b"[^"]),
        max_repeat=60,
    )


@st.composite
def mutated(draw: st.DrawFn, kind: str) -> bytes:
    data = SAMPLES[kind].read_bytes()
    inner = ZIPPED.get(kind)
    if inner is not None and draw(st.booleans()):
        # Keep the zip whole and break the XML inside it, where the reader really looks.
        source = zipfile.ZipFile(io.BytesIO(data))
        names = source.namelist()
        target = inner if inner in names else next(n for n in names if n.endswith("ml"))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as rebuilt:
            for name in names:
                content = source.read(name)
                rebuilt.writestr(name, _mutate(content, draw) if name == target else content)
        return buffer.getvalue()
    return _mutate(data, draw)


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_every_reader_survives_mutated_documents(kind: str, tmp_path: Path) -> None:
    assert SAMPLES[kind].exists()

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(data=mutated(kind))
    def check(data: bytes) -> None:
        path = tmp_path / f"sample-{kind}"
        path.write_bytes(data)
        try:
            result = extract(path)
        except DocumentError as exc:
            assert "\n" not in str(exc)
            return
        assert all(c.url.startswith(("http://", "https://")) for c in result.citations)

    check()


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_memory_stays_bounded_by_the_input(kind: str) -> None:
    import tracemalloc

    size = SAMPLES[kind].stat().st_size
    tracemalloc.start()
    try:
        extract(SAMPLES[kind])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Generous: parsers' own tables dominate small files; what matters is no blow-up.
    assert peak < 200 * size + 16 * 1024 * 1024


@pytest.mark.parametrize("kind", ["docx", "odt"])  # EPUB chapters are read as HTML, leniently
def test_an_unknown_xml_encoding_is_a_corrupt_file(kind: str, tmp_path: Path) -> None:
    # Found by the mutation test above: one byte lost from encoding="UTF-8" in the main part.
    path = tmp_path / f"sample.{kind}"
    with zipfile.ZipFile(SAMPLES[kind]) as source, zipfile.ZipFile(path, "w") as damaged:
        for name in source.namelist():
            content = source.read(name)
            if name == ZIPPED[kind]:
                content = content.replace(b"UTF-8", b"TF-8", 1).replace(b"utf-8", b"tf-8", 1)
            damaged.writestr(name, content)
    with pytest.raises(DocumentError, match="corrupt"):
        extract(path)
