"""The reader for OpenDocument text (.odt: LibreOffice's format, the default of many NGOs).

On the standard library's zip and XML parsers, like the DOCX reader. An ODT note sits where it is
referenced: ``<text:note text:note-class="footnote|endnote">`` holds its ``<text:note-citation>``
(the label a reader sees: ``1``, ``i``, or a custom mark in ``text:label``) and its
``<text:note-body>``. URLs are the targets of ``<text:a xlink:href>`` and those typed as text
(even when split over several spans). ``line`` is the body paragraph that holds the reference.
"""

from __future__ import annotations

import zipfile
from io import BytesIO
from xml.etree import ElementTree as ET

from kzarchive.errors import DocumentError
from kzarchive.extract.context import marker, sentences_citing
from kzarchive.extract.dates import DATELINE_LINES, find_date
from kzarchive.extract.notes import ANNOTATION_TITLE, Note, Parsed, metadata_title
from kzarchive.extract.urls import BARE_URL

TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
XLINK = "{http://www.w3.org/1999/xlink}"
MIMETYPE = b"application/vnd.oasis.opendocument.text"
PARAGRAPHS = (f"{TEXT}p", f"{TEXT}h")


def _text(element: ET.Element, notes: list[ET.Element] | None = None, links: bool = True) -> str:
    """The text of ``element`` as shown: ``text:s`` spaces and tabs kept, each note replaced by
    a marker (and collected into ``notes``), notes' own text left out; without ``links``, the
    text of links left out too (a link's target wins over the URL it shows)."""
    parts = [element.text or ""]
    for child in element:
        if child.tag == f"{TEXT}a" and not links:
            parts.append(" " + (child.tail or ""))
            continue
        if child.tag == f"{TEXT}note":
            if notes is not None:
                notes.append(child)
                parts.append(marker(_label(child)))
        elif child.tag == f"{TEXT}s":
            parts.append(" " * int(child.get(f"{TEXT}c", "1") or 1))
        elif child.tag in (f"{TEXT}tab", f"{TEXT}line-break"):
            parts.append(" ")
        else:
            parts.append(_text(child, notes, links))
        parts.append(child.tail or "")
    return "".join(parts)


def _label(note: ET.Element) -> str:
    citation = note.find(f"{TEXT}note-citation")
    if citation is None:
        return note.get(f"{TEXT}id", "?")
    return (citation.get(f"{TEXT}label") or "".join(citation.itertext())).strip() or "?"


def _links(element: ET.Element) -> list[str]:
    return [
        a.get(f"{XLINK}href", "")
        for a in element.iter(f"{TEXT}a")
        if a.get(f"{OFFICE}title") != ANNOTATION_TITLE  # not the archive links annotate adds
    ]


def _own_links(element: ET.Element) -> list[str]:
    """Link targets in ``element`` outside its notes."""
    found = []
    for child in element:
        if child.tag == f"{TEXT}note":
            continue
        if child.tag == f"{TEXT}a":
            found.append(child.get(f"{XLINK}href", ""))
        found.extend(_own_links(child))
    return found


def _note_urls(body: ET.Element, parsed: Parsed, line: int) -> list[str]:
    found = []
    for raw in _links(body):
        url = parsed.accept(raw, line, is_target=True)
        if url and url not in found:
            found.append(url)
    for paragraph in body.iter():
        if paragraph.tag not in PARAGRAPHS:
            continue
        for raw in BARE_URL.findall(_text(paragraph, links=False)):
            url = parsed.accept(raw, line)
            if url and url not in found:
                found.append(url)
    return found


def note_urls(note: ET.Element) -> list[str]:
    """The URLs one ``text:note`` cites, as :func:`parse` finds them."""
    body = note.find(f"{TEXT}note-body")
    return _note_urls(body if body is not None else note, Parsed(), 0)


def _body_paragraphs(element: ET.Element) -> list[ET.Element]:
    """Body paragraphs in document order, not descending into notes (their paragraphs are the
    notes' own)."""
    found: list[ET.Element] = []
    for child in element:
        if child.tag == f"{TEXT}note":
            continue
        if child.tag in PARAGRAPHS:
            found.append(child)
        found.extend(_body_paragraphs(child))
    return found


def parse(data: bytes, source: str = "document") -> Parsed:
    """Find every footnote and endnote of an ODT document and the URLs each cites."""
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        content = archive.read("content.xml")
        root = ET.fromstring(content)
    except (zipfile.BadZipFile, KeyError, ET.ParseError, OSError, ValueError) as exc:
        raise DocumentError(f"{source}: corrupt OpenDocument file ({type(exc).__name__})") from None
    body = root.find(f"{OFFICE}body/{OFFICE}text")
    if body is None:
        raise DocumentError(f"{source}: an OpenDocument file with no text body")
    parsed = Parsed(title=metadata_title(archive, "meta.xml"))
    for line, paragraph in enumerate(_body_paragraphs(body), start=1):
        notes: list[ET.Element] = []
        text = _text(paragraph, notes)
        if parsed.cited_on is None and line <= DATELINE_LINES and len(text) <= 80:
            parsed.cited_on = find_date(text.strip())
        for element in notes:
            note = Note(_label(element), line)
            note_body = element.find(f"{TEXT}note-body")
            if note_body is not None:
                note.text = " ".join("".join(p.itertext()) for p in note_body)
            for url in _note_urls(note_body if note_body is not None else element, parsed, line):
                note.add(url)
            parsed.notes.append(note)
        if notes:
            parsed.add_contexts(sentences_citing(text))
        for raw in _own_links(paragraph):
            target = parsed.accept(raw, line, is_target=True)
            if target:
                parsed.other_urls.append((target, line))
        for raw in BARE_URL.findall(_text(paragraph, links=False)):
            typed = parsed.accept(raw, line)
            if typed:
                parsed.other_urls.append((typed, line))
    return parsed
