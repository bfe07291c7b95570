"""The sentence a citation comes from: markers for every way a body refers to a note."""

from __future__ import annotations

from kzarchive.extract.context import mark_typed_references, sentences_citing
from kzarchive.extract.html import parse as parse_html


def test_superscript_digits_typed_as_characters_are_references() -> None:
    text = "A claim.¹ Another claim² here. The flat is 40 m² and 3 km² big. A last one,¹⁰ too."
    assert sentences_citing(mark_typed_references(text)) == {
        "1": "A claim.",
        "2": "Another claim here.",
        "10": "A last one, too.",
    }


def test_bracketed_and_caret_numbers_are_references() -> None:
    text = "First [3]. Second ^4. Not a note: x^2 or [a]."
    assert sentences_citing(mark_typed_references(text)) == {"3": "First.", "4": "Second."}


def test_an_epub_noteref_without_superscript_marks_its_sentence() -> None:
    # EPUB 3 books (and DPUB-ARIA pages) mark the reference itself, often with no <sup>.
    parsed = parse_html(
        "<html><body><p>The hearing opened late.<a epub:type='noteref' href='#n-a7'>1</a> "
        "The judge read the verdict.<a role='doc-noteref' href='#q19'>2</a></p>"
        "<aside epub:type='footnote' id='n-a7'><p>https://example.org/a</p></aside>"
        "<aside epub:type='footnote' id='q19'><p>https://example.org/b</p></aside>"
        "</body></html>"
    )
    assert [(n.label, n.urls) for n in parsed.notes] == [
        ("1", ["https://example.org/a"]),
        ("2", ["https://example.org/b"]),
    ]
    assert parsed.contexts == {"1": "The hearing opened late.", "2": "The judge read the verdict."}


def test_a_note_named_only_by_a_plain_link_takes_the_links_label() -> None:
    parsed = parse_html(
        "<html><body><p>Opened late.<sup><a href='#n-a7'>1</a></sup> Then.</p>"
        "<aside epub:type='footnote' id='n-a7'><p>https://example.org/a</p></aside></body></html>"
    )
    assert [n.label for n in parsed.notes] == ["1"]
    assert parsed.contexts == {"1": "Opened late."}
