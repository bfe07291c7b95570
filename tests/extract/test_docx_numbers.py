"""Note numbers as Word shows them (``w:numFmt`` of ``w:footnotePr``/``w:endnotePr``), compared
with Word's own displays (Word 365: Insert > Footnote > Number format)."""

from __future__ import annotations

import pytest

from kzarchive.extract.docx import format_number


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        (1, "i"),
        (4, "iv"),
        (5, "v"),
        (6, "vi"),
        (9, "ix"),
        (10, "x"),
        (14, "xiv"),
        (40, "xl"),
        (44, "xliv"),
        (49, "xlix"),
        (50, "l"),
        (90, "xc"),
        (99, "xcix"),
        (100, "c"),
        (400, "cd"),
        (500, "d"),
        (900, "cm"),
        (1000, "m"),
        (1994, "mcmxciv"),
        (3999, "mmmcmxcix"),
    ],
)
def test_roman_numbers(number: int, shown: str) -> None:
    assert format_number(number, "lowerRoman") == shown
    assert format_number(number, "upperRoman") == shown.upper()


@pytest.mark.parametrize(
    ("number", "shown"), [(1, "a"), (2, "b"), (26, "z"), (27, "aa"), (28, "bb"), (53, "aaa")]
)
def test_letters_repeat_after_z(number: int, shown: str) -> None:
    assert format_number(number, "lowerLetter") == shown
    assert format_number(number, "upperLetter") == shown.upper()


@pytest.mark.parametrize(
    ("number", "shown"), [(1, "*"), (2, "†"), (3, "‡"), (4, "§"), (5, "**"), (8, "§§"), (9, "***")]
)
def test_chicago_symbols_double_after_four(number: int, shown: str) -> None:
    assert format_number(number, "chicago") == shown


def test_any_other_format_is_the_decimal_number() -> None:
    assert format_number(12, "decimal") == "12"
    assert format_number(12, "decimalEnclosedCircle") == "12"
