"""Markdown shapes, each read whole: every note's label, line, URLs and the lines it covers (what
``annotate`` rewrites), the other URLs with their lines, and the line each warning names.

The documents are small on purpose: each holds one shape the fixtures do not (a Word note going on
over paragraphs, a URL wrapped before a broken one, a labelled note list interrupted by a rule, a
heading of exactly 40 characters), so a wrong line or a lost URL shows here by name.
"""

from __future__ import annotations

from typing import Any

from kzarchive.extract.markdown import parse


def read(text: str) -> dict[str, Any]:
    parsed = parse(text)
    return {
        "notes": [(n.label, n.line, n.urls, n.spans, n.name) for n in parsed.notes],
        "other": parsed.other_urls,
        "warnings": parsed.warnings,
        "contexts": parsed.contexts,
    }


def test_a_word_note_goes_on_over_paragraphs_until_its_div_closes() -> None:
    # Word's "Save as HTML" converted by pandoc: the note is a fenced div opened by a back link.
    found = read(
        "Body text.[[1]](#_ftn1) More.\n"
        "\n"
        "::: {#ftn1}\n"
        "[[1]](#_ftnref1) First source https://example.org/a\n"
        "\n"
        "Continued https://example.org/b and broken https://example.org:0/x\n"
        ":::\n"
        "\n"
        "After the note https://example.org/c\n"
    )
    assert found == {
        "notes": [
            (
                "1",
                3,
                ["https://example.org/a", "https://example.org/b", "https://example.org:0/x"],
                [(2, 4), (5, 7)],
                None,
            )
        ],
        "other": [("https://example.org/c", 9)],
        "warnings": ["line 6: URL has port 0: 'https://example.org:0/x'"],
        "contexts": {"1": "Body text."},
    }


def test_urls_keep_their_own_line_after_breaks_links_and_wrapped_urls() -> None:
    found = read(
        "A claim.<sup>1</sup> Another.<sup>2</sup>\n"
        "\n"
        "Notes\n"
        "\n"
        "<sup>1</sup> See https://example.org/one and\n"
        "https://example.org:0/bad1 then [a link](https://example.org:0/bad2)\\\n"
        "on a third line https://example.org:0/bad3\n"
        "\n"
        "https://example.org/cont ; [x](https://example.org/cont2)\n"
        "\n"
        "Some words and https://example.org/notcont\n"
        "\n"
        "<sup>2</sup> https://example.org/two-wrapped-\n"
        "part https://example.org:0/bad4\n"
    )
    assert found == {
        "notes": [
            (
                "1",
                5,
                [
                    "https://example.org/one",
                    "https://example.org:0/bad1",
                    "https://example.org:0/bad2",
                    "https://example.org:0/bad3",
                    "https://example.org/cont",
                    "https://example.org/cont2",
                ],
                [(4, 7), (8, 9)],
                None,
            ),
            (
                "2",
                13,
                ["https://example.org/two-wrapped-part", "https://example.org:0/bad4"],
                [(12, 14)],
                None,
            ),
        ],
        "other": [("https://example.org/notcont", 11)],
        "warnings": [
            "line 6: URL has port 0: 'https://example.org:0/bad1'",
            "line 6: URL has port 0: 'https://example.org:0/bad2'",
            "line 7: URL has port 0: 'https://example.org:0/bad3'",
            "line 14: URL has port 0: 'https://example.org:0/bad4'",
        ],
        "contexts": {"1": "A claim.", "2": "Another."},
    }


