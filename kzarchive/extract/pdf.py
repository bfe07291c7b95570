"""The reader for PDF reports: footnotes and endnotes found by layout (see ``pdf_pages.py``).

A PDF has no notion of a footnote: there are characters at positions and sizes, and link
annotations over rectangles. This module rebuilds lines (a small raised run is a superscript),
orders a two-column page's lines column by column, and finds in each column its note zone: the
block of lines smaller than the body at its foot. A zone line starting with a note number (a
superscript, ``12 ``, ``12.``, or a number glued to its text, ``78The``) starts a note when the
number follows the last note's or is cited by the page's body; a year or a date that starts a line
goes on the note above, and so do the first lines of a zone, which finish the last page's last note.
After a "Notes"/"References"/"Sources"... heading, labelled lines are endnotes; a numbered list
whose numbers are the footnotes' too keeps its own, as ``[n]``. Each note's URLs are the ones typed
in it, joined back across line breaks by the shared rules (``urls.continuation``, told whether
the next line's first word would have fitted on the line above), the link annotation over a typed
URL winning over its text. ``line`` holds the page.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass, field

from kzarchive.errors import DocumentError
from kzarchive.extract.chatter import gathered
from kzarchive.extract.context import (
    MARK_CLOSE,
    MARK_OPEN,
    mark_typed_references,
    marker,
    sentences_citing,
)
from kzarchive.extract.dates import find_date
from kzarchive.extract.notes import NOTES_HEADING, Note, Parsed
from kzarchive.extract.pdf_pages import LinkArea, Run, broken_xref, open_document, read_pages
from kzarchive.extract.urls import BARE_URL, continuation, strip_trailing, unwrap_redirect

# A note label typed at the start of a line: "12 ", "12. ", "iv) ", "* ", and "12.Text" where a
# list's tab left no space character between number and text.
_LABEL_TEXT = re.compile(
    r"^\s*(?:\[(\d{1,4})\](?=\s)|(\d{1,4})[.)]\s*(?=[^\d\s.)])|([ivxlc]{1,6})[.)](?=\s)"
    r"|(\d{1,4}|[ivxlc]{1,6}|[*†‡§]{1,3})(?=\s|$)"
    # a number glued to its note's text, "78The ...", as Word's tab can leave it
    r"|(\d{1,4})(?=[A-ZА-ЯЁ“\"‘«]))"
)
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec"
    "|января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря"
)
# A file name after a space that ends a URL: the space stands for a character without a glyph
_GLYPHLESS = re.compile(r" ([A-Za-z0-9][A-Za-z0-9-]*\.(?:html?|pdf|php|aspx?|txt))(?=[\s.,;)]|$)")
# A day and a month after a line's leading number: a date going on a note, not a new note
_DATE_AFTER = re.compile(rf"^\s*(?:{_MONTHS})\b", re.IGNORECASE)
_SUPER_LABEL = re.compile(r"^(\d{1,4}|[ivxlcIVXLC]{1,6}|[a-z]|[*†‡§]{1,3})$")
# A footnote's lines follow each other; a gap of more than this many line heights ends it (a
# letterhead or an address block below the notes is not part of the last one).
NOTE_GAP = 2.0
# Lines in the top or bottom tenth of the page, repeated on at least a third of the pages (and
# three), are running headers and footers (a book's left and right pages have their own).
FURNITURE_BAND = 0.1
FURNITURE_PAGES = 3
FURNITURE_SHARE = 0.3
_HYPHENATED = re.compile(
    f"(?<=[^\\W\\d_])-\\s*((?:{MARK_OPEN}[^{MARK_CLOSE}]*{MARK_CLOSE}\\s*)*)\n"
)
SMALL = 0.92  # a line this much smaller than the body text is note text
# A note zone's lines are of one size, give or take an italic title's
ZONE_SIZES = 0.9


_Segment = Run


@dataclass
class _Line:
    page: int
    y: float
    segments: list[_Segment] = field(default_factory=list)
    column: int = 0

    @property
    def common_size(self) -> float:
        """The size most of the line's characters have (a line of notes may hold a few larger
        CJK glyphs or an italic title)."""
        weights: Counter[float] = Counter()
        for segment in self.segments:
            if not segment.sup:
                weights[round(segment.size, 1)] += len(segment.text.strip())
        return weights.most_common(1)[0][0] if weights else self.size

    @property
    def left(self) -> float:
        return min(s.x for s in self.segments)

    @property
    def right(self) -> float:
        return max(s.x1 or s.x for s in self.segments)

    @property
    def size(self) -> float:
        sizes = [s.size for s in self.segments if not s.sup] or [s.size for s in self.segments]
        return max(sizes)

    def ordered(self) -> list[_Segment]:
        return sorted(self.segments, key=lambda s: s.x)

    def text(self, markers: bool = False) -> str:
        parts = []
        for segment in self.ordered():
            if segment.sup:
                label = segment.text.strip()
                if markers and _SUPER_LABEL.match(label):
                    parts.append(marker(label))
                continue
            parts.append(segment.text)
        return "".join(parts)

    def starts_with_superscript(self) -> bool:
        first = self.ordered()[0] if self.segments else None
        return first is not None and first.sup

    def label(self) -> str | None:
        """The note label this line starts with: a leading superscript, or ``1.``/``1 ``."""
        first = self.ordered()[0] if self.segments else None
        if first is not None and first.sup and _SUPER_LABEL.match(first.text.strip()):
            return first.text.strip()
        match = _LABEL_TEXT.match(self.text())
        return next((g for g in match.groups() if g), None) if match else None

    def body_after_label(self) -> str:
        text = self.text()
        first = self.ordered()[0] if self.segments else None
        if first is not None and first.sup:
            return text
        return _LABEL_TEXT.sub("", text, count=1)


def _lines(page_number: int, segments: list[_Segment]) -> list[_Line]:
    """Segments grouped into lines; small raised segments become superscripts of their line.
    (Top to bottom, each segment and line is compared with its neighbours only: a page's lines
    are many, and comparing each with all of them was a third of a long report's time.)"""
    lines: list[_Line] = []
    for segment in sorted(segments, key=lambda s: (-s.y, s.x)):
        # The last line is the lowest so far, and the closest: lines above are further still
        if lines and lines[-1].y - segment.y <= max(1.5, 0.2 * segment.size):
            lines[-1].segments.append(segment)
        else:
            lines.append(_Line(page_number, segment.y, [segment]))
    lines.sort(key=lambda item: -item.y)
    sizes = [line.size for line in lines]
    reach = 0.7 * max(sizes, default=0.0)
    merged: list[_Line] = []
    for index, line in enumerate(lines):
        small = max(s.size for s in line.segments)
        host = None
        below = index + 1
        while below < len(lines) and line.y - lines[below].y < reach:
            other, size = lines[below], sizes[below]
            if size * 0.85 > small and 0 < line.y - other.y < 0.7 * size:
                host = other
                break
            below += 1
        if host is None:
            merged.append(line)
            continue
        for segment in line.segments:
            segment.sup = True
            host.segments.append(segment)
    return merged


def _furniture(pages: list[list[_Line]], heights: list[float]) -> set[int]:
    """Running headers and footers: lines in the top or bottom tenth of the page whose text,
    numbers aside, comes back on most pages ("2  FREE CULTURE", "Report 2019 | page 3"). They are
    furniture, not notes, and their links belong to no footnote."""
    if len(pages) < FURNITURE_PAGES:
        return set()
    shapes: Counter[str] = Counter()
    banded: list[tuple[str, _Line]] = []
    for page, height in zip(pages, heights, strict=True):
        seen: set[str] = set()
        for line in page:
            if height * FURNITURE_BAND < line.y < height * (1 - FURNITURE_BAND):
                continue
            shape = re.sub(r"\b\d{1,4}\b", "#", " ".join(line.text().lower().split()))
            banded.append((shape, line))
            if shape not in seen:
                seen.add(shape)
                shapes[shape] += 1
    needed = max(FURNITURE_PAGES, math.ceil(len(pages) * FURNITURE_SHARE))
    return {id(line) for shape, line in banded if shapes[shape] >= needed}


def _line_pitch(pages: list[list[_Line]], body_size: float) -> float:
    """The distance from one body line to the next that most of the document's lines keep (1.5
    or double spacing spreads a paragraph's lines further apart than single spacing does); 0 when
    no distance is that common (too few lines to tell the line spacing from paragraph spacing)."""
    gaps: Counter[float] = Counter()
    for lines in pages:
        body = [line for line in lines if abs(line.size - body_size) < 0.5]
        for upper, lower in itertools.pairwise(body):
            gap = round(upper.y - lower.y, 1)
            if body_size <= gap <= 2.5 * body_size:
                gaps[gap] += 1
    if not gaps:
        return 0.0
    pitch, count = gaps.most_common(1)[0]
    return pitch if count >= 3 and 2 * count > gaps.total() else 0.0


def _body_size(lines: list[_Line]) -> float:
    """The size of the body text: of lines that cite notes mid-line, else the commonest size."""
    citing: Counter[float] = Counter()
    weights: Counter[float] = Counter()
    for line in lines:
        ordered = line.ordered()
        if any(s.sup for s in ordered[1:]):
            citing[round(line.size, 1)] += 1
        for segment in ordered:
            if not segment.sup:
                weights[round(segment.size, 1)] += len(segment.text)
    return (citing or weights).most_common(1)[0][0]


def parse(data: bytes, source: str = "document") -> Parsed:
    """Find every footnote and endnote of a PDF and the URLs each cites."""
    said: list[str] = []
    with gathered(said, source):
        parsed = _Reader(source).read(data)
    parsed.warnings.extend(said)
    return parsed


@dataclass
class _Open:
    """A note being read: its record, its lines, and whether it came from a notes section."""

    note: Note
    lines: list[_Line]
    section: bool = False


@dataclass
class _Sequence:
    """The last number of a run of notes, to tell a note's number from a year or a date that
    starts one of its lines."""

    last: int | None = None
    left: float | None = None  # where the last note's number stood

    def accepts(self, label: str, line: _Line, refs: set[int], *, listed: bool = False) -> bool:
        """Whether ``label``, starting ``line``, starts a note; ``listed``: in a reference list,
        where ``[12]`` opening a line does when it comes after the last (a column or a table may
        have put another number between), but ``[2015]`` after ``[11]`` is a citation's year."""
        if not label.isdigit():
            return True
        number = int(label)
        if listed and line.text().lstrip().startswith("["):
            last = self.last or 0
            return last < number <= last + 30 or number == 1
        raised = line.starts_with_superscript()
        if not raised and _DATE_AFTER.match(line.body_after_label()):
            return False  # "28 September 2016 http://..." goes on a note
        if self.last is None:
            return number in refs or raised or number <= 3
        if number == self.last + 1 or (number in refs and number != self.last):
            return True
        if (
            self.left is not None
            and abs(line.left - self.left) < 1.5
            and self.last < number <= self.last + 5
        ):
            return True  # a note without a URL skipped, its number where numbers stand
        return raised and (number == 1 or self.last < number <= self.last + 5)

    def take(self, label: str, line: _Line) -> None:
        if label.isdigit():
            self.last = int(label)
            self.left = line.left


class _Reader:
    """One document's reading: its pages' lines in reading order, then notes and body."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.parsed = Parsed()
        self.pages: list[list[_Line]] = []
        self.heights: list[float] = []
        self.rights: dict[tuple[int, int], float] = {}  # (page, column): the text's right edge
        self.links: list[LinkArea] = []
        self.indesign = False

    def read(self, data: bytes) -> Parsed:
        document = open_document(data, self.source)
        if broken_xref(data):
            self.parsed.warnings.append(
                f"{self.source}: the PDF's cross-reference table is broken (its startxref "
                "points at none); it was rebuilt from the objects, as viewers do"
            )
        self.indesign = "indesign" in producer(document).lower()
        for page in read_pages(document):
            lines: list[_Line] = []
            for column, runs in enumerate(_columns(page.runs, page.width)):
                found = _lines(page.number, runs)
                for line in found:
                    line.column = column
                if found:
                    self.rights[(page.number, column)] = max(line.right for line in found)
                lines.extend(found)
            self.pages.append(lines)
            self.heights.append(page.height)
            self.links.extend(page.links)
        if not any(self.pages):
            return self._no_text()
        self._notes_and_body()
        return self.parsed

    def _no_text(self) -> Parsed:
        if not self.links:
            raise DocumentError(
                f"{self.source}: the PDF has no text layer (a scanned document?): run OCR on it "
                "first (for example with ocrmypdf)"
            )
        self.parsed.warnings.append(
            f"{self.source}: the PDF has no text layer (a scanned document?); only its "
            f"{len(self.links)} link annotations were read, with no footnotes"
        )
        for link in self.links:
            url = self.parsed.accept(link.uri, link.page, is_target=True)
            if url:
                self.parsed.other_urls.append((url, link.page))
        return self.parsed

    def _notes_and_body(self) -> None:
        parsed = self.parsed
        all_lines = [line for page in self.pages for line in page]
        body_size = _body_size(all_lines)
        pitch = _line_pitch(self.pages, body_size)
        for line in all_lines[:12]:
            if parsed.cited_on is None and len(line.text()) <= 80:
                parsed.cited_on = find_date(line.text().strip())
        furniture = _furniture(self.pages, self.heights)
        refs = _references(self.pages)
        notes: list[_Open] = []
        paragraphs: list[list[_Line]] = []
        footnotes, endnotes = _Sequence(), _Sequence()
        in_section = False
        current: _Open | None = None  # the note the next lines may go on
        spill: _Open | None = None  # the last footnote, which may go on at the next page's foot
        for page, height in zip(self.pages, self.heights, strict=True):
            number = page[0].page if page else 0
            near = refs.get(number, set()) | refs.get(number - 1, set())
            zones = _zones(page, body_size, furniture)
            footer = False  # past a body-size footnote at the foot of this page
            column = -1
            for line in page:
                if line.column != column:
                    column = line.column
                    if current is not None and not current.section and column:
                        current = current if line.y > height / 2 else None
                if id(line) in furniture:
                    continue
                text = line.text().strip()
                if NOTES_HEADING.match(text) and len(text) < 40:
                    in_section, current = True, None
                    continue
                label = line.label()
                # Under a "References" heading, small print at a column's foot is the list
                in_zone = id(line) in zones and not in_section
                if in_zone or footer:
                    if (
                        label is not None
                        and line.body_after_label().strip()
                        and footnotes.accepts(label, line, near)
                    ):
                        footnotes.take(label, line)
                        current = spill = _Open(Note(label, line.page), [line])
                        notes.append(current)
                        continue
                    if current is not None and not current.section and not _page_number(text):
                        if self._goes_on(current, line):
                            current.lines.append(line)
                            continue
                        current = None  # a letterhead or an address block below the notes
                    elif (
                        current is None
                        and spill is not None
                        and spill.lines[-1].page != line.page
                        and not _page_number(text)
                    ):
                        # The top of a zone, before its first note: the last page's last note
                        # going on
                        current = spill
                        current.lines.append(line)
                        continue
                if _page_number(text):
                    continue  # a page number
                if in_section:
                    if (
                        label is not None
                        and line.body_after_label().strip()
                        and endnotes.accepts(label, line, set(), listed=True)
                    ):
                        endnotes.take(label, line)
                        current = _Open(Note(label, line.page), [line], section=True)
                        notes.append(current)
                        continue
                    if current is not None and current.section and self._goes_on(current, line):
                        current.lines.append(line)
                        continue
                elif (
                    label is not None
                    and line.starts_with_superscript()
                    and line.y < height / 2
                    and line.body_after_label().strip()
                    and footnotes.accepts(label, line, near)
                ):
                    # Footnotes at body size (pandoc's Word styles): a superscript number low on
                    # the page starts them
                    footnotes.take(label, line)
                    footer = True
                    current = spill = _Open(Note(label, line.page), [line])
                    notes.append(current)
                    continue
                if current is not None and not current.section:
                    current = None
                last = paragraphs[-1][-1] if paragraphs else None
                if (
                    last is not None
                    and last.page == line.page
                    and abs(last.size - line.size) < 0.5
                    and 0 < last.y - line.y <= max(1.35 * line.size, 1.1 * pitch)
                ):
                    paragraphs[-1].append(line)
                else:
                    paragraphs.append([line])
        footnote_labels = {found.note.label for found in notes if not found.section}
        if any(found.note.label in footnote_labels for found in notes if found.section):
            # A numbered reference list beside footnotes numbered the same keeps its own
            # numbers, apart: [1] is the list's, 1 the footnote's
            for found in notes:
                if found.section and found.note.label.isdigit():
                    found.note.label = f"[{found.note.label}]"
        claimed: set[int] = set()
        for found in notes:
            self._note_urls(found, claimed)
            found.note.text = " ".join(
                (line.body_after_label() if i == 0 else line.text()).strip()
                for i, line in enumerate(found.lines)
            )
            parsed.notes.append(found.note)
        for paragraph in paragraphs:
            marked = mark_typed_references("\n".join(line.text(markers=True) for line in paragraph))
            # A word hyphenated at a line end is joined, a note reference after the hyphen kept
            joined = _HYPHENATED.sub(r"\1", marked)
            parsed.add_contexts(sentences_citing(joined.replace("\n", " ")))
            # URLs typed in the body (not notes): for --all-links, as the other readers do.
            for index, typed in self._typed(paragraph):
                other = parsed.accept(typed, paragraph[index].page)
                if other:
                    parsed.other_urls.append((other, paragraph[index].page))
        for i, link in enumerate(self.links):
            if i not in claimed:
                other = parsed.accept(link.uri, link.page, is_target=True)
                if other:
                    parsed.other_urls.append((other, link.page))

    def _goes_on(self, found: _Open, line: _Line) -> bool:
        last = found.lines[-1]
        if last.page != line.page:
            return True  # a note going on at the top of the next page
        return 0 < last.y - line.y <= NOTE_GAP * max(line.size, 1.0) or last.column != line.column

    def _note_urls(self, found: _Open, claimed: set[int]) -> None:
        """The note's URLs in order: each typed URL, or the link annotation over it when there
        is one (its target wins over the text: clipped or glyph-less characters), and the other
        link annotations over the note's lines."""
        lines = found.lines
        candidates: list[tuple[int, int, float, float, str, bool]] = []
        over: dict[int, list[int]] = {}  # line index -> link indexes over it
        for i, link in enumerate(self.links):
            if i in claimed:
                continue
            for line_index, line in enumerate(lines):
                if link.page == line.page and any(_covers(rect, line) for rect in link.rects):
                    over.setdefault(line_index, []).append(i)
                    claimed.add(i)
                    break
        used: set[int] = set()
        for line_index, typed in self._typed(lines):
            line = lines[line_index]
            match = next(
                (
                    i
                    for index in (line_index, line_index + 1)
                    for i in over.get(index, [])
                    if i not in used and _same_target(typed, self.links[i].uri)
                ),
                None,
            )
            if match is not None:
                used.add(match)
                candidates.append(
                    (line.page, line.column, -line.y, 0.0, self.links[match].uri, True)
                )
            else:
                candidates.append((line.page, line.column, -line.y, 0.0, typed, False))
        for line_index, indexes in over.items():
            line = lines[line_index]
            for i in indexes:
                if i not in used:
                    x = self.links[i].rects[0][0]
                    candidates.append((line.page, line.column, -line.y, x, self.links[i].uri, True))
        for *_, raw, target in sorted(candidates, key=lambda c: c[:4]):
            url = self.parsed.accept(raw, found.note.line, is_target=target)
            if url:
                found.note.add(url)

    def _typed(self, lines: list[_Line]) -> list[tuple[int, str]]:
        """URLs typed in these lines (with the index of the line each starts on), joined back
        where a line break split one (:func:`~kzarchive.extract.urls.continuation`, told
        whether the next line's first word would have fitted on the line)."""
        texts = [
            _url_text(line.body_after_label() if i == 0 else line.text())
            for i, line in enumerate(lines)
        ]
        found: list[tuple[int, str]] = []
        skip = [0] * len(texts)
        for index, text in enumerate(texts):
            for match in BARE_URL.finditer(text):
                if match.start() < skip[index]:
                    continue
                raw, at, end = match.group(0), index, match.end()
                while True:
                    after = texts[at][end:]
                    if after.strip():
                        # Justified text (InDesign's) can put a space inside a URL after a
                        # character it breaks at: "abc.net.au/ news/2017-04-13/..."
                        rest = _spaced(raw, after)
                        if rest is None:
                            break
                        raw, end = raw + rest, end + 1 + len(rest)
                        skip[at] = end
                        continue
                    if at + 1 >= len(texts):
                        break
                    following = texts[at + 1]
                    rest = continuation(raw, following, fits=self._fits(lines[at], following))
                    if rest is None:
                        break
                    raw = self._hyphen(raw, rest, lines[at])
                    at += 1
                    end = len(following) - len(following.lstrip()) + len(rest)
                    skip[at] = end
                gap = _GLYPHLESS.match(texts[at], end)
                if gap and raw[-1].isalnum():
                    # pdfLaTeX's fonts may give "_" no glyph: "…/page drfuzz.html"
                    guessed = f"{raw}_{gap.group(1)}"
                    self.parsed.warnings.append(
                        f"page {lines[at].page}: a gap inside {strip_trailing(guessed)!r} read "
                        "as '_' (a character without a glyph in the PDF's text)"
                    )
                    raw, skip[at] = guessed, gap.end()
                found.append((index, strip_trailing(raw)))
        return found

    def _fits(self, line: _Line, following: str) -> bool | None:
        """Whether the first word of ``following`` would have fitted at the end of ``line``
        (then it was not wrapped there: it goes on the URL); None when that cannot be told."""
        right = self.rights.get((line.page, line.column))
        text = line.text()
        word = following.split(None, 1)[0] if following.strip() else ""
        if right is None or not text or not word:
            return None
        width = (line.right - line.left) / max(len(text), 1)
        return right - line.right > (len(word) + 2) * width * 1.1

    def _hyphen(self, raw: str, rest: str, line: _Line) -> str:
        """``raw`` + ``rest``, with the hyphen a line break left at the end of ``raw``.

        A hyphen before a line break inside a URL is the URL's own in Word, LaTeX and browser
        output, which never hyphenate URLs. InDesign may: in its PDFs the hyphen is kept (the
        likelier reading: URL slugs are hyphenated words) and both readings are given as a
        warning, unless a link annotation settles it (its target then wins)."""
        if not raw.endswith("-") or not self.indesign:
            return raw + rest
        both = (strip_trailing(raw + rest), strip_trailing(raw[:-1] + rest))
        self.parsed.warnings.append(
            f"page {line.page}: a hyphen ends a line inside {both[0]!r}; this InDesign PDF may "
            f"have added it: the URL may be {both[1]!r}"
        )
        return raw + rest


def producer(document: object) -> str:
    """The PDF's Producer and Creator, for telling what made it."""
    try:
        metadata = document.get_metadata_dict()  # type: ignore[attr-defined]
    except Exception:  # a broken Info dictionary says nothing
        return ""
    return f"{metadata.get('Producer', '')} {metadata.get('Creator', '')}"


def _spaced(url: str, after: str) -> str | None:
    """The path, host or file name that goes on ``url`` after one space on the same line, when
    the URL ends where a line could break (``/``, ``.``, ``-``) and what follows is unmistakably
    more URL (a small letter or a digit first, a ``/`` or a ``.`` in it); else None."""
    if not after.startswith(" ") or after.startswith("  ") or url[-1] not in "/.-":
        return None
    rest = continuation(url, after[1:])
    if rest is None:
        return None
    core = strip_trailing(rest)
    if not core or not (core[0].islower() or core[0].isdigit()) or not any(c in core for c in "/."):
        return None
    return rest


def _page_number(text: str) -> bool:
    """A line that is only a page number (a longer number goes on a URL: "...-1.2" / "517881")."""
    return text.isdigit() and len(text) <= 4


def _url_text(text: str) -> str:
    # WebKit's PDFs print a URL's hyphens as soft hyphens (U+00AD)
    return text.replace("\u00ad", "-")


def _covers(rect: tuple[float, float, float, float], line: _Line) -> bool:
    middle = (rect[1] + rect[3]) / 2
    return (
        line.y - 0.35 * line.size <= middle <= line.y + line.size
        and rect[0] < line.right
        and rect[2] > line.left
    )


def _host(url: str) -> str:
    host = url.split("://", 1)[-1].split("/", 1)[0].lower()
    return host.removeprefix("www.")


def _same_target(typed: str, uri: str) -> bool:
    """Whether a link annotation's target is the URL typed under it (a redirector's wrapping,
    a trailing slash, a clipped or glyph-less character aside): the same host."""
    return _host(typed) == _host(unwrap_redirect(uri)) or _host(uri) == _host(typed)


def _references(pages: list[list[_Line]]) -> dict[int, set[int]]:
    """The note numbers each page's body cites as superscripts."""
    found: dict[int, set[int]] = {}
    for page in pages:
        for line in page:
            for segment in line.ordered()[1:]:
                label = segment.text.strip()
                if segment.sup and label.isdigit():
                    found.setdefault(line.page, set()).add(int(label))
    return found


def _zones(page: list[_Line], body_size: float, furniture: set[int]) -> set[int]:
    """The lines of each column's note zone: the block of lines smaller than the body at the
    foot of the column (running footers and page numbers aside)."""
    zone: set[int] = set()
    by_column: dict[int, list[_Line]] = {}
    for line in page:
        by_column.setdefault(line.column, []).append(line)
    for lines in by_column.values():
        block: list[_Line] = []
        for line in reversed(lines):
            text = line.text().strip()
            if id(line) in furniture or _page_number(text):
                continue
            size = line.common_size
            if size >= body_size * SMALL:
                break
            if block and abs(size - block[0].common_size) > ZONE_SIZES:
                break  # another size: a caption or a quotation above, not notes
            block.append(line)
        zone.update(id(line) for line in block)
    return zone


def _columns(runs: list[Run], width: float) -> list[list[Run]]:
    """The page's runs in reading order: one list, or, on a two-column page, what spans the
    columns above them, the left column, the right column, and what spans them below."""
    total = sum(len(run.text) for run in runs)
    if len(runs) < 12 or total < 400:
        return [runs]
    best: tuple[int, float] | None = None
    for step in range(int(width * 0.35), int(width * 0.65), 3):
        crossing = sum(len(run.text) for run in runs if run.x < step < run.x1)
        if best is None or crossing < best[0]:
            best = (crossing, float(step))
    assert best is not None
    crossing, gutter = best
    left = [run for run in runs if run.x1 <= gutter]
    right = [run for run in runs if run.x >= gutter]
    if (
        crossing > 0.08 * total
        or sum(len(run.text) for run in left) < 0.25 * total
        or sum(len(run.text) for run in right) < 0.25 * total
    ):
        return [runs]
    # Both columns must run side by side (not a block on the left above one on the right)
    low = max(min(run.y for run in left), min(run.y for run in right))
    high = min(max(run.y for run in left), max(run.y for run in right))
    if high - low < 0.25 * (max(run.y for run in runs) - min(run.y for run in runs)):
        return [runs]
    spanning = [run for run in runs if run.x < gutter < run.x1]
    above = [run for run in spanning if run.y > high]
    below = [run for run in spanning if run.y <= high]
    return [part for part in (above, left, right, below) if part]
