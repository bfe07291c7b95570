"""The reader for Word documents (.docx), on the standard library's zip and XML parsers.

Footnotes live in ``word/footnotes.xml`` and endnotes in ``word/endnotes.xml``; the body refers to
them by internal id. Word shows notes numbered in order of reference (footnotes 1, 2, 3; endnotes
i, ii, iii unless the document says otherwise), so labels are computed the same way; a custom mark
(``customMarkFollows``) is kept as written. Hyperlinks are resolved through each part's
relationships, ``HYPERLINK`` fields are read too, and URLs typed as plain text are found in the
note's text, even when Word split them over several runs.
"""

from __future__ import annotations

import contextlib
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO
from xml.etree import ElementTree as ET

from kzarchive.errors import DocumentError
from kzarchive.extract.context import marker, sentences_citing
from kzarchive.extract.dates import DATELINE_LINES as DATELINE_PARAGRAPHS
from kzarchive.extract.dates import find_date
from kzarchive.extract.notes import ANNOTATION_TITLE, Note, Parsed, metadata_title
from kzarchive.extract.urls import BARE_URL

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_HYPERLINK_FIELD = re.compile(r'HYPERLINK\s+"([^"]+)"(?:\s+\\l\s+"([^"]+)")?', re.IGNORECASE)
_DEFAULT_FORMAT = {"footnote": "decimal", "endnote": "lowerRoman"}
_CHICAGO = ["*", "†", "‡", "§"]


def _roman(number: int) -> str:
    values = [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ]
    out = []
    for value, letters in values:
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)


