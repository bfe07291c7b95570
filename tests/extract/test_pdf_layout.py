"""The PDF reader's layout rules on lines laid out by hand: the body text size, the line spacing
of paragraphs, and running headers and footers. (Whole PDFs made by LibreOffice, pandoc, Google
Docs, pdfLaTeX and reportlab are in the golden records.)"""

from __future__ import annotations

from kzarchive.extract.pdf import _body_size, _furniture, _Line, _line_pitch, _Segment


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
