"""Annotating Word (DOCX) and OpenDocument (ODT) files: an archive link in each note citing a URL.

A note's URLs are found as the readers find them (hyperlinks, fields, typed text). Each gets a
real hyperlink, "archived YYYY-MM-DD", to its copy (as cited first): right after the URL's own
hyperlink when it has one, else at the end of the note. In DOCX the link is a ``w:hyperlink``
with its own external relationship; in ODT a ``text:a``. Both are marked (``w:tooltip``,
``office:title``) so that the readers skip them and annotating twice changes nothing.

The XML of a changed part is edited as text, never re-serialised (a parser would rename the
namespace prefixes that ``mc:Ignorable`` names, and Word would refuse the file). Only the parts
that change are rewritten; every other member of the zip keeps its bytes, order, compression
and date.
"""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from xml.etree import ElementTree as ET

from kzarchive.errors import DocumentError
from kzarchive.extract.notes import ANNOTATION_TITLE
from kzarchive.models import Snapshot

MARK = ANNOTATION_TITLE
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
HYPERLINK_TYPE = R_NS + "/hyperlink"
EMPTY_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<Relationships xmlns="{PKG_NS}"></Relationships>'
)


@dataclass(frozen=True)
class Office:
    """The annotated package, and what was done."""

    data: bytes
    added: int
    already: int
    missing: tuple[str, ...]


Copies = Callable[[str], Snapshot | None]


@dataclass
class _Tally:
    added: int = 0
    already: int = 0
    missing: list[str] | None = None

    def miss(self, url: str) -> None:
        self.missing = self.missing or []
        if url not in self.missing:
            self.missing.append(url)


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _rewrite(data: bytes, changed: dict[str, bytes]) -> bytes:
    """The zip with ``changed`` members replaced (or added at the end), every other member as it
    was: same bytes, order, compression method and date."""
    source = zipfile.ZipFile(BytesIO(data))
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        names = set()
        for info in source.infolist():
            names.add(info.filename)
            content = changed.get(info.filename)
            target.writestr(info, source.read(info) if content is None else content)
        for name, content in changed.items():
            if name not in names:
                target.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), content)
    return out.getvalue()


def _element_spans(xml: str, prefix: str, local: str) -> list[tuple[int, int]]:
    """Where each ``<prefix:local ...>...</prefix:local>`` element is in ``xml`` (not nested)."""
    opening = re.compile(rf"<{re.escape(prefix)}:{local}(?=[\s/>])")
    closing = f"</{prefix}:{local}>"
    spans = []
    for match in opening.finditer(xml):
        head_end = xml.index(">", match.start())
        if xml[head_end - 1] == "/":
            spans.append((match.start(), head_end + 1))
            continue
        end = xml.index(closing, head_end) + len(closing)
        spans.append((match.start(), end))
    return spans


def _prefix(xml: str, namespace: str) -> str:
    """The prefix the root element binds ``namespace`` to (a binding deeper in does not reach
    the places an annotation goes)."""
    root = re.search(r"<[^?!][^>]*>", xml)
    head = root.group(0) if root else ""
    match = re.search(rf'xmlns:([\w.-]+)="{re.escape(namespace)}"', head)
    if match is None:
        raise DocumentError(f"no prefix for {namespace} in the document's XML")
    return match.group(1)


# DOCX -------------------------------------------------------------------------------------------


def _docx_link(w: str, r: str | None, rel: str, snapshot: Snapshot) -> str:
    # The part's own prefix for relationships when it declares one (Word's parts all do), else
    # one declared on the hyperlink itself.
    rel_id = f'{r}:id="{rel}"' if r else f'xmlns:kzr="{R_NS}" kzr:id="{rel}"'
    return (
        f'<{w}:r><{w}:t xml:space="preserve"> </{w}:t></{w}:r>'
        f'<{w}:hyperlink {rel_id} {w}:tooltip="{_e(MARK)}" '
        f'{w}:history="1"><{w}:r><{w}:rPr><{w}:color {w}:val="0563C1"/><{w}:u {w}:val="single"/>'
        f"</{w}:rPr><{w}:t>archived {snapshot.date}</{w}:t></{w}:r></{w}:hyperlink>"
    )