def format_number(number: int, fmt: str) -> str:
    """A note number as Word displays it in the given ``w:numFmt``."""
    if fmt == "lowerRoman":
        return _roman(number)
    if fmt == "upperRoman":
        return _roman(number).upper()
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (number - 1) % 26) * ((number - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt == "chicago":
        return _CHICAGO[(number - 1) % 4] * ((number - 1) // 4 + 1)
    return str(number)


@dataclass
class _Part:
    """One XML part with the targets of its external hyperlink relationships."""

    root: ET.Element
    links: dict[str, str] = field(default_factory=dict)


def _open(data: bytes, source: str) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except zipfile.BadZipFile:
        raise DocumentError(f"{source}: corrupt .docx (not a readable zip file)") from None
    if "word/document.xml" not in archive.namelist():
        raise DocumentError(f"{source}: a zip file, but not a Word document (no word/document.xml)")
    return archive


def _part(archive: zipfile.ZipFile, name: str, source: str) -> _Part | None:
    if name not in archive.namelist():
        return None
    try:
        root = ET.fromstring(archive.read(name))
    except (ET.ParseError, zipfile.BadZipFile, OSError) as exc:
        raise DocumentError(f"{source}: corrupt .docx ({name}: {exc})") from None
    part = _Part(root)
    folder, _, base = name.rpartition("/")
    rels_name = f"{folder}/_rels/{base}.rels"
    if rels_name in archive.namelist():
        try:
            rels = ET.fromstring(archive.read(rels_name))
        except ET.ParseError:
            return part
        for rel in rels.iter(f"{PKG_REL}Relationship"):
            if rel.get("Type", "").endswith("/hyperlink") and rel.get("Target"):
                part.links[rel.get("Id", "")] = rel.get("Target", "")
    return part


def _formats(archive: zipfile.ZipFile, document: ET.Element) -> dict[str, tuple[str, int]]:
    """Numbering format and start of footnotes and endnotes, from settings and section."""
    found = {kind: (_DEFAULT_FORMAT[kind], 1) for kind in _DEFAULT_FORMAT}
    roots = [document]
    if "word/settings.xml" in archive.namelist():
        with contextlib.suppress(ET.ParseError):
            roots.insert(0, ET.fromstring(archive.read("word/settings.xml")))
    for root in roots:
        for kind in found:
            for props in root.iter(f"{W}{kind}Pr"):
                fmt_el, start_el = props.find(f"{W}numFmt"), props.find(f"{W}numStart")
                fmt = fmt_el.get(f"{W}val") if fmt_el is not None else None
                start = start_el.get(f"{W}val") if start_el is not None else None
                found[kind] = (
                    fmt or found[kind][0],
                    int(start) if start and start.isdigit() else found[kind][1],
                )
    return found


class _Links:
    """URLs of a stretch of WordprocessingML: hyperlinks, HYPERLINK fields, and typed URLs."""

    def __init__(self, part: _Part, parsed: Parsed, line: int) -> None:
        self.part = part
        self.parsed = parsed
        self.line = line
        self.urls: list[str] = []
        self.text: list[str] = []
        self._field: list[str] | None = None
        self._in_result = False

    def target(self, raw: str) -> None:
        url = self.parsed.accept(raw, self.line, is_target=True)
        if url:
            self.urls.append(url)

    def walk(self, element: ET.Element) -> None:
        tag = element.tag
        if tag == f"{W}hyperlink":
            if element.get(f"{W}tooltip") == ANNOTATION_TITLE:
                return  # an archive link kzarchive added: not a citation
            rel = element.get(f"{R}id")
            if rel and rel in self.part.links:
                anchor = element.get(f"{W}anchor")
                self.target(self.part.links[rel] + (f"#{anchor}" if anchor else ""))
                return
        elif tag == f"{W}fldSimple":
            match = _HYPERLINK_FIELD.search(element.get(f"{W}instr", ""))
            if match:
                self.target(match.group(1) + (f"#{match.group(2)}" if match.group(2) else ""))
                return
        elif tag == f"{W}fldChar":
            kind = element.get(f"{W}fldCharType")
            if kind == "begin":
                self._field = []
            elif kind == "separate" and self._field is not None:
                match = _HYPERLINK_FIELD.search("".join(self._field))
                if match:
                    self.target(match.group(1))
                    self._in_result = True
            elif kind == "end":
                self._field, self._in_result = None, False
        elif tag == f"{W}instrText" and self._field is not None:
            self._field.append(element.text or "")
        elif tag == f"{W}t" and not self._in_result:
            self.text.append(element.text or "")
        elif tag in (f"{W}tab", f"{W}br", f"{W}cr"):
            self.text.append(" ")
        elif tag == f"{W}p" and self.text:
            self.text.append("\n")
        for child in element:
            self.walk(child)

    def all_urls(self) -> list[str]:
        found = list(self.urls)
        for raw in BARE_URL.findall("".join(self.text)):
            url = self.parsed.accept(raw, self.line)
            if url and url not in found:
                found.append(url)
        return found


def _references(paragraph: ET.Element) -> Iterator[tuple[str, ET.Element, str | None]]:
    """The note references of a body paragraph in order: (kind, element, custom mark)."""
    for run in paragraph.iter(f"{W}r"):
        children = list(run)
        for i, child in enumerate(children):
            kind = {f"{W}footnoteReference": "footnote", f"{W}endnoteReference": "endnote"}.get(
                child.tag
            )
            if kind is None:
                continue
            mark = None
            if child.get(f"{W}customMarkFollows") in ("1", "true", "on"):
                following = [c.text or "" for c in children[i + 1 :] if c.tag == f"{W}t"]
                mark = "".join(following).strip() or None
            yield kind, child, mark


def _paragraph_text(paragraph: ET.Element, labels: dict[int, str]) -> str:
    """The paragraph's text with a marker where each note is referenced (for its context)."""
    parts: list[str] = []
    for run in paragraph.iter(f"{W}r"):
        custom = False
        for child in run:
            if child.tag in (f"{W}footnoteReference", f"{W}endnoteReference"):
                label = labels.get(id(child))
                if label:
                    parts.append(marker(label))
                custom = child.get(f"{W}customMarkFollows") in ("1", "true", "on")
            elif child.tag == f"{W}t" and not custom:
                parts.append(child.text or "")
            elif child.tag in (f"{W}tab", f"{W}br"):
                parts.append(" ")
    return "".join(parts)


def note_urls(note: ET.Element, links: dict[str, str]) -> list[str]:
    """The URLs one note cites, as :func:`parse` finds them (``links``: its part's hyperlink
    relationships, id to target)."""
    found = _Links(_Part(note, links), Parsed(), 0)
    found.walk(note)
    return found.all_urls()


def _note_text(note: ET.Element) -> str:
    """A note's text as Word shows it, its paragraphs joined by spaces."""
    return " ".join("".join(t.text or "" for t in p.iter(f"{W}t")) for p in note.iter(f"{W}p"))


def parse(data: bytes, source: str = "document") -> Parsed:
    """Find every footnote and endnote of a .docx and the URLs each cites."""
    archive = _open(data, source)
    document = _part(archive, "word/document.xml", source)
    assert document is not None
    notes_parts = {
        "footnote": _part(archive, "word/footnotes.xml", source),
        "endnote": _part(archive, "word/endnotes.xml", source),
    }
    bodies: dict[tuple[str, str], ET.Element] = {}
    for kind, part in notes_parts.items():
        if part is not None:
            for element in part.root.iter(f"{W}{kind}"):
                if element.get(f"{W}type") in (None, "normal"):
                    bodies[(kind, element.get(f"{W}id", ""))] = element
    formats = _formats(archive, document.root)
    counters = {kind: start for kind, (_, start) in formats.items()}
    parsed = Parsed(title=metadata_title(archive, "docProps/core.xml"))
    body = document.root.find(f"{W}body")
    paragraphs = list(body.iter(f"{W}p")) if body is not None else []
    seen: set[tuple[str, str]] = set()
    for line, paragraph in enumerate(paragraphs, start=1):
        labels: dict[int, str] = {}
        for kind, reference, mark in _references(paragraph):
            key = (kind, reference.get(f"{W}id", ""))
            if mark is not None:
                label = mark
            else:
                label = format_number(counters[kind], formats[kind][0])
                counters[kind] += 1
            labels[id(reference)] = label
            if key in seen or key not in bodies:
                continue
            seen.add(key)
            part = notes_parts[kind]
            assert part is not None
            links = _Links(part, parsed, line)
            links.walk(bodies[key])
            note = Note(label, line, text=_note_text(bodies[key]))
            for url in links.all_urls():
                note.add(url)
            parsed.notes.append(note)
        if labels:
            parsed.add_contexts(sentences_citing(_paragraph_text(paragraph, labels)))
        body_links = _Links(document, parsed, line)
        for child in paragraph:
            if child.tag in (f"{W}r", f"{W}hyperlink", f"{W}fldSimple"):
                body_links.walk(child)
        parsed.other_urls.extend((url, line) for url in body_links.all_urls())
        if parsed.cited_on is None and line <= DATELINE_PARAGRAPHS:
            text = "".join(t.text or "" for t in paragraph.iter(f"{W}t"))
            if len(text) <= 80:
                parsed.cited_on = find_date(text)
    return parsed
