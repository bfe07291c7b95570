"""Wrapped URLs joined back and adjacent URLs kept apart, by the shared rule and by each reader
(Markdown footnotes, ``<sup>`` notes in Markdown and HTML, a one-URL-per-line list read with
``--all-links``); scheme-less citations read as ``https://`` and recorded; known redirectors
unwrapped."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from kzarchive.extract import extract
from kzarchive.extract.docx import parse as parse_docx
from kzarchive.extract.latex import parse as parse_latex
from kzarchive.extract.odt import parse as parse_odt
from kzarchive.extract.urls import (
    SchemeAdded,
    continuation,
    strip_trailing,
    unwrap_redirect,
)
from tests.extract.wrapped_urls import CASES

IDS = [case[3] for case in CASES]


def joined(first: str, second: str) -> list[str]:
    rest = continuation(first, second)
    if rest is None:
        return [strip_trailing(first)]
    return [strip_trailing(first + rest)]


@pytest.mark.parametrize(("first", "second", "cited", "seen"), CASES, ids=IDS)
def test_the_rule_joins_what_a_reader_joins(
    first: str, second: str, cited: list[str], seen: str
) -> None:
    assert joined(first, second) == cited[:1]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("first", "second", "cited", "seen"), CASES, ids=IDS)
def test_markdown_footnotes(
    tmp_path: Path, first: str, second: str, cited: list[str], seen: str
) -> None:
    doc = write(tmp_path, "r.md", f"Claim.[^1]\n\n[^1]: Source, {first}\n    {second}\n")
    assert [c.url for c in extract(doc).citations] == cited


@pytest.mark.parametrize(("first", "second", "cited", "seen"), CASES, ids=IDS)
def test_sup_notes_in_markdown(
    tmp_path: Path, first: str, second: str, cited: list[str], seen: str
) -> None:
    doc = write(tmp_path, "r.md", f"Claim.<sup>1</sup>\n\n<sup>1</sup> Source, {first}\n{second}\n")
    assert [c.url for c in extract(doc).citations] == cited


@pytest.mark.parametrize(("first", "second", "cited", "seen"), CASES, ids=IDS)
def test_sup_notes_in_html(
    tmp_path: Path, first: str, second: str, cited: list[str], seen: str
) -> None:
    doc = write(
        tmp_path,
        "r.html",
        f"<html><body><p>Claim.<sup>1</sup></p><p><sup>1</sup> Source, {first}<br>\n{second}</p>"
        "</body></html>",
    )
    urls = [c.url for c in extract(doc).citations]
    # HTML has no wrapped lines (a <br> or a newline in the source is not a wrap): only the
    # adjacent URLs matter here, kept apart
    assert urls[: len(cited)] == [strip_trailing(first), *cited[1:]] or urls == cited


def test_a_one_url_per_line_list_read_with_all_links(tmp_path: Path) -> None:
    lines = [
        "https://www.hrw.org/world-report/2019",
        "https://www.hrw.org/world-report/2020",
        "http://lua-users.org/lists/lua-l/2008-02/msg00247.html",
        "www.example.org/report",
    ]
    doc = write(tmp_path, "links.txt", "\n".join(lines) + "\n")
    result = extract(doc, all_links=True)
    assert [c.url for c in result.citations] == [*lines[:3], "https://www.example.org/report"]
    assert [c.scheme_added for c in result.citations] == [False, False, False, True]


def test_scheme_less_citations_in_markdown_and_text(tmp_path: Path) -> None:
    doc = write(
        tmp_path,
        "r.md",
        "A claim.[^1] Another.[^2]\n\n[^1]: See www.hrw.org/report/2019/01/x.\n"
        "[^2]: Not a URL: awww.example.org, mail.www.example.org, user@www.example.org; "
        "and https://www.ok.org/.\n",
    )
    citations = extract(doc).citations
    assert [(c.footnote, c.url, c.scheme_added) for c in citations] == [
        ("1", "https://www.hrw.org/report/2019/01/x", True),
        ("2", "https://www.ok.org/", False),
    ]
    assert citations[0].to_json()["scheme_added"] is True
    assert "scheme_added" not in citations[1].to_json()


def test_scheme_less_citations_in_html(tmp_path: Path) -> None:
    doc = write(
        tmp_path,
        "r.html",
        "<html><body><p>Claim.<sup>1</sup></p><p><sup>1</sup> See www.hrw.org/x.</p></body></html>",
    )
    assert [(c.url, c.scheme_added) for c in extract(doc).citations] == [
        ("https://www.hrw.org/x", True)
    ]


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def test_scheme_less_and_adjacent_urls_in_docx() -> None:
    buffer = io.BytesIO()
    paragraphs = "".join(
        f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"
        for text in ("See www.hrw.org/x.", "https://a.org/2019", "https://a.org/2020")
    )
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "word/document.xml",
            f"<w:document {W}><w:body><w:p><w:r><w:t>Claim.</w:t></w:r>"
            '<w:r><w:footnoteReference w:id="1"/></w:r></w:p></w:body></w:document>',
        )
        archive.writestr(
            "word/footnotes.xml",
            f'<w:footnotes {W}><w:footnote w:id="1">{paragraphs}</w:footnote></w:footnotes>',
        )
    parsed = parse_docx(buffer.getvalue())
    urls = parsed.notes[0].urls
    assert urls == ["https://www.hrw.org/x", "https://a.org/2019", "https://a.org/2020"]
    assert isinstance(urls[0], SchemeAdded) and not isinstance(urls[1], SchemeAdded)


def test_scheme_less_citations_in_odt() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr(
            "content.xml",
            "<office:document-content "
            'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
            '<text:p>Claim.<text:note text:note-class="footnote"><text:note-citation>1'
            "</text:note-citation><text:note-body><text:p>See www.hrw.org/x.</text:p>"
            "</text:note-body></text:note></text:p></office:text></office:body>"
            "</office:document-content>",
        )
    urls = parse_odt(buffer.getvalue()).notes[0].urls
    assert urls == ["https://www.hrw.org/x"] and isinstance(urls[0], SchemeAdded)


def test_scheme_less_citations_in_latex() -> None:
    parsed = parse_latex(
        "\\documentclass{article}\\begin{document}Claim.\\footnote{See www.hrw.org/x.}"
        "\\end{document}\n"
    )
    urls = parsed.notes[0].urls
    assert urls == ["https://www.hrw.org/x"] and isinstance(urls[0], SchemeAdded)


@pytest.mark.parametrize(
    ("wrapped", "target"),
    [
        # Google Docs' exports (seen in drw_ohchr_privacy_submission_2018's link annotations)
        (
            "https://www.google.com/url?q=http://dfat.gov.au/international-relations/themes/"
            "cyber-affairs/Pages/default.aspx&sa=D&ust=1523252454000000",
            "http://dfat.gov.au/international-relations/themes/cyber-affairs/Pages/default.aspx",
        ),
        (
            "https://www.google.co.uk/url?sa=t&url=https%3A%2F%2Fa.org%2Fb%3Fc%3D1",
            "https://a.org/b?c=1",
        ),
        ("https://l.facebook.com/l.php?u=https%3A%2F%2Fa.org%2F&h=AT0", "https://a.org/"),
        (
            "https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fa.org%2Fx&data=05",
            "https://a.org/x",
        ),
        ("https://www.google.com/search?q=https://a.org/", None),  # a search, not a redirect
        ("https://www.google.com/url?q=javascript:alert(1)", None),
        ("https://a.org/url?q=https://b.org/", None),
    ],
)
def test_known_redirectors_are_unwrapped(wrapped: str, target: str | None) -> None:
    assert unwrap_redirect(wrapped) == (target or wrapped)