def test_a_labelled_note_list_ends_at_a_rule_and_code_keeps_its_lines() -> None:
    found = read(
        "Body.[5] Then.[6]\n"
        "\n"
        "## Sources\n"
        "\n"
        "[5] https://example.org/five\n"
        'continued https://example.org:0/bad5 <a href="https://example.org/html5">x</a>\n'
        "[6] [six](https://example.org/six) [archived 2024-01-02](https://web.archive.org/web/2024/x)\n"
        "^7 https://example.org:0/bad7\n"
        "\n"
        "---\n"
        "\n"
        "https://example.org/after-rule\n"
        "\n"
        "```\n"
        "code https://example.org/in-code\n"
        "and https://example.org/in-code2\n"
        "```\n"
    )
    assert found == {
        "notes": [
            (
                "5",
                5,
                [
                    "https://example.org/five",
                    "https://example.org:0/bad5",
                    "https://example.org/html5",
                ],
                [(4, 5), (5, 6)],
                None,
            ),
            # kzarchive's own "archived" link (added by annotate) is not a citation
            ("6", 7, ["https://example.org/six"], [(6, 7)], None),
            ("7", 8, ["https://example.org:0/bad7"], [(7, 8)], None),
        ],
        "other": [
            ("https://example.org/after-rule", 12),
            ("https://example.org/in-code", 15),
            ("https://example.org/in-code2", 16),
        ],
        "warnings": [
            "line 6: URL has port 0: 'https://example.org:0/bad5'",
            "line 8: URL has port 0: 'https://example.org:0/bad7'",
        ],
        "contexts": {"5": "Body.", "6": "Then."},
    }


def test_a_notes_heading_is_short_and_any_other_heading_ends_the_notes() -> None:
    found = read(
        "Text.\n"
        "\n"
        "[Notes](https://example.org/abcdefghijk)\n"  # 40 characters: a paragraph
        "\n"
        "1. https://example.org/listed\n"
        "\n"
        "[Notes](https://example.org/abcdefghij)\n"  # 39: a heading
        "\n"
        "2. https://example.org/listed2\n"
        "\n"
        "## Appendix https://example.org/in-heading\n"
        "\n"
        "3. https://example.org/listed3\n"
    )
    assert found == {
        "notes": [("2", 9, ["https://example.org/listed2"], [(8, 9)], None)],
        "other": [
            ("https://example.org/abcdefghijk", 3),
            ("https://example.org/listed", 5),
            ("https://example.org/listed3", 13),
        ],
        "warnings": [],
        "contexts": {},
    }


def test_named_and_inline_notes_are_numbered_by_first_reference() -> None:
    found = read(
        "One.[^src] Two.^[Inline https://example.org/inline] Three.[^9] Again.[^src]\n"
        "\n"
        "[^src]: Named https://example.org/named\n"
        "\n"
        "[^9]: Numbered https://example.org/nine\n"
        "\n"
        "[^9]: Again https://example.org/nine-again\n"
        "\n"
        "[^unused]: Never referenced https://example.org/unused\n"
    )
    assert found == {
        "notes": [
            ("1", 3, ["https://example.org/named"], [(2, 3)], "src"),
            ("3", 5, ["https://example.org/nine"], [(4, 5)], "9"),
            ("3", 7, ["https://example.org/nine-again"], [(6, 7)], "9"),
            ("unused", 9, ["https://example.org/unused"], [(8, 9)], None),
            ("2", 1, ["https://example.org/inline"], [(0, 1)], None),
        ],
        "other": [],
        "warnings": ["line 7: footnote 3 is defined more than once"],
        "contexts": {"1": "One.", "2": "Two.", "3": "Three."},
    }


def test_numbered_notes_keep_their_numbers() -> None:
    found = read(
        "One.[^1] Two.[^2]\n\n[^1]: https://example.org/1\n\n[^2]: https://example.org/2\n"
    )
    assert found["notes"] == [
        ("1", 3, ["https://example.org/1"], [(2, 3)], None),
        ("2", 5, ["https://example.org/2"], [(4, 5)], None),
    ]
    assert found["contexts"] == {"1": "One.", "2": "Two."}


