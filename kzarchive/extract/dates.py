"""Finding the date a report cites its sources on, from its dateline.

Reports open (or close) with a dateline such as "Warsaw, 22 February 2019". The snapshot closest to
that date is the one that shows what the authors saw.
"""

from __future__ import annotations

import re
from datetime import date

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan", "января", "январь"),
            ("february", "feb", "февраля", "февраль"),
            ("march", "mar", "марта", "март"),
            ("april", "apr", "апреля", "апрель"),
            ("may", "мая", "май"),
            ("june", "jun", "июня", "июнь"),
            ("july", "jul", "июля", "июль"),
            ("august", "aug", "августа", "август"),
            ("september", "sep", "sept", "сентября", "сентябрь"),
            ("october", "oct", "октября", "октябрь"),
            ("november", "nov", "ноября", "ноябрь"),
            ("december", "dec", "декабря", "декабрь"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY_MONTH_YEAR = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH})\.?,?\s+(\d{{4}})(?:\s*г\.?)?(?!\w)", re.I
)
_MONTH_DAY_YEAR = re.compile(
    rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I
)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
DATELINE_LINES = 40


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    return found if 1991 <= year <= 2100 else None


def find_date(line: str) -> date | None:
    """The first full date written in ``line``, if any."""
    for pattern, order in ((_DAY_MONTH_YEAR, "dmy"), (_MONTH_DAY_YEAR, "mdy"), (_ISO, "iso")):
        match = pattern.search(line)
        if not match:
            continue
        a, b, c = match.groups()
        if order == "dmy":
            found = _valid(int(c), _MONTHS[b.lower()], int(a))
        elif order == "mdy":
            found = _valid(int(c), _MONTHS[a.lower()], int(b))
        else:
            found = _valid(int(a), int(b), int(c))
        if found:
            return found
    return None


def detect_cited_on(text: str) -> date | None:
    """The report's date from a dateline in its first lines, else None."""
    lines = [line for line in text.splitlines() if line.strip()][:DATELINE_LINES]
    for line in lines:
        stripped = line.strip().strip("*_#> ")
        if len(stripped) > 80:
            continue
        found = find_date(stripped)
        if found:
            return found
    return None
