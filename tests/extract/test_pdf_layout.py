"""The PDF reader's layout rules on lines laid out by hand: the body text size, the line spacing
of paragraphs, and running headers and footers. (Whole PDFs made by LibreOffice, pandoc, Google
Docs, pdfLaTeX and reportlab are in the golden records.)"""

from __future__ import annotations

from kzarchive.extract.pdf import (
    _body_size,
    _columns,
    _furniture,
    _Line,
    _line_pitch,
    _page_number,
    _Reader,
    _Segment,
    _Sequence,
    _zones,
)


def line(y: float, size: float, text: str = "Body text.", page: int = 1, sup: str = "") -> _Line:
    segments = [_Segment(72.0, y, size, text)]
    if sup:
        segments.append(_Segment(300.0, y + 3, size * 0.6, sup, sup=True))
    return _Line(page, y, segments)


def test_the_body_size_is_that_of_lines_citing_notes_mid_line() -> None:
    lines = [
        line(700, 14.0, "A long heading set large " * 20),
        line(680, 11.04, "A claim.", sup="1"),
        line(660, 11.04, "Another claim.", sup="2"),
        line(640, 9.0, "Notes set smaller " * 30, sup="3"),
    ]
    assert _body_size(lines) == 11.0


def test_without_note_references_the_body_size_is_the_commonest_by_text() -> None:
    lines = [line(700, 14.0, "Heading"), line(680, 11.04, "x" * 300), line(660, 8.0, "y" * 200)]
    assert _body_size(lines) == 11.0
    assert (
        _body_size(
            [line(700, 8.0, "y" * 200), line(680, 11.0, "x" * 150), line(660, 11.0, "x" * 100)]
        )
        == 11.0
    )


def test_a_superscript_that_starts_a_line_is_a_notes_label_not_a_citation() -> None:
    note = _Line(1, 100, [_Segment(72, 103, 6, "1", sup=True), _Segment(76, 100, 8, "The note.")])
    assert _body_size([note, line(600, 11.0, "x" * 40), line(580, 11.0, "x" * 40)]) == 11.0


def spaced(gaps: list[float], size: float = 11.0, page: int = 1) -> list[_Line]:
    y, found = 700.0, [line(700.0, size, page=page)]
    for gap in gaps:
        y -= gap
        found.append(line(y, size, page=page))
    return found


def test_the_line_pitch_is_the_spacing_most_lines_keep() -> None:
    assert _line_pitch([spaced([16.5, 16.5, 16.5, 30.0])], 11.0) == 16.5
    assert _line_pitch([spaced([16.5, 16.5]), spaced([16.5, 30.0], page=2)], 11.0) == 16.5


def test_no_pitch_when_no_spacing_is_common_enough() -> None:
    assert _line_pitch([spaced([16.5, 16.5, 30.0, 30.0])], 11.0) == 0.0  # a tie: half, not most
    assert _line_pitch([spaced([16.5, 16.5])], 11.0) == 0.0  # two gaps are too few
    assert _line_pitch([spaced([])], 11.0) == 0.0
    assert _line_pitch([], 11.0) == 0.0


def test_the_pitch_counts_body_lines_within_two_and_a_half_lines() -> None:
    # Gaps below one line height (superscripts) and beyond 2.5 (blocks apart) are not spacing.
    assert _line_pitch([spaced([27.5, 27.5, 27.5])], 11.0) == 27.5
    assert _line_pitch([spaced([27.6, 27.6, 27.6])], 11.0) == 0.0
    assert _line_pitch([spaced([11.0, 11.0, 11.0])], 11.0) == 11.0
    assert _line_pitch([spaced([10.9, 10.9, 10.9])], 11.0) == 0.0
    # Lines of another size (notes) are not counted; a gap is measured to a tenth of a point.
    notes = spaced([9.6, 9.6, 9.6], size=8.0)
    assert _line_pitch([notes], 11.0) == 0.0
    assert _line_pitch([spaced([14.04, 13.96, 14.01])], 11.0) == 14.0


