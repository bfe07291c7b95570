"""HTML shapes the fixture pages do not hold, each read whole: unclosed paragraphs, a note label
inside inline markup, self-closing and stray end tags, text straight inside a list or a table, and
the containers Word, DPUB-ARIA and EPUB put notes in."""

from __future__ import annotations

from typing import Any

from kzarchive.extract.html import parse


def read(text: str) -> dict[str, Any]:
    parsed = parse(text)
    return {
        "notes": [(n.label, n.line, n.urls, n.spans) for n in parsed.notes],
        "other": parsed.other_urls,
        "warnings": parsed.warnings,
        "contexts": parsed.contexts,
    }


def test_unclosed_paragraphs_and_labels_inside_inline_markup() -> None:
    found = read(
        "<html><body>\n"
        "<div><p>Claim.<sup>1</sup> Next.<sup>2</sup> Third.<sup>3</sup> Fourth.<sup>4</sup>"
        " Fifth.<sup>5</sup> Sixth.<sup>6</sup>\n"
        "<p><span><sup>1</sup></span> https://example.org/one\n"
        "<p>https://example.org/one-more ;\n"
        '<p><b><sup>2</sup></b> <a href="https://example.org/two">two</a>\n'
        "<p><strong><sup>3</sup></strong> https://example.org/three\n"
        "<p><em><sup>4</sup></em> https://example.org/four\n"
        "<p><i><sup>5</sup></i> https://example.org/five\n"
        '<p><a href="#ref6"><sup>6</sup></a> https://example.org/six'
        ' <a href="https://example.org:0/bad"/>\n'
        "</div>\n"
        "<p>Closing words https://example.org/after</p>\n"
        "<br/><hr/></br>\n"
        "<ul>Stray https://example.org/stray-ul<li>An item https://example.org/item</li></ul>\n"
        "<table>https://example.org/stray-table<tr><td>Cell https://example.org/cell</td></tr>"
        "</table>\n"
        "</body></html>\n"
    )
    assert found == {
        "notes": [
            ("1", 3, ["https://example.org/one", "https://example.org/one-more"], [(2, 3), (3, 4)]),
            ("2", 5, ["https://example.org/two"], [(4, 5)]),
            ("3", 6, ["https://example.org/three"], [(5, 6)]),
            ("4", 7, ["https://example.org/four"], [(6, 7)]),
            ("5", 8, ["https://example.org/five"], [(7, 8)]),
            ("6", 9, ["https://example.org/six", "https://example.org:0/bad"], [(8, 9)]),
        ],
        "other": [
            ("https://example.org/after", 11),
            # text straight inside a list or a table is shown by browsers: its URLs count
            ("https://example.org/stray-ul", 13),
            ("https://example.org/item", 13),
            ("https://example.org/stray-table", 14),
            ("https://example.org/cell", 14),
        ],
        "warnings": ["line 9: URL has port 0: 'https://example.org:0/bad'"],
        "contexts": {
            "1": "Claim.",
            "2": "Next.",
            "3": "Third.",
            "4": "Fourth.",
            "5": "Fifth.",
            "6": "Sixth.",
        },
    }


def test_the_containers_word_aria_and_epub_put_notes_in() -> None:
    found = read(
        "<html><body>\n"
        '<p>One.<a href="#n1">1</a> Two.<a href="#n2">2</a></p>\n'
        '<div style="mso-element: footnote" ><p><a name="_ftn3"></a>[3] https://example.org/three'
        "</p></div>\n"
        '<div style="mso-element:endnote"><p><a name="_edn4"></a>[4] https://example.org/four'
        "</p></div>\n"
        '<section role="doc-endnotes"><p id="fn7">https://example.org/seven</p></section>\n'
        '<aside epub:type="rearnote" id="rn8"><p>https://example.org/eight</p></aside>\n'
        '<div id="fn9">https://example.org/nine-unlinked-outside</div>\n'
        '<p id="n1">https://example.org/n1</p>\n'
        '<p><span id="n2">https://example.org/n2</span></p>\n'
        "</body></html>\n"
    )
    assert found == {
        "notes": [
            ("3", 3, ["https://example.org/three"], [(2, 3)]),
            ("4", 4, ["https://example.org/four"], [(3, 4)]),
            ("7", 5, ["https://example.org/seven"], [(4, 5)]),
            ("rn8", 6, ["https://example.org/eight"], [(5, 6)]),
        ],
        # An id that is no note's (n1), or a note id nothing links to outside a notes
        # container (fn9), is not a note.
        "other": [
            ("https://example.org/nine-unlinked-outside", 7),
            ("https://example.org/n1", 8),
            ("https://example.org/n2", 9),
        ],
        "warnings": [],
        "contexts": {},
    }