def test_numbered_notes_referenced_out_of_order_keep_their_numbers() -> None:
    found = read(
        "One.[^2] Two.[^1]\n\n[^1]: https://example.org/1\n\n[^2]: https://example.org/2\n"
    )
    assert found["notes"] == [
        ("1", 3, ["https://example.org/1"], [(2, 3)], None),
        ("2", 5, ["https://example.org/2"], [(4, 5)], None),
    ]
    assert found["contexts"] == {"2": "One.", "1": "Two."}


def test_link_targets_keep_their_punctuation_and_html_links_their_line() -> None:
    found = read(
        "Intro https://example.org/first ; https://example.org/second\n"
        "\n"
        "[^2]: Defined first https://example.org/two\n"
        "\n"
        "One.[^2] Two.[^1] Three.^[Inline later https://example.org/inline]\n"
        "\n"
        "[^1]: Then https://example.org/one [end](https://example.org/end.)"
        ' <a href="https://example.org/html-end.">h</a>'
        ' <a href="https://example.org:0/bad-html">b</a>\n'
        "\n"
        "Some text [[9]](#_ftnref9) is no note start.\n"
    )
    assert found == {
        # with an inline note, notes are numbered by first reference, as pandoc does
        "notes": [
            ("1", 3, ["https://example.org/two"], [(2, 3)], "2"),
            (
                "2",
                7,
                [
                    "https://example.org/one",
                    "https://example.org/end.",
                    "https://example.org/html-end.",
                    "https://example.org:0/bad-html",
                ],
                [(6, 7)],
                "1",
            ),
            ("3", 5, ["https://example.org/inline"], [(4, 5)], None),
        ],
        "other": [("https://example.org/first", 1), ("https://example.org/second", 1)],
        "warnings": ["line 7: URL has port 0: 'https://example.org:0/bad-html'"],
        # "[9]" typed in the text is a reference to a numbered list; the back link is no note
        "contexts": {"1": "One.", "2": "Two.", "3": "Three.", "9": "Some text is no note start."},
    }


def test_what_follows_a_wrapped_url_and_what_continues_a_note() -> None:
    found = read(
        "https://example.org/url-only-first\n"
        "\n"
        "Text.<sup>3</sup>\n"
        "\n"
        "<sup>3</sup> A URL https://example.org/wrapped-\n"
        "part [see](https://example.org/after-wrap) then\n"
        "https://example.org:0/after-wrap-line\n"
        "\n"
        "[a](https://example.org/c1) ; [b](https://example.org/c2)"
        " [c](https://example.org:0/c3) .\n"
        "\n"
        "[link](https://example.org/with-words) with words\n"
        "\n"
        ". . .\n"
        "\n"
        "```\n"
        "https://example.org/code\n"
        "```\n"
        "\n"
        "https://example.org/after-fence\n"
    )
    assert found == {
        "notes": [
            (
                "3",
                5,
                [
                    "https://example.org/wrapped-part",
                    "https://example.org/after-wrap",
                    "https://example.org:0/after-wrap-line",
                    "https://example.org/c1",
                    "https://example.org/c2",
                    "https://example.org:0/c3",
                ],
                [(4, 7), (8, 9)],
                None,
            )
        ],
        # a paragraph of separators, or of a link and words, does not continue the note; nor
        # does a URL after a code block
        "other": [
            ("https://example.org/url-only-first", 1),
            ("https://example.org/with-words", 11),
            ("https://example.org/code", 16),
            ("https://example.org/after-fence", 19),
        ],
        "warnings": [
            "line 7: URL has port 0: 'https://example.org:0/after-wrap-line'",
            "line 9: URL has port 0: 'https://example.org:0/c3'",
        ],
        "contexts": {"3": "Text."},
    }


def test_inline_notes_make_a_numbered_list_under_notes_a_list() -> None:
    found = read(
        "Text.^[Inline https://example.org/inline]\n"
        "\n"
        "Notes\n"
        "\n"
        "1. https://example.org/not-a-note\n"
        "\n"
        "End*notes*\n"
        "\n"
        "2. https://example.org/still-not\n"
    )
    assert found["notes"] == [("1", 1, ["https://example.org/inline"], [(0, 1)], None)]
    assert found["other"] == [
        ("https://example.org/not-a-note", 5),
        ("https://example.org/still-not", 9),
    ]


