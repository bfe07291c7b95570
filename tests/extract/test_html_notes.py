"""How the HTML reader tells notes from the rest of a page: by what links to them, or by the
container that holds them (the shapes pandoc, Word, EPUB 3 and DPUB-ARIA pages use)."""

from __future__ import annotations

import pytest

from kzarchive.extract.html import parse

BODY = "<p>A claim.<sup>1</sup> Another claim.</p>"
NOTE = "<p id='{ident}'>1. https://example.org/source</p>"


@pytest.mark.parametrize(
    "container",
    [
        "<section class='footnotes'>{note}</section>",
        "<div class='endnotes'>{note}</div>",
        "<ol class='notes'><li>{note}</li></ol>",
        "<div class='footnote'>{note}</div>",
        "<section role='doc-endnotes'>{note}</section>",
        "<aside epub:type='footnotes'>{note}</aside>",
        "<aside epub:type='endnotes'>{note}</aside>",
        "<section epub:type='rearnotes'>{note}</section>",
        "<div epub:type='footnote'>{note}</div>",
        "<div epub:type='endnote'>{note}</div>",
        "<div epub:type='rearnote'>{note}</div>",
        "<div style='mso-element: footnote-list'>{note}</div>",
        "<div style='mso-element:endnote-list'>{note}</div>",
    ],
)
def test_a_note_nothing_links_to_is_a_note_in_a_notes_container(container: str) -> None:
    page = BODY + container.format(note=NOTE.format(ident="fn1"))
    parsed = parse(f"<html><body>{page}</body></html>")
    assert [(n.label, n.urls) for n in parsed.notes] == [("1", ["https://example.org/source"])]


@pytest.mark.parametrize(
    "container",
    [
        "<div class='content'>{note}</div>",
        "<div style='color: red'>{note}</div>",
        "<div epub:type='chapter' role='doc-chapter'>{note}</div>",
        "{note}",
    ],
)
def test_an_unlinked_id_outside_a_notes_container_is_not_a_note(container: str) -> None:
    page = BODY + container.format(note=NOTE.format(ident="fn1"))
    parsed = parse(f"<html><body>{page}</body></html>")
    assert parsed.notes == []


def test_a_linked_note_needs_no_container_and_takes_the_links_label() -> None:
    parsed = parse(
        "<html><body><p>Claim.<a href='#_ftn3'>[iii]</a></p>"
        "<div><p id='_ftn3'>https://example.org/three</p></div>"
        "<p id='_ftnref3'>not a note: a reference's own id</p></body></html>"
    )
    assert [(n.label, n.urls) for n in parsed.notes] == [("iii", ["https://example.org/three"])]
    assert parsed.contexts == {"iii": "Claim."}


def test_a_table_of_contents_does_not_label_notes() -> None:
    parsed = parse(
        "<html><body><nav><a href='#fn1'>Chapter one</a></nav>"
        "<p>Claim.<a href='#fn1'>4</a></p>"
        "<section class='footnotes'><p id='fn1'>https://example.org/four</p></section>"
        "</body></html>"
    )
    assert [n.label for n in parsed.notes] == ["4"]


def test_each_note_is_read_once_whatever_names_it() -> None:
    # An anchor named like the note inside the note's own paragraph, and the same id twice.
    parsed = parse(
        "<html><body><p>Claim.<a href='#fn1'>1</a> More.<a href='#FN2'>2</a></p>"
        "<section class='footnotes'>"
        "<p id='fn1'><a name='fn1'></a>https://example.org/one</p>"
        "<p id='fn2'>https://example.org/two</p>"
        "<p id='fn1'>https://example.org/again</p>"
        "</section></body></html>"
    )
    assert [(n.label, n.urls) for n in parsed.notes] == [
        ("1", ["https://example.org/one"]),
        ("2", ["https://example.org/two"]),
    ]


def test_epub_notes_and_references_with_any_ids() -> None:
    parsed = parse(
        "<html><body><p>First.<a epub:type='noteref' href='#q-7'>7</a></p>"
        "<aside epub:type='footnote' id='q-7'><p>https://example.org/seven</p></aside>"
        "<aside epub:type='endnote' id='unreferenced'><p>https://example.org/x</p></aside>"
        "<aside epub:type='rearnote' name='not-an-id'><p>https://example.org/y</p></aside>"
        "</body></html>"
    )
    assert [(n.label, n.urls) for n in parsed.notes] == [
        ("7", ["https://example.org/seven"]),
        ("unreferenced", ["https://example.org/x"]),
    ]
    assert parsed.contexts == {"7": "First."}


@pytest.mark.parametrize(
    ("shown", "label"),
    [
        ("[3]", "3"),
        ("(4)", "4"),
        ("^5", "5"),
        (" 6 ", "6"),
        ("abcdefghijkl", "abcdefghijkl"),  # twelve characters: still a label
        ("abcdefghijklm", "1"),  # longer: the note's own number
        ("see note", "1"),  # words: the note's own number
    ],
)
def test_the_label_is_what_the_reference_shows(shown: str, label: str) -> None:
    parsed = parse(
        f"<html><body><p>Claim.<a href='#fn1'>{shown}</a></p>"
        "<section class='footnotes'><p id='fn1'>https://example.org/one</p></section>"
        "</body></html>"
    )
    assert [n.label for n in parsed.notes] == [label]


def test_a_note_that_opens_with_a_link_back_to_its_reference() -> None:
    # Markdown.pl-era pages (pandoc's html-reader.html): the note's own id is missing, its
    # paragraph starts with a link back to where it is cited.
    parsed = parse(
        "<html><body><p>Claim.<a href='#note_1'>(1)</a></p>"
        "<p><a href='#ref_1'>(1)</a> See https://example.org/one</p>"
        "<p>https://example.org/one-more</p>"
        "<p><a href='#top'>(2)</a> Not a note: https://example.org/body</p></body></html>"
    )
    assert [(n.label, n.urls) for n in parsed.notes] == [
        ("1", ["https://example.org/one", "https://example.org/one-more"])
    ]
    assert parsed.contexts == {"1": "Claim."}
    assert parsed.other_urls == [("https://example.org/body", 1)]


def test_with_linked_notes_a_numbered_list_under_a_notes_heading_is_a_list() -> None:
    # pandoc's own test suite: a section titled "Footnotes" holds a numbered list of its own.
    page = (
        "<h1>Footnotes</h1><p>Claim.<a href='#fn1'><sup>1</sup></a></p>"
        "<ol><li>A list item https://example.org/item</li></ol>"
        "<section class='footnotes'><ol><li id='fn1'>https://example.org/note</li></ol></section>"
    )
    parsed = parse(f"<html><body>{page}</body></html>")
    assert [(n.label, n.urls) for n in parsed.notes] == [("1", ["https://example.org/note"])]
    assert parsed.other_urls == [("https://example.org/item", 1)]
    unlinked = parse(
        "<html><body><h1>Notes</h1><ol><li>https://example.org/n</li></ol></body></html>"
    )
    assert [(n.label, n.urls) for n in unlinked.notes] == [("1", ["https://example.org/n"])]
