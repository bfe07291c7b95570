"""Documents other projects made (tests/fixtures/third-party/README.md says where from, under
which licence): what each cites, as the source project itself expects of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from kzarchive.errors import DocumentError
from kzarchive.extract import extract
from tests.conftest import FIXTURES

CORPUS = FIXTURES / "third-party"
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
    "py-pdf/libre-office-link.pdf": ([], ["https://martin-thoma.com/"]),
    "py-pdf/pdflatex-4-pages.pdf": ([], []),
    "py-pdf/google-doc-document.pdf": ([], []),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_third_party_document(name: str) -> None:
    notes, others = EXPECTED[name]
    path = CORPUS / name
    assert [(c.footnote, c.url) for c in extract(path).citations] == notes
    found = extract(path, all_links=True).citations
    assert [c.url for c in found if c.footnote is None] == others


def test_a_password_protected_pdf_made_by_libreoffice() -> None:
    with pytest.raises(DocumentError, match="password-protected"):
        extract(CORPUS / "py-pdf" / "libreoffice-writer-password.pdf")


def test_every_corpus_file_has_its_source_and_licence_noted() -> None:
    readme = (CORPUS / "README.md").read_text()
    files = [p for p in CORPUS.rglob("*") if p.suffix in (".docx", ".odt", ".pdf")]
    assert files and all(
        str(Path(p.parent.name) / p.name) in readme or p.name in readme for p in files
    )