def furniture_pages(count: int) -> tuple[list[list[_Line]], list[float]]:
    pages = []
    for number in range(1, count + 1):
        pages.append(
            [
                line(800, 8.0, "FREE CULTURE", page=number),  # top tenth of an 842 pt page
                line(400, 11.0, f"Body of page {number}.", page=number),
                line(30, 8.0, f"{number}  Report 2019", page=number),  # bottom tenth
            ]
        )
    return pages, [842.0] * count


def test_running_headers_and_footers_repeat_on_most_pages() -> None:
    pages, heights = furniture_pages(4)
    found = _furniture(pages, heights)
    assert found == {id(pages[p][0]) for p in range(4)} | {id(pages[p][2]) for p in range(4)}


def test_fewer_than_three_pages_have_no_furniture() -> None:
    pages, heights = furniture_pages(2)
    assert _furniture(pages, heights) == set()
    pages, heights = furniture_pages(3)
    assert len(_furniture(pages, heights)) == 6


def test_a_line_must_repeat_on_a_third_of_the_pages_to_be_furniture() -> None:
    # (a book's left and right pages each have their own running header)
    pages, heights = furniture_pages(10)
    for page in pages[:7]:
        page[0].segments[0].text = f"Chapter {page[0].page * 7} of a different name {page[0].page}"
    found = _furniture(pages, heights)
    assert {id(pages[p][0]) for p in range(7, 10)} <= found  # 3 of 10: furniture
    pages[7][0].segments[0].text = "Another header"
    found = _furniture(pages, heights)
    assert {id(pages[p][0]) for p in range(8, 10)}.isdisjoint(found)  # 2 of 10: not
    assert {id(pages[p][2]) for p in range(10)} <= found


def test_only_the_top_and_bottom_tenths_hold_furniture() -> None:
    pages, heights = furniture_pages(4)
    for page in pages:
        page[0].y = 842 * 0.9 - 1  # just inside the body
        page[2].y = 842 * 0.1 + 1
    assert _furniture(pages, heights) == set()


# The layout reader's rules for note numbers, URLs and columns, on lines as PDFium gives them
# (each shape seen in a real report: ../shared/corpus/real-reports/, tracemonkey.pdf, an InDesign
# report of Digital Rights Watch).


def text_line(y: float, text: str, x: float = 72.0, size: float = 8.0, page: int = 1) -> _Line:
    return _Line(page, y, [_Segment(x, y, size, text, x1=x + 4.0 * len(text))])


def raised(y: float, label: str, text: str, x: float = 72.0) -> _Line:
    return _Line(
        1,
        y,
        [
            _Segment(x, y + 3, 5.5, label, x1=x + 5, sup=True),
            _Segment(x + 5, y, 8.0, text, x1=x + 5 + 4.0 * len(text)),
        ],
    )


def test_a_year_or_a_date_starting_a_line_goes_on_its_note() -> None:
    sequence = _Sequence(last=44, left=72.0)
    assert sequence.accepts("45", text_line(100, "45 The next note."), set())
    assert not sequence.accepts("2017", text_line(100, "2017 https://www.smh.com.au/x"), set())
    assert not sequence.accepts("45", text_line(100, "45 September 2016 http://a.org/"), set())
    assert not sequence.accepts("12", text_line(100, "12 pages were read", x=90), set())
    # A number the page's body cites, and a small skip where numbers stand
    assert sequence.accepts("47", text_line(100, "47 Ibid.", x=90), {47})
    assert sequence.accepts("47", text_line(100, "47 Ibid."), set())
    assert not sequence.accepts("52", text_line(100, "52 Ibid."), set())
    # A raised number is a note's, a little ahead or starting again
    assert sequence.accepts("1", raised(100, "1", "A note."), set())


