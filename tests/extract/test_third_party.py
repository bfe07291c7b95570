"""Documents other projects made (../shared/fixtures/third-party/README.md says where from, under
which licence): what each cites, as the source project itself expects of it. They are read from
the shared folder, never committed here (tests/shared.py)."""

from __future__ import annotations

import pytest

from kzarchive.errors import DocumentError
from kzarchive.extract import extract
from tests.shared import THIRD_PARTY, third_party

_PANDOC_SUITE = (
    [("3", "http://google.com")],
    ["http://example.com/?foo=1&bar=2", "http://att.com/", "http://example.com/"],
)
# file -> (footnoted citations, other URLs found with --all-links)
EXPECTED: dict[str, tuple[list[tuple[str, str]], list[str]]] = {
    "mammoth/footnote-hyperlink.docx": ([("1", "http://www.example.com")], []),
    "mammoth/footnotes.docx": ([], []),
    "mammoth/endnotes.docx": ([], []),
    "pandoc/link_in_notes.docx": ([("1", "http://wikipedia.org/")], []),
    "pandoc/instrText_hyperlink.docx": (
        [],
        [
            "https://books.google.com/books?id=sp_Zcb9ot90C&lpg=PR4&hl=zh-CN&pg=PA19",
            "https://books.google.ae/books?id=dlc0DwAAQBAJ&lpg=PT29&hl=zh-CN&pg=PT26"
            "#v=onepage&q&f=true",
        ],
    ),
    "pandoc/notes.docx": ([], []),
    "pandoc/footnote.odt": ([], []),
    "pandoc/endnote.odt": ([], []),
    "pandoc/externalLink.odt": ([], ["http://example.com/"]),
    "pandoc/testsuite.txt": _PANDOC_SUITE,
    "pandoc/writer.markdown": _PANDOC_SUITE,
    "pandoc/writer.html5": _PANDOC_SUITE,
    "pandoc/writer.latex": _PANDOC_SUITE,
    "pandoc/html-reader.html": ([], _PANDOC_SUITE[1]),
    "pandoc/markdown-reader-more.txt": (
        [],
        [
            "http://en.wikipedia.org/wiki/Ward's_method",
            "http://测.com?测=测",
            "http://göögle.com",
            "http://google.com",
        ],
    ),
    "pandoc/features.epub": (
        [],
        [
            "http://idpf.org/",
            "https://github.com/mgylling/epub-testsuite/wiki/Overview",
            "http://en.wikipedia.org/wiki/Cicho%C5%84's_diagram",
            "http://idpf.org/epub/30/spec/epub30-contentdocs.html#sec-xhtml-content-switch",
            "http://idpf.org/epub/30/spec/epub30-contentdocs.html#sec-xhtml-epub-case",
        ],
    ),
    "pandoc/wasteland.epub": ([], []),
    "pandoc/sdt_in_footnote.docx": ([], []),
    "pandoc/trackedChanges.odt": ([], []),
    "pandoc/referenceAllInOne.odt": ([], []),
    "pandoc/citation.odt": ([], []),
    "pandoc/unicode.odt": ([], []),
    "pandoc/listBlocks.odt": ([], []),
    "pandoc/hiddenTextByStyle.odt": ([], []),
    "py-pdf/libre-office-link.pdf": ([], ["https://martin-thoma.com/"]),
    "py-pdf/pdflatex-4-pages.pdf": ([], []),
    "py-pdf/google-doc-document.pdf": ([], []),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_third_party_document(name: str) -> None:
    notes, others = EXPECTED[name]
    path = third_party(name)
    assert [(c.footnote, c.url) for c in extract(path).citations] == notes
    found = extract(path, all_links=True).citations
    assert [c.url for c in found if c.footnote is None] == others


def test_a_password_protected_pdf_made_by_libreoffice() -> None:
    with pytest.raises(DocumentError, match="password-protected"):
        extract(third_party("py-pdf/libreoffice-writer-password.pdf"))


def test_every_corpus_file_has_its_source_and_licence_noted() -> None:
    readme = third_party("README.md").read_text()
    files = [p for p in THIRD_PARTY.rglob("*") if p.is_file() and p.name != "README.md"]
    assert files and all(p.name in readme for p in files)


def test_no_file_from_another_project_is_committed_here() -> None:
    from tests.shared import ROOT

    assert not (ROOT / "tests" / "fixtures" / "third-party").exists()
