"""Each footnote form, on fixtures that look like real reports."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from click.testing import CliRunner

from kzarchive.cli import main
from kzarchive.extract import extract
from tests.conftest import DOCUMENTS


def triples(name: str) -> list[tuple[str | None, str, int]]:
    return [(c.footnote, c.url, c.line) for c in extract(DOCUMENTS / name).citations]


def test_markdown_footnotes() -> None:
    # Named notes are reported by the number a reader sees (their order of first reference, as
    # GitHub and pandoc number them); the name stays in the record. Each URL has its own line.
    assert triples("pandoc-footnotes.md") == [
        ("1", "https://www.youtube.com/watch?v=abc123&t=42s", 14),
        ("1", "https://twitter.com/reporter/status/1650000000000000000", 15),
        ("2", "https://office.sud.kz/courtActs/index.xhtml?court_id=1&date=2023-01-12", 18),
        ("2", "https://sud.kz/rus/news/appeal_(2023)", 19),
        ("3", "https://example.org/reports/observers%20report.pdf", 21),
        ("4", "https://www.osce.org/odihr/73405", 25),
        ("unused", "https://example.net/unreferenced", 27),
    ]
    result = extract(DOCUMENTS / "pandoc-footnotes.md")
    assert [c.name for c in result.citations] == [
        "almaty",
        "almaty",
        None,
        None,
        "obs",
        "osce",
        None,
    ]
    contexts = {c.footnote: c.context for c in result.citations}
    assert contexts["2"] == (
        "Courts sentenced at least twelve of them to administrative arrest, often in hearings "
        "that lasted under ten minutes."
    )
    assert contexts["3"] == "Observers were denied access to the courtroom."
    assert contexts["unused"] is None
    assert result.document.cited_on == date(2023, 5, 4)


def test_note_lists_under_headings() -> None:
    assert triples("notes-list.md") == [
        ("1", "https://rus.azattyq.org/a/editor-summoned/31000001.html", 12),
        ("2", "https://vlast.kz/novosti/43000-blocked.html", 13),
        ("2", "https://archive.ph/abcde", 14),
        ("4", "https://cpj.org/2019/10/kazakhstan-journalists/", 16),
        ("5", "http://www.rfa.org/english/news/uyghur/report-05012021.html", 20),
        ("6", "https://en.wikipedia.org/wiki/Freedom_of_the_press_(Kazakhstan)", 21),
    ]
    contexts = {c.footnote: c.context for c in extract(DOCUMENTS / "notes-list.md").citations}
    assert contexts["4"] == "A similar pattern was documented in 2019."
    assert contexts["2"] is not None and contexts["2"].startswith(
        "The newspaper's website was blocked"
    )


def test_note_lists_all_links_adds_the_rest() -> None:
    result = extract(DOCUMENTS / "notes-list.md", all_links=True)
    extra = [(c.footnote, c.url) for c in result.citations if c.footnote is None]
    assert extra == [(None, "https://example.org/about")]


def test_html_pandoc_endnotes() -> None:
    assert triples("pandoc-footnotes.html") == [
        ("1", "https://www.facebook.com/user/videos/123/", 15),
        ("1", "https://ngo.example.org/statement?id=7&lang=en", 15),
        ("2", "https://t.me/lawyerchannel/42", 16),
        ("3", "http://adilet.zan.kz/rus/docs/U1900000001", 17),
    ]
    contexts = {
        c.footnote: c.context for c in extract(DOCUMENTS / "pandoc-footnotes.html").citations
    }
    assert contexts == {
        "1": "Activists were detained at the airport.",
        "2": "Their lawyer was not admitted to the hearing.",
        "3": "The court relied on a decree.",
    }


def test_html_word_export_footnotes_and_endnotes() -> None:
    assert triples("word-export.htm") == [
        ("1", "https://www.hrw.org/news/2020/06/01/kazakhstan-closed-hearing", 10),
        ("1", "https://bureau.kz/novosti/closed_hearing/", 10),
        ("i", "https://sud.kz/eng/news/verdict-2020-06-01", 17),
    ]
    contexts = {c.footnote: c.context for c in extract(DOCUMENTS / "word-export.htm").citations}
    assert contexts["i"] == "The verdict was announced at night."


def test_html_sup_notes_with_continuation() -> None:
    assert triples("sup-notes.html") == [
        ("1", "https://fidu.it/en/april-mission/", 3),
        ("2", "https://fidu.it/en/august-mission/", 4),
        ("2", "https://fidu.it/en/august-annex/", 4),
    ]


def test_cp1251_document_is_decoded_with_a_warning() -> None:
    result = extract(DOCUMENTS / "cp1251-report.txt")
    assert result.document.encoding == "cp1251"
    assert any("not UTF-8" in w for w in result.warnings)
    assert [c.url for c in result.citations] == [
        "https://rus.azattyq.org/a/prigovor/31190000.html",
        "https://bureau.kz/novosti/prigovor/",
    ]
    assert result.citations[0].context == "Суд вынес приговор активисту."
    assert result.document.cited_on == date(2021, 4, 5)


def test_pandoc_inline_notes_are_notes() -> None:
    # Text.^[a note] made extraction crash (KeyError: 'label'). Inline notes are numbered by
    # their reference with the others; each URL's line is the one it is written on.
    assert triples("pandoc-inline-notes.md") == [
        ("1", "https://www.youtube.com/watch?v=inline0001", 7),
        ("3", "https://office.sud.kz/courtActs/index.xhtml?court_id=2&date=2023-05-05", 9),
        ("2", "https://police.example.kz/news/2023/05/04/statement", 11),
    ]
    result = CliRunner().invoke(main, ["check", str(DOCUMENTS / "pandoc-inline-notes.md")])
    assert result.exit_code == 3 and "Traceback" not in result.stderr  # offline in the tests


def test_urls_wrapped_onto_the_next_line_are_joined_and_ligatures_undone() -> None:
    urls = [url for _, url, _ in triples("wrapped-urls.md")]
    assert urls == [
        "https://www.microsoft.com/en-us/security/blog/2020/12/13/"
        "customer-guidance-on-recent-nation-state-cyber-attacks/",
        "http://lua-users.org/lists/lua-l/2008-02/msg00247.html",
        "https://gov.example.kz/docs/final-report.pdf",
    ]


def test_a_numbered_list_is_not_a_second_set_of_notes() -> None:
    result = extract(DOCUMENTS / "footnotes-and-a-numbered-list.md")
    assert [(c.footnote, c.url) for c in result.citations] == [
        ("1", "https://fidu.it/en/report/"),
        ("2", "https://office.sud.kz/ruling/2023-06"),
    ]
    assert not any("more than once" in w for w in result.warnings)


def test_word_notes_converted_to_markdown_are_notes() -> None:
    # word-export.htm (Word's "Save as HTML") converted by pandoc to Markdown, as users paste it:
    # the same notes as the HTML, nothing else under --all-links.
    markdown = [
        (c.footnote, c.url) for c in extract(DOCUMENTS / "word-export-as-markdown.md").citations
    ]
    html = [(c.footnote, c.url) for c in extract(DOCUMENTS / "word-export.htm").citations]
    assert markdown == html and len(markdown) == 3
    everything = extract(DOCUMENTS / "word-export-as-markdown.md", all_links=True).citations
    assert [c for c in everything if c.footnote is None] == []
    contexts = {
        c.footnote: c.context for c in extract(DOCUMENTS / "word-export-as-markdown.md").citations
    }
    assert contexts["1"] == "The hearing was closed to the public."


def test_a_sup_note_ending_a_paragraph_gets_its_sentence(tmp_path: Path) -> None:
    doc = tmp_path / "r.md"
    doc.write_text(
        "The court acquitted him on 6 February.<sup>1</sup>\n\n"
        "<sup>1</sup> https://example.org/verdict\n"
    )
    [citation] = extract(doc).citations
    assert citation.context == "The court acquitted him on 6 February."


def test_a_long_plain_paragraph_does_not_open_a_notes_section(tmp_path: Path) -> None:
    # Only the word, and short: a 46-character line of ornaments around "Notes" is a paragraph.
    doc = tmp_path / "r.md"
    doc.write_text(
        "-=-=-=-=-=-=-=-=-=-= Notes -=-=-=-=-=-=-=-=-=-=\n\n"
        "1. https://example.org/not-a-note\n\n"
        "-= Notes =-\n\n"
        "1. https://example.org/a-note\n"
    )
    assert [(c.footnote, c.url) for c in extract(doc).citations] == [
        ("1", "https://example.org/a-note")
    ]


def test_a_footnote_defined_twice_is_said_once(tmp_path: Path) -> None:
    doc = tmp_path / "r.md"
    doc.write_text("Text.[^1]\n\n[^1]: https://example.org/a\n\n[^1]: https://example.org/b\n")
    warnings = [w for w in extract(doc).warnings if "defined more than once" in w]
    assert len(warnings) == 1 and "footnote 1" in warnings[0]