def test_the_first_note_and_glued_numbers() -> None:
    assert _Sequence().accepts("1", text_line(100, "1 A note."), set())
    assert not _Sequence().accepts("2019", text_line(100, "2019 A note."), set())
    glued = text_line(100, "78The findings of the mission")
    assert glued.label() == "78" and glued.body_after_label() == "The findings of the mission"
    assert text_line(100, "2011,http://a.org/x").label() is None


def test_a_reference_list_takes_bracketed_numbers_ahead_not_years() -> None:
    sequence = _Sequence(last=11)
    assert sequence.accepts("20", text_line(100, "[20] N. Jay, Testing"), set(), listed=True)
    assert not sequence.accepts("2015", text_line(100, "[2015] AICmr 35"), set(), listed=True)
    assert not sequence.accepts("20", text_line(100, "[20] N. Jay"), set())


def typed(*texts: str) -> list[str]:
    reader = _Reader("x")
    lines = [text_line(100 - 10 * i, text) for i, text in enumerate(texts)]
    return [url for _, url in reader._typed(lines)]


def test_spaces_justified_text_put_inside_a_url() -> None:
    assert typed("radio, http://www.abc.net.au/ pm/content/2016/s4443273.htm; Knaus") == [
        "http://www.abc.net.au/pm/content/2016/s4443273.htm"
    ]
    assert typed("Guardian https://www.theguardian. com/australia-news/2015/x; GetUp") == [
        "https://www.theguardian.com/australia-news/2015/x"
    ]
    assert typed("See https://example.org/ for the rest") == ["https://example.org/"]
    assert typed("See https://example.org/ www.other.org/") == [
        "https://example.org/",
        "www.other.org/",  # (the scheme is added when the note takes it)
    ]


def test_a_character_without_a_glyph_in_a_url_is_read_as_an_underscore() -> None:
    reader = _Reader("x")
    found = reader._typed([text_line(100, "http://drmemory.org/docs/page drfuzz.html, 2015.")])
    assert [url for _, url in found] == ["http://drmemory.org/docs/page_drfuzz.html"]
    assert "read as '_'" in reader.parsed.warnings[0]
    assert typed("https://example.org/report index of 2019") == ["https://example.org/report"]


def test_indesign_hyphens_at_a_line_end_are_kept_and_both_readings_warned() -> None:
    lines = [text_line(100, "See https://a.org/long-"), text_line(90, "title.html and more")]
    reader = _Reader("x")
    assert [url for _, url in reader._typed(lines)] == ["https://a.org/long-title.html"]
    assert reader.parsed.warnings == []
    reader.indesign = True
    assert [url for _, url in reader._typed(lines)] == ["https://a.org/long-title.html"]
    assert "https://a.org/longtitle.html" in reader.parsed.warnings[0]


def test_the_note_zone_is_the_small_print_at_a_columns_foot() -> None:
    page = [
        text_line(700, "Body text " * 8, size=11.0),
        text_line(400, "A quotation set small " * 3),  # small, but body follows it
        text_line(380, "Body text " * 8, size=11.0),
        text_line(120, "1 The first note."),
        text_line(110, "going on."),
        text_line(100, "An italic title", size=8.4),
        text_line(30, "12"),  # a page number
    ]
    assert _zones(page, 11.0, set()) == {id(line) for line in page[3:6]}
    bigger = text_line(140, "proposal in Australia that would", size=10.0)
    assert id(bigger) not in _zones([bigger, *page[3:]], 11.0, set())


def test_two_columns_are_read_one_after_the_other() -> None:
    left = [_Segment(50, 700 - 10 * i, 9, "left column text " * 2, x1=290) for i in range(30)]
    right = [_Segment(310, 700 - 10 * i, 9, "right column text " * 2, x1=550) for i in range(30)]
    title = [_Segment(100, 760, 14, "A title across both columns of the paper", x1=500)]
    columns = _columns(title + right + left, 600.0)
    assert columns == [title, left, right]
    # A single column, even with a short line, stays one
    single = [
        _Segment(50, 700 - 10 * i, 9, "one wide column of text " * 4, x1=550) for i in range(30)
    ]
    assert _columns(single, 600.0) == [single]