def _docx_part(xml: str, rels: str, kind: str, copies: Copies, tally: _Tally) -> tuple[str, str]:
    """A notes part (``footnote`` or ``endnote``) and its relationships, annotated."""
    from kzarchive.extract.docx import note_urls

    w = _prefix(xml, W_NS)
    try:
        r: str | None = _prefix(xml, R_NS)
    except DocumentError:
        r = None
    rels_root = ET.fromstring(rels)
    relationships = list(rels_root.iter(f"{{{PKG_NS}}}Relationship"))
    targets = {
        rel.get("Id", ""): rel.get("Target", "")
        for rel in relationships
        if rel.get("Type") == HYPERLINK_TYPE
    }
    used = {rel.get("Id", "") for rel in relationships}
    elements = list(ET.fromstring(xml).iter(f"{{{W_NS}}}{kind}"))
    spans = _element_spans(xml, w, kind)
    if len(elements) != len(spans):
        raise DocumentError(f"the {kind}s could not be told apart in the document's XML")
    new_rels: list[str] = []
    insertions: list[tuple[int, str]] = []
    for element, (start, end) in zip(elements, spans, strict=True):
        if element.get(f"{{{W_NS}}}type") not in (None, "normal"):
            continue  # separators and continuation notices
        note = xml[start:end]
        urls = note_urls(element, targets)
        if MARK in note:
            tally.already += len(urls)
            continue
        paragraph_end = note.rfind(f"</{w}:p>")
        for url in urls:
            snapshot = copies(url)
            place = _after_hyperlink(note, w, url, targets)
            if place is None and paragraph_end >= 0:
                place = paragraph_end
            if snapshot is None or place is None:
                tally.miss(url)
                continue
            n = 1
            while f"kzarchive{n}" in used:
                n += 1
            rel = f"kzarchive{n}"
            used.add(rel)
            new_rels.append(
                f'<Relationship Id="{rel}" Type="{HYPERLINK_TYPE}" '
                f'Target="{_e(snapshot.url)}" TargetMode="External"/>'
            )
            insertions.append((start + place, _docx_link(w, r, rel, snapshot)))
            tally.added += 1
    out = xml
    for at, snippet in sorted(insertions, key=lambda pair: pair[0], reverse=True):
        out = out[:at] + snippet + out[at:]
    if new_rels:
        close = rels.rindex("</Relationships>")
        rels = rels[:close] + "".join(new_rels) + rels[close:]
    return out, rels


def _after_hyperlink(note: str, w: str, url: str, targets: dict[str, str]) -> int | None:
    """Where the note's own hyperlink to ``url`` ends, if it has one."""
    for match in re.finditer(rf"<{w}:hyperlink\b[^>]*>", note):
        rel = re.search(r'\b[\w.-]+:id="([^"]+)"', match.group(0))
        if rel and targets.get(rel.group(1), "").rstrip("/") == url.rstrip("/"):
            close = f"</{w}:hyperlink>"
            return note.index(close, match.end()) + len(close)
    return None


def annotate_docx(data: bytes, copies: Copies) -> Office:
    source = zipfile.ZipFile(BytesIO(data))
    names = set(source.namelist())
    tally = _Tally()
    changed: dict[str, bytes] = {}
    for kind, part in (("footnote", "word/footnotes.xml"), ("endnote", "word/endnotes.xml")):
        if part not in names:
            continue
        rels_name = part.replace("word/", "word/_rels/") + ".rels"
        xml = source.read(part).decode("utf-8")
        rels = source.read(rels_name).decode("utf-8") if rels_name in names else EMPTY_RELS
        new_xml, new_rels = _docx_part(xml, rels, kind, copies, tally)
        if new_xml != xml:
            changed[part] = new_xml.encode("utf-8")
            changed[rels_name] = new_rels.encode("utf-8")
    data = _rewrite(data, changed) if changed else data
    return Office(data, tally.added, tally.already, tuple(tally.missing or ()))


# ODT --------------------------------------------------------------------------------------------

TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
XLINK_NS = "http://www.w3.org/1999/xlink"
OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def _odt_link(text: str, xlink: str, office: str, snapshot: Snapshot) -> str:
    return (
        f' <{text}:a {xlink}:type="simple" {xlink}:href="{_e(snapshot.url)}" '
        f'{office}:title="{_e(MARK)}">archived {snapshot.date}</{text}:a>'
    )


def annotate_odt(data: bytes, copies: Copies) -> Office:
    from kzarchive.extract.odt import note_urls

    source = zipfile.ZipFile(BytesIO(data))
    xml = source.read("content.xml").decode("utf-8")
    text, xlink, office = (_prefix(xml, ns) for ns in (TEXT_NS, XLINK_NS, OFFICE_NS))
    elements = list(ET.fromstring(xml).iter(f"{{{TEXT_NS}}}note"))
    spans = _element_spans(xml, text, "note")
    if len(elements) != len(spans):
        raise DocumentError("the notes could not be told apart in the document's XML")
    tally = _Tally()
    insertions: list[tuple[int, str]] = []
    for element, (start, end) in zip(elements, spans, strict=True):
        note = xml[start:end]
        urls = note_urls(element)
        if MARK in note:
            tally.already += len(urls)
            continue
        paragraph_end = note.rfind(f"</{text}:p>")
        for url in urls:
            snapshot = copies(url)
            place = None
            for match in re.finditer(rf"<{text}:a\b[^>]*>", note):
                href = re.search(rf'\b{xlink}:href="([^"]*)"', match.group(0))
                if href and html.unescape(href.group(1)).rstrip("/") == url.rstrip("/"):
                    close = f"</{text}:a>"
                    place = note.index(close, match.end()) + len(close)
                    break
            if place is None and paragraph_end >= 0:
                place = paragraph_end
            if snapshot is None or place is None:
                tally.miss(url)
                continue
            insertions.append((start + place, _odt_link(text, xlink, office, snapshot)))
            tally.added += 1
    if not insertions:
        return Office(data, 0, tally.already, tuple(tally.missing or ()))
    out = xml
    for at, snippet in sorted(insertions, key=lambda pair: pair[0], reverse=True):
        out = out[:at] + snippet + out[at:]
    data = _rewrite(data, {"content.xml": out.encode("utf-8")})
    return Office(data, tally.added, tally.already, tuple(tally.missing or ()))


ANNOTATORS: dict[str, Callable[[bytes, Copies], Office]] = {
    "docx": annotate_docx,
    "odt": annotate_odt,
}