def test_labelled_notes_split_at_hard_breaks_and_headings_of_several_tokens() -> None:
    found = read(
        "Body.[5][6]\n"
        "\n"
        "End*notes*\n"
        "\n"
        "[5] https://example.org/five\\\n"
        "[6] https://example.org:0/six-bad\n"
    )
    assert found["notes"] == [
        ("5", 5, ["https://example.org/five"], [(4, 5)], None),
        ("6", 6, ["https://example.org:0/six-bad"], [(5, 6)], None),
    ]
    assert found["warnings"] == ["line 6: URL has port 0: 'https://example.org:0/six-bad'"]


def test_a_word_note_whose_back_link_shows_nothing_is_labelled_by_a_question_mark() -> None:
    found = read("Body.[[1]](#_ftn1)\n\n[](#_ftnref1) https://example.org/no-label\n")
    assert found["notes"] == [("?", 3, ["https://example.org/no-label"], [(2, 3)], None)]


def test_a_word_notes_label_may_be_set_in_emphasis() -> None:
    found = read("Body.[[*2*]](#_ftn2)\n\n[[*2*]](#_ftnref2) https://example.org/two\n")
    assert found["notes"] == [("2", 3, ["https://example.org/two"], [(2, 3)], None)]
    assert found["contexts"] == {"2": "Body."}


def test_an_inline_note_is_where_it_is_referenced() -> None:
    found = read("Intro.\n\nText.^[Inline https://example.org/inline]\n")
    assert found["notes"] == [("1", 3, ["https://example.org/inline"], [(2, 3)], None)]


def test_definitions_never_referenced_keep_their_labels() -> None:
    found = read("Text.\n\n[^a]: https://example.org/a\n")
    assert found["notes"] == [("a", 3, ["https://example.org/a"], [(2, 3)], None)]


def test_a_paragraph_of_separators_alone_does_not_continue_a_note() -> None:
    found = read("Text.<sup>5</sup>\n\n<sup>5</sup> https://example.org/five\n\n. . .\n")
    assert found["notes"] == [("5", 3, ["https://example.org/five"], [(2, 3)], None)]


def test_each_url_of_a_note_has_the_line_it_is_on() -> None:
    from kzarchive.extract import extract_text
    from kzarchive.extract.reading import SourceText

    def lines(text: str) -> list[tuple[str | None, str, int]]:
        found = extract_text(SourceText("r", text, "0" * 64, "utf-8"), "markdown")
        return [(c.footnote, c.url, c.line) for c in found.citations]

    markdown = (
        "Claims.[^1] More.[^2]\n"  # 1
        "\n"
        "[^1]: First https://example.org/a and\n"  # 3
        "    again https://example.org/b\n"  # 4
        "[^2]: One https://example.org/c\n"  # 5
    )
    assert lines(markdown) == [
        ("1", "https://example.org/a", 3),
        ("1", "https://example.org/b", 4),  # the URL's own line, not the note's first
        ("2", "https://example.org/c", 5),
    ]
    text = "Claims.[1]\n\nNotes\n\n[1] First https://example.org/a\nhttps://example.org/b\n"
    assert lines(text) == [("1", "https://example.org/a", 5), ("1", "https://example.org/b", 6)]
    # A link whose text spans lines, and a Pandoc inline note: the line its URL is written on
    spans = (
        "Text.^[Court register,\nhttps://example.org/register]\n\n"  # 1-2
        "Then.[^1]\n\n"  # 4
        "[^1]: See [the Human Rights\n    Watch report](https://example.org/hrw).\n"  # 6-7
    )
    assert lines(spans) == [
        ("1", "https://example.org/register", 2),
        ("2", "https://example.org/hrw", 7),
    ]