def test_a_long_number_on_its_own_line_is_a_urls_end_not_a_page_number() -> None:
    # "…/canadian-travellers-edward-snowden-documents-1.2" / "517881" (a Quartz PDF's note)
    assert _page_number("26") and not _page_number("517881")
    assert typed("https://www.cbc.ca/news/snowden-documents-1.2", "517881") == [
        "https://www.cbc.ca/news/snowden-documents-1.2517881"
    ]
    pages, heights = furniture_pages(4)
    pages[0][2].segments[0].text = "517881"
    assert id(pages[0][2]) not in _furniture(pages, heights)


def body_line(y: float, text: str, page: int, sup: str = "") -> _Line:
    segments = [_Segment(72, y, 11.0, text, x1=72 + 5.0 * len(text))]
    if sup:
        segments.append(
            _Segment(72 + 5.0 * len(text), y + 4, 6.5, sup, x1=80 + 5.0 * len(text), sup=True)
        )
    return _Line(page, y, segments)


def note_line(y: float, text: str, page: int, label: str = "") -> _Line:
    segments = [_Segment(80, y, 8.0, text, x1=80 + 4.0 * len(text))]
    if label:
        segments.insert(0, _Segment(72, y + 3, 5.5, label, x1=77, sup=True))
    return _Line(page, y, segments)


def read(pages: list[list[_Line]]) -> dict[str, list[str]]:
    reader = _Reader("x")
    reader.pages = pages
    reader.heights = [842.0] * len(pages)
    reader.rights = {(n, 0): 520.0 for n in range(1, len(pages) + 1)}
    reader._notes_and_body()
    return {note.label: list(note.urls) for note in reader.parsed.notes}


def test_a_note_goes_on_at_the_foot_of_the_next_page() -> None:
    # hrw_algorithms_of_repression_2019, notes 23 and 68: the URL on the next page's first line
    first = [
        body_line(700, "A claim made in the body of the report.", 1, sup="1"),
        body_line(680, "More body text about the claim, at length.", 1),
        note_line(
            120, "Human Rights Watch, “Title,” May 2019, https://www.hrw.org/news/2019/", 1, "1"
        ),
    ]
    second = [
        body_line(700, "The body of the second page goes on here.", 2, sup="2"),
        body_line(680, "And on, with nothing of the notes in it.", 2),
        note_line(130, "05/01/the-rest-of-the-slug (accessed May 2, 2019); “Other,”", 2),
        note_line(120, "https://www.ft.com/content/ac0ffb2e", 2),
        note_line(100, "The second note, https://example.org/second.", 2, "2"),
    ]
    assert read([first, second]) == {
        "1": [
            "https://www.hrw.org/news/2019/05/01/the-rest-of-the-slug",
            "https://www.ft.com/content/ac0ffb2e",
        ],
        "2": ["https://example.org/second"],
    }


def test_a_reference_list_numbered_like_the_footnotes_keeps_its_own_labels() -> None:
    page = [
        body_line(700, "A claim cited by a footnote and a reference [1].", 1, sup="1"),
        body_line(680, "References", 1),
        body_line(660, "[1] Smith, Courts, https://example.org/courts", 1),
        body_line(640, "[2] Doe, Protest, https://example.org/protest", 1),
        note_line(120, "The footnote, https://example.org/note.", 1, "1"),
    ]
    # (the footnote zone under a References heading is the list's: a list ends a document)
    found = read([page[:1] + page[4:], page[1:4]])
    assert found == {
        "1": ["https://example.org/note"],
        "[1]": ["https://example.org/courts"],
        "[2]": ["https://example.org/protest"],
    }
