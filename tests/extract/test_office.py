"""DOCX and PDF readers: the fixtures made by tests/fixtures/office/make.py, and bad input."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from kzarchive.cli import main
from kzarchive.errors import DocumentError
from kzarchive.extract import extract
from kzarchive.extract.docx import format_number
from kzarchive.extract.notes import Note
from kzarchive.extract.pdf import _Line, _Open, _Reader, _Segment
from kzarchive.extract.pdf_pages import LinkArea
from tests.conftest import FIXTURES

OFFICE = FIXTURES / "office"
HRW = (
    "https://www.hrw.org/world-report/2022/country-chapters/kazakhstan-human-rights-defenders-"
    "and-independent-journalists-under-pressure-from-the-authorities"
)
EXPECTED = [
    ("1", "https://fidu.it/en/aktau-hearings-2022/"),
    ("1", "https://www.flickr.com/photos/fidu/albums/72177720297"),
    ("2", "https://office.sud.kz/courtAct/index.xhtml?id=2022-03-01&lang=en"),
    ("3", HRW),
    ("4", "https://fidu.it/en/aktau-hearings-2022/"),
    ("ii", "https://www.youtube.com/watch?v=realTarget42"),
]
CONTEXTS = {
    "1": "The mission observed three hearings in Aktau.",
    "2": "The defendant’s lawyer was not admitted, as the court’s own register shows.",
    "3": "Human Rights Watch described the same pattern in its world report.",
    "4": "The same statement was quoted again in a later ruling.",
    "ii": "The detention itself was filmed by a relative.",
}


@pytest.mark.parametrize("name", ["report.docx", "report.pdf"])
def test_office_fixture_citations(name: str) -> None:
    result = extract(OFFICE / name)
    assert [(c.footnote, c.url) for c in result.citations] == EXPECTED
    assert {c.footnote: c.context for c in result.citations} == CONTEXTS
    assert result.document.format == name.rsplit(".", 1)[1]
    assert str(result.document.cited_on) == "2022-03-14"
    assert result.warnings == ()
    # Footnote 4 repeats footnote 1's first URL: one link, two footnotes.
    assert result.links[0].footnotes == ("1", "4")


@pytest.mark.parametrize("name", ["report-pandoc.docx", "report-pandoc.pdf"])
def test_pandoc_word_files_footnotes_at_body_size(name: str) -> None:
    result = extract(OFFICE / name)
    expected = [(note if note != "ii" else "6", url) for note, url in EXPECTED]
    assert [(c.footnote, c.url) for c in result.citations] == expected
    assert result.citations[-1].context == CONTEXTS["ii"]


def test_pdf_endnotes_under_a_notes_heading_with_typed_urls() -> None:
    result = extract(OFFICE / "notes-section.pdf")
    assert [(c.footnote, c.url, c.context) for c in result.citations] == [
        ("1", "https://sud.kz/rus/ruling/12345", "The court ruled against the activist."),
        (
            "1",
            "https://prokuror.kz/news/2019/02/20/a-very-long-path-that-goes-on-and-on-and-on-to-"
            "force-a-line-break-in-the-pdf-export.html",
            "The court ruled against the activist.",
        ),
        ("2", "https://sud.kz/rus/appeal/777", "The appeal was dismissed."),
    ]
    assert str(result.document.cited_on) == "2019-02-22"


def test_docx_line_is_the_paragraph_and_pdf_line_the_page() -> None:
    assert [c.line for c in extract(OFFICE / "report.docx").citations] == [3, 3, 3, 3, 4, 4]
    assert [c.line for c in extract(OFFICE / "report.pdf").citations] == [1, 1, 1, 1, 1, 2]


def test_chosen_by_content_not_name(tmp_path: Path) -> None:
    renamed = tmp_path / "report.txt"
    renamed.write_bytes((OFFICE / "report.pdf").read_bytes())
    assert len(extract(renamed).citations) == 6
    renamed = tmp_path / "report"
    renamed.write_bytes((OFFICE / "report.docx").read_bytes())
    assert len(extract(renamed).citations) == 6


W_NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
)


def make_docx(body: str, footnotes: str, rels: str = "", note_rels: str = "") -> bytes:
    """A minimal .docx, written the way Word writes its parts."""
    rel_ns = 'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "word/document.xml", f"<w:document {W_NS}><w:body>{body}</w:body></w:document>"
        )
        archive.writestr("word/footnotes.xml", f"<w:footnotes {W_NS}>{footnotes}</w:footnotes>")
        archive.writestr(
            "word/_rels/document.xml.rels", f"<Relationships {rel_ns}>{rels}</Relationships>"
        )
        archive.writestr(
            "word/_rels/footnotes.xml.rels", f"<Relationships {rel_ns}>{note_rels}</Relationships>"
        )
    return buffer.getvalue()


def relationship(rel_id: str, target: str) -> str:
    kind = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
    return f'<Relationship Id="{rel_id}" Type="{kind}" Target="{target}" TargetMode="External"/>'


def test_docx_custom_marks_fields_and_split_runs(tmp_path: Path) -> None:
    body = (
        '<w:p><w:r><w:t>First claim.</w:t></w:r><w:r><w:footnoteReference w:id="7"/></w:r>'
        '<w:r><w:t xml:space="preserve"> Second claim.</w:t></w:r>'
        '<w:r><w:footnoteReference w:customMarkFollows="1" w:id="8"/><w:t>*</w:t></w:r>'
        '<w:r><w:t xml:space="preserve"> Third.</w:t></w:r>'
        '<w:r><w:footnoteReference w:id="9"/></w:r>'
        "</w:p>"
    )
    footnotes = (
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        '<w:footnote w:id="7"><w:p><w:r><w:t>Typed: https://example.org/a-very-</w:t></w:r>'
        "<w:r><w:t>long/path.html.</w:t></w:r></w:p></w:footnote>"
        '<w:footnote w:id="8"><w:p><w:hyperlink r:id="rId3" w:anchor="sec2"><w:r>'
        "<w:t>shown text https://shown.example/</w:t></w:r></w:hyperlink></w:p></w:footnote>"
        '<w:footnote w:id="9"><w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText> HYPERLINK "https://field.example/doc" </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>https://field-text.example/</w:t>'
        '</w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p></w:footnote>'
    )
    note_rels = relationship("rId3", "https://target.example/page")
    doc = tmp_path / "notes.docx"
    doc.write_bytes(make_docx(body, footnotes, note_rels=note_rels))
    result = extract(doc)
    assert [(c.footnote, c.url) for c in result.citations] == [
        ("1", "https://example.org/a-very-long/path.html"),
        ("*", "https://target.example/page#sec2"),
        ("2", "https://field.example/doc"),
    ]
    assert {c.footnote: c.context for c in result.citations} == {
        "1": "First claim.",
        "*": "Second claim.",
        "2": "Third.",
    }


def test_docx_body_hyperlinks_with_all_links(tmp_path: Path) -> None:
    body = '<w:p><w:hyperlink r:id="rId9"><w:r><w:t>our site</w:t></w:r></w:hyperlink></w:p>'
    rels = relationship("rId9", "https://ngo.example/")
    doc = tmp_path / "body.docx"
    doc.write_bytes(make_docx(body, "", rels=rels))
    assert extract(doc).citations == ()
    assert [(c.footnote, c.url) for c in extract(doc, all_links=True).citations] == [
        (None, "https://ngo.example/")
    ]


@pytest.mark.parametrize(
    ("number", "fmt", "label"),
    [
        (1, "decimal", "1"),
        (4, "lowerRoman", "iv"),
        (9, "upperRoman", "IX"),
        (3, "lowerLetter", "c"),
        (28, "upperLetter", "BB"),
        (2, "chicago", "†"),
        (5, "chicago", "**"),
    ],
)
def test_word_number_formats(number: int, fmt: str, label: str) -> None:
    assert format_number(number, fmt) == label


def line(y: float, text: str, label: str | None = None) -> _Line:
    segments = [_Segment(0, y, 10, text, x1=5.0 * len(text))]
    if label:
        segments.insert(0, _Segment(-5, y + 3, 5, label, x1=-1, sup=True))
    return _Line(1, y, segments)


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        (
            "See https://example.org/reports/long-",
            "title.pdf and more.",
            ["https://example.org/reports/long-title.pdf"],
        ),
        (
            "See https://example.org/2019/",
            "annual.pdf. And https://b.org/x",
            ["https://example.org/2019/annual.pdf", "https://b.org/x"],
        ),
        ("See https://example.org/report", "was published later.", ["https://example.org/report"]),
        ("See https://example.org/report.", "Another sentence.", ["https://example.org/report"]),
        (
            "See https://example.org/a",
            "https://example.org/b",
            ["https://example.org/a", "https://example.org/b"],
        ),
    ],
)
def test_pdf_urls_broken_across_lines(first: str, second: str, expected: list[str]) -> None:
    found = _Reader("x")._typed([line(100, first, "1"), line(88, second)])
    assert [url for _, url in found] == expected


def test_a_link_annotation_over_a_typed_url_wins() -> None:
    # A hyphen at the break that the link's target has not (InDesign's), a redirector's wrapping
    reader = _Reader("x")
    reader.links = [
        LinkArea(1, "https://example.org/reports/longtitle.pdf", ((0, 86, 200, 110),)),
        LinkArea(1, "https://www.google.com/url?q=https://b.org/x&sa=D", ((60, 86, 95, 96),)),
    ]
    lines = [
        line(100, "See https://example.org/reports/long-", "1"),
        line(88, "title.pdf and b.org"),
    ]
    found = _Open(Note("1", 1), lines)
    reader._note_urls(found, set())
    assert found.note.urls == ["https://example.org/reports/longtitle.pdf", "https://b.org/x"]


def pdf_bytes(encrypt: str | None = None) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if encrypt:
        writer.encrypt(encrypt, algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.pdf", b"%PDF-1.7\n1 0 obj <<garbage", "corrupt PDF"),
        ("locked.pdf", pdf_bytes(encrypt="secret"), "password-protected PDF"),
        ("scan.pdf", pdf_bytes(), "no text layer"),
        ("photos.docx", None, "not a Word document"),
        ("broken.docx", b"PK\x03\x04" + b"\x00" * 40, "corrupt .docx"),
        (
            "locked.docx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
            + b"\x00" * 64
            + "EncryptedPackage".encode("utf-16-le"),
            "password-protected Office document",
        ),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, ".doc"),
    ],
)
def test_bad_office_input_is_one_line_exit_2(
    tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    path = tmp_path / name
    if content is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("holiday/photo1.jpg", b"\xff\xd8\xff" * 10)
        content = buffer.getvalue()
    path.write_bytes(content)
    with pytest.raises(DocumentError, match=message):
        extract(path)
    result = CliRunner().invoke(main, ["extract", str(path)])
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_annotate_says_what_it_writes_for_a_pdf(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "annotate",
            str(OFFICE / "report.pdf"),
            "--manifest",
            str(FIXTURES / "manifests" / "seed.json"),
        ],
    )
    assert result.exit_code == 2
    assert "annotate writes text, Markdown, HTML, DOCX and ODT documents" in result.stderr


@pytest.mark.parametrize("name", ["report.docx", "report.pdf"])
def test_every_reading_command_takes_office_files(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kzarchive.check import dns as net

    monkeypatch.setattr(net, "_lookup", lambda host: net.DnsAnswer("nxdomain"))
    result = CliRunner().invoke(main, ["check", str(OFFICE / name), "--format", "json"])
    assert result.exit_code == 3  # offline: nothing could be decided
    import json

    assert len(json.loads(result.stdout)["links"]) == 5


@pytest.mark.parametrize("algorithm", ["AES-128", "AES-256"])
def test_aes_encrypted_pdfs_with_an_empty_password_open(tmp_path: Path, algorithm: str) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(OFFICE / "report.pdf"))
    writer.encrypt(user_password="", owner_password="owner-secret", algorithm=algorithm)
    locked = tmp_path / "aes.pdf"
    with locked.open("wb") as stream:
        writer.write(stream)
    plain = [(c.footnote, c.url) for c in extract(OFFICE / "report.pdf").citations]
    assert [(c.footnote, c.url) for c in extract(locked).citations] == plain


def test_a_pdf_with_a_real_password_says_so(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(OFFICE / "report.pdf"))
    writer.encrypt(user_password="reader-secret", algorithm="AES-256")
    locked = tmp_path / "locked.pdf"
    with locked.open("wb") as stream:
        writer.write(stream)
    result = CliRunner().invoke(main, ["extract", str(locked)])
    assert result.exit_code == 2
    assert "password-protected" in result.stderr and len(result.stderr.splitlines()) == 1


def test_running_headers_footers_and_a_letterhead_are_not_notes() -> None:
    # furniture.pdf (make_furniture.py): a running header and a footer with a link on each of
    # four pages, two real footnotes, and an address block under the notes of page 3.
    path = OFFICE / "furniture.pdf"
    assert [(c.footnote, c.url, c.line) for c in extract(path).citations] == [
        ("1", "https://sources.example.org/first-report", 1),
        ("2", "https://sources.example.org/second", 3),
    ]
    others = [
        (c.url, c.line) for c in extract(path, all_links=True).citations if c.footnote is None
    ]
    assert others == [
        ("https://free-culture.example.org/book", 1),
        ("https://bureau.example.kz/contact", 3),  # typed in the body: listed by --all-links
    ]


def test_numbered_references_in_a_pdf_are_notes() -> None:
    found = [(c.footnote, c.url) for c in extract(OFFICE / "references.pdf").citations]
    assert found == [
        ("1", "https://example.org/courts-2020"),
        ("2", "https://example.org/protest"),
    ]
