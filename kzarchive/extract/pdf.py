"""The reader for PDF reports, on pypdf (pure Python, BSD licence).

A PDF has no notion of a footnote: there are lines of text at positions and sizes, and link
annotations over rectangles. This module rebuilds lines from pypdf's positioned text, takes small
lines at the foot of a page that start with a label (usually a superscript number) as footnotes,
labelled lines after a "Notes"/"References" heading as endnotes, superscripts in the body as
references, and gives each note the URLs typed in it (joined back when a line break split one) and
the link annotations over it; a link's target wins over the text it shows. ``line`` holds the page.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

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
from kzarchive.extract.urls import BARE_URL, continues_url, strip_trailing

# A note label typed at the start of a line: "12 ", "12. ", "iv) ", "* ", and "12.Text" where a
# list's tab left no space character between number and text.
_LABEL_TEXT = re.compile(
    r"^\s*(?:\[(\d{1,4})\](?=\s)|(\d{1,4})[.)]\s*(?=[^\d\s.)])|([ivxlc]{1,6})[.)](?=\s)"
    r"|(\d{1,4}|[ivxlc]{1,6}|[*†‡§]{1,3})(?=\s|$))"
)
_SUPER_LABEL = re.compile(r"^(\d{1,4}|[ivxlcIVXLC]{1,6}|[a-z]|[*†‡§]{1,3})$")
# A footnote's lines follow each other; a gap of more than this many line heights ends it (a
# letterhead or an address block below the notes is not part of the last one).
NOTE_GAP = 2.0
# Lines in the top or bottom tenth of the page, repeated on at least half the pages (and three),
# are running headers and footers.
FURNITURE_BAND = 0.1
FURNITURE_PAGES = 3
_HYPHENATED = re.compile(
    f"(?<=[^\\W\\d_])-\\s*((?:{MARK_OPEN}[^{MARK_CLOSE}]*{MARK_CLOSE}\\s*)*)\n"
)
SMALL = 0.92  # a line this much smaller than the body text is note text


@dataclass
class _Segment:
    x: float
    y: float
    size: float
    text: str
    sup: bool = False


@dataclass
class _Line:
    page: int
    y: float
    segments: list[_Segment] = field(default_factory=list)

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


@dataclass
class _Link:
    page: int
    uri: str
    rect: tuple[float, float, float, float]


def _open(data: bytes, source: str) -> Any:
    try:
        from pypdf import PdfReader
    except ImportError:  # pragma: no cover - pypdf is a dependency
        raise DocumentError(f"{source}: reading PDF needs the pypdf package") from None
    try:
        reader = PdfReader(BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
    except Exception as exc:  # pypdf raises many kinds on broken files
        raise DocumentError(f"{source}: corrupt PDF ({type(exc).__name__})") from None
    if encrypted:
        from pypdf.errors import DependencyError

        opened: object
        try:
            opened = reader.decrypt("")  # many PDFs are encrypted with an empty password
        except DependencyError:  # pragma: no cover - cryptography is a dependency
            raise DocumentError(
                f"{source}: an AES-encrypted PDF: reading it needs the cryptography package"
            ) from None
        except Exception:
            opened = 0
        if not opened:
            raise DocumentError(f"{source}: a password-protected PDF: remove the password first")
    return reader


def _segments(page: Any) -> list[_Segment]:
    found: list[_Segment] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if not text.strip():
            return
        d = tm[2] * cm[1] + tm[3] * cm[3]
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        found.append(_Segment(x, y, abs(size * d) or size, text.replace("\n", " ")))

    page.extract_text(visitor_text=visit)
    return found


def _lines(page_number: int, segments: list[_Segment]) -> list[_Line]:
    """Segments grouped into lines; small raised segments become superscripts of their line."""
    lines: list[_Line] = []
    for segment in sorted(segments, key=lambda s: (-s.y, s.x)):
        for line in lines:
            if abs(line.y - segment.y) <= max(1.5, 0.2 * segment.size):
                line.segments.append(segment)
                break
        else:
            lines.append(_Line(page_number, segment.y, [segment]))
    merged: list[_Line] = []
    for line in sorted(lines, key=lambda item: -item.y):
        small = max(s.size for s in line.segments)
        host = next(
            (
                other
                for other in lines
                if other is not line
                and other.size * 0.8 > small
                and 0 < line.y - other.y < 0.7 * other.size
            ),
            None,
        )
        if host is None:
            merged.append(line)
            continue
        for segment in line.segments:
            segment.sup = True
            host.segments.append(segment)
    return sorted(merged, key=lambda item: -item.y)


def _links(page_number: int, page: Any) -> list[_Link]:
    found: list[_Link] = []
    for ref in page.get("/Annots") or []:
        try:
            annot = ref.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            action = annot.get("/A")
            uri = action.get_object().get("/URI") if action is not None else None
            if uri:
                x0, y0, x1, y1 = (float(v) for v in annot["/Rect"])
                found.append(_Link(page_number, str(uri), (x0, min(y0, y1), x1, max(y0, y1))))
        except Exception:  # a broken annotation is skipped, not fatal
            continue
    return found


def _text_urls(lines: list[_Line], links: set[str]) -> list[tuple[int, str]]:
    """URLs typed in a note's lines (with the index of the line each starts on), joined back where
    a line break split one; when the break is at a hyphen, a link annotation decides whether
    the hyphen belongs to the URL."""
    texts = [line.body_after_label() if i == 0 else line.text() for i, line in enumerate(lines)]
    found: list[tuple[int, str]] = []
    carry = 0  # characters at the start of a line that finish a URL from the line above
    for index, text in enumerate(texts):
        used, carry = carry, 0
        for match in BARE_URL.finditer(text):
            if match.start() < used:
                continue
            raw = match.group(0)
            if not text[match.end() :].strip() and index + 1 < len(texts):
                following = texts[index + 1]
                stripped = following.lstrip()
                token = stripped.split(" ", 1)[0]
                if continues_url(raw, token):
                    joined = raw + token
                    if raw.endswith("-") and strip_trailing(raw[:-1] + token) in links:
                        joined = raw[:-1] + token
                    raw = joined
                    carry = len(following) - len(stripped) + len(token)
            found.append((index, strip_trailing(raw)))
    return found


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
            shape = re.sub(r"\d+", "#", " ".join(line.text().lower().split()))
            banded.append((shape, line))
            if shape not in seen:
                seen.add(shape)
                shapes[shape] += 1
    needed = max(FURNITURE_PAGES, math.ceil(len(pages) * 0.5))
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
        parsed = _parse(data, source)
    parsed.warnings.extend(said)
    return parsed


def _parse(data: bytes, source: str) -> Parsed:
    reader = _open(data, source)
    parsed = Parsed()
    pages: list[list[_Line]] = []
    heights: list[float] = []
    links: list[_Link] = []
    try:
        for number, page in enumerate(reader.pages, start=1):
            pages.append(_lines(number, _segments(page)))
            heights.append(float(page.mediabox.height))
            links.extend(_links(number, page))
    except DocumentError:
        raise
    except Exception as exc:
        raise DocumentError(f"{source}: corrupt PDF ({type(exc).__name__})") from None
    all_lines = [line for page in pages for line in page]
    if not all_lines:
        if not links:
            raise DocumentError(
                f"{source}: the PDF has no text layer (a scanned document?): run OCR on it "
                "first (for example with ocrmypdf)"
            )
        parsed.warnings.append(
            f"{source}: the PDF has no text layer (a scanned document?); only its "
            f"{len(links)} link annotations were read, with no footnotes"
        )
        parsed.other_urls.extend((link.uri, link.page) for link in links)
        return parsed
    body_size = _body_size(all_lines)
    pitch = _line_pitch(pages, body_size)
    for line in all_lines[:12]:
        if parsed.cited_on is None and len(line.text()) <= 80:
            parsed.cited_on = find_date(line.text().strip())
    notes: list[tuple[Note, list[_Line]]] = []
    in_notes_section = False
    paragraphs: list[list[_Line]] = []
    furniture = _furniture(pages, heights)
    for page, height in zip(pages, heights, strict=True):
        current: tuple[Note, list[_Line]] | None = None
        footer = False  # past the first footnote at the foot of this page
        for line in page:
            if id(line) in furniture:
                current = None
                continue
            text = line.text().strip()
            small = line.size < body_size * SMALL
            if NOTES_HEADING.match(text) and len(text) < 40:
                in_notes_section, current = True, None
                continue
            label = line.label()
            # Footnotes are set smaller than the body, or at least start with a superscript
            # number low on the page (pandoc's Word styles keep them at body size).
            starts_note = label is not None and (
                small
                or in_notes_section
                or footer
                or (line.starts_with_superscript() and line.y < height / 2)
            )
            if starts_note and line.body_after_label().strip():
                footer = footer or not in_notes_section
                current = (Note(label or "", line.page), [line])
                notes.append(current)
                continue
            if (
                current is not None
                and (small or in_notes_section or footer)
                and not text.isdigit()
                and current[1][-1].y - line.y <= NOTE_GAP * max(line.size, 1.0)
            ):
                current[1].append(line)
                continue
            if text.isdigit():
                continue  # a page number
            current = None
            last = paragraphs[-1][-1] if paragraphs else None
            if (
                last is not None
                and last.page == line.page
                and abs(last.size - line.size) < 0.5
                and last.y - line.y <= max(1.35 * line.size, 1.1 * pitch)
            ):
                paragraphs[-1].append(line)
            else:
                paragraphs.append([line])
    annotated = {link.uri for link in links}
    for paragraph in paragraphs:
        text = mark_typed_references("\n".join(line.text(markers=True) for line in paragraph))
        # A word hyphenated at a line end is joined, a note reference after the hyphen kept
        joined = _HYPHENATED.sub(r"\1", text)
        parsed.add_contexts(sentences_citing(joined.replace("\n", " ")))
        # URLs typed in the body (not notes): for --all-links, as the other readers do.
        for index, typed in _text_urls(paragraph, annotated):
            other = parsed.accept(typed, paragraph[index].page)
            if other:
                parsed.other_urls.append((other, paragraph[index].page))
    claimed: set[int] = set()
    uris = {link.uri for link in links}
    for note, lines in notes:
        candidates: list[tuple[int, float, float, str]] = []
        covered: set[int] = set()
        for i, link in enumerate(links):
            if link.page != note.line or i in claimed:
                continue
            middle = (link.rect[1] + link.rect[3]) / 2
            for line_index, line in enumerate(lines):
                if line.y - 3 <= middle <= line.y + line.size + 1:
                    claimed.add(i)
                    covered.add(line_index)
                    candidates.append((line.page, -line.y, link.rect[0], link.uri))
                    break
        for line_index, typed in _text_urls(lines, uris):
            if line_index not in covered:
                line = lines[line_index]
                candidates.append((line.page, -line.y, 0.0, typed))
        for _, _, _, raw in sorted(candidates):
            accepted = parsed.accept(raw, note.line, is_target=True)
            if accepted:
                note.add(accepted)
        parsed.notes.append(note)
    for i, link in enumerate(links):
        if i not in claimed:
            other = parsed.accept(link.uri, link.page, is_target=True)
            if other:
                parsed.other_urls.append((other, link.page))
    return parsed
