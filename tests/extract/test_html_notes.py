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