def test_notes_before_any_heading_labels_in_markup_and_what_continues_a_note() -> None:
    found = read(
        "<html><body><p>https://example.org/url-only-first</p>\n"
        "<ol><li>A list item https://example.org/item-one</li></ol>\n"
        "<p>Claim.<sup>1</sup> Tenth.<sup>X</sup> Seventh.<sup>7</sup> Eighth.<sup>8</sup></p>\n"
        '<p><sup>1</sup> https://example.org/one <a href="https://example.org/end.">end</a>\n'
        "and more on a second line</p>\n"
        '<p><a href="https://example.org/c">the source</a>;\n</p>\n'
        '<p><a href="https://example.org/x">x</a> <em>with words</em></p>\n'
        "<p><sup>X</sup> https://example.org/ten</p>\n"
        "<p> <sup>7</sup> https://example.org/seven</p>\n"
        '<p><a name="fn8"><sup>8</sup></a> https://example.org/eight</p>\n'
        "<h2>End<span>notes</span></h2>\n"
        "<ol><li>https://example.org/listed-one\n</li></ol>\n"
        "</body></html>\n"
    )
    assert found == {
        "notes": [
            # a link's target keeps its final full stop; a link whose text is words continues
            # the note, a link followed by words does not
            (
                "1",
                4,
                ["https://example.org/one", "https://example.org/end.", "https://example.org/c"],
                [(3, 5), (5, 7)],
            ),
            ("X", 9, ["https://example.org/ten"], [(8, 9)]),
            ("7", 10, ["https://example.org/seven"], [(9, 10)]),
            ("8", 11, ["https://example.org/eight"], [(10, 11)]),
            # under a heading whose text is split by markup
            ("1", 13, ["https://example.org/listed-one"], [(12, 14)]),
        ],
        "other": [
            ("https://example.org/url-only-first", 1),
            ("https://example.org/item-one", 2),  # a numbered list before any notes heading
            ("https://example.org/x", 8),
        ],
        "warnings": [],
        "contexts": {"1": "Claim.", "X": "Tenth.", "7": "Seventh.", "8": "Eighth."},
    }


def test_note_ids_on_xhtml_anchors_plain_paragraphs_and_shared_containers() -> None:
    found = read(
        "<html><body>\n"
        '<p>One.<a href="#fn14">14</a> Two.<a role="doc-noteref" href="#q20">20</a>'
        ' See <a href="#fn30">see</a>. Three.<a epub:type="noteref" href="#fn30">30</a>'
        ' Four.<a href="#fn19">19</a> Five.<a href="#fn18">18</a> Six.<a href="#en18">18b</a>'
        "</p>\n"
        '<p><a id="fn14"/>[14] https://example.org/fourteen</p>\n'
        '<p id="q20">https://example.org/twenty</p>\n'
        '<p id="fn30">https://example.org/thirty</p>\n'
        '<a id="fn19"></a>Body-level text https://example.org/nineteen\n'
        '<ul><li id="fn18"><a id="en18"></a>https://example.org/eighteen</li></ul>\n'
        '<div style="mso-element: endnote"><p><a name="_edn21"></a>[21] '
        "https://example.org/twenty-one</p></div>\n"
        '<div class="footnotes"><p id="fn12">https://example.org/twelve'
        '<p id="fn13">https://example.org/thirteen</div>\n'
        '<p id="fn15">https://example.org/fifteen-outside</p>\n'
        "</body></html>\n"
    )
    assert found["notes"] == [
        ("14", 3, ["https://example.org/fourteen"], [(2, 3)]),  # <a id="fn14"/>, XHTML
        ("20", 4, ["https://example.org/twenty"], [(3, 4)]),  # named by its noteref only
        ("30", 5, ["https://example.org/thirty"], [(4, 5)]),  # the noteref's label wins
        ("18", 7, ["https://example.org/eighteen"], [(6, 7)]),  # one note, two ids
        ("21", 8, ["https://example.org/twenty-one"], [(7, 8)]),
        ("12", 9, ["https://example.org/twelve"], [(8, 9)]),  # unclosed, in a notes container
        ("13", 9, ["https://example.org/thirteen"], [(8, 9)]),
    ]
    # An anchor straight in the body is no note; a note id after the container is none either.
    assert found["other"] == [
        ("https://example.org/nineteen", 1),
        ("https://example.org/fifteen-outside", 10),
    ]


def test_a_query_parameter_named_like_an_old_entity_survives_in_an_href() -> None:
    # html.parser decodes "&para" and "&copy" without their ";" in attribute values; browsers
    # do not when "=" or a letter follows (HTML's rule for attributes), and the URL is theirs.
    found = read(
        "<p>Claim.<sup>1</sup></p>\n"
        '<p><sup>1</sup> <a href="https://x.example/a?b=1&para=2&copy=3">a</a>'
        ' <a href="https://x.example/b?c=1&amp;d=2&#38;e=3&copy;&notit=4&lt">b</a></p>\n'
    )
    assert found["notes"][0][2] == [
        "https://x.example/a?b=1&para=2&copy=3",
        "https://x.example/b?c=1&d=2&e=3©&notit=4<",
    ]
