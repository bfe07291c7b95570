"""The reader for HTML reports, on the standard library's HTML parser.

Footnotes in HTML come in a few families: a reference ``<sup><a href="#fn5">5</a></sup>`` pointing
at an endnote element (``<li id="fn5">`` in ``<section class="footnotes">``, pandoc and most
Markdown renderers; ``_ftn5``/``_edn5`` anchors, Word's "Save as HTML"), or a block that starts with
``<sup>5</sup>`` followed by its links (reports pasted from word processors). The parser builds a
small element tree; this module finds notes in it by those shapes.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.entities import html5
from html.parser import HTMLParser

from kzarchive.extract.context import mark_typed_references, marker, sentences_citing
from kzarchive.extract.notes import NOTES_HEADING, Note, Parsed
from kzarchive.extract.urls import BARE_URL

_VOID = frozenset(
    ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr")
)
_BLOCKS = frozenset(
    "p div li td th dd dt blockquote section article aside footer header h1 h2 h3 h4 h5 h6 "
    "ol ul dl table tr body html main nav figure figcaption pre".split()
)
_SKIP = frozenset(("script", "style", "template", "head", "title"))
# ids and names an endnote carries: fn5, fn:5, fn-5, footnote-5, note5, _ftn5, _edn5, endnote-5 ...
_NOTE_ID = re.compile(
    r"^(?:_?ftn|_?edn|fn|footnote|endnote|note|en)(?:[-_:](\w[\w.-]*)|(\d[\w.-]*))$", re.IGNORECASE
)
_REF_ID = re.compile(r"ref", re.IGNORECASE)
_BACKLINK = re.compile(r"^#.*ref", re.IGNORECASE)


# An attribute as html.parser finds it in a start tag (the value still raw)
_ATTRIBUTE = re.compile(
    r"""(?<=['"\s/])([^\s/>][^\s/=>]*)(?:\s*=+\s*('[^']*'|"[^"]*"|(?!['"])[^>\s]*))?"""
)
_TAG_NAME = re.compile(r"<[^\s/>]+")
_REFERENCE = re.compile(r"&(#[xX][0-9a-fA-F]+;?|#[0-9]+;?|[A-Za-z][A-Za-z0-9]*;?)")


def _reference(match: re.Match[str]) -> str:
    name, after = match.group(1), match.string[match.end() : match.end() + 1]
    legacy = not name.endswith(";")  # a name from HTML 4's days, written without its ";"
    if name.startswith("#") or (name in html5 and not (legacy and after == "=")):
        return html.unescape(match.group(0))
    return match.group(0)


def unescape_attribute(value: str) -> str:
    """An attribute value's character references decoded as browsers decode them: numeric ones
    and named ones with their ``;`` always; a legacy name without ``;`` (``&copy``) only when
    neither ``=`` nor a letter or digit follows it, so that ``?a=1&para=2`` stays a query
    (HTML's rule for attributes; ``html.unescape``, which html.parser applies, decodes it)."""
    return _REFERENCE.sub(_reference, value) if "&" in value else value


def raw_attributes(tag_text: str | None, parsed: list[tuple[str, str | None]]) -> dict[str, str]:
    """A start tag's attributes with their values decoded by :func:`unescape_attribute` from
    the tag's own text (``tag_text``); the parser's own values where that text does not read
    back to the same attributes."""
    values = {k: v or "" for k, v in parsed}
    name = _TAG_NAME.match(tag_text or "")
    if not tag_text or name is None or "&" not in tag_text:
        return values
    found = [(m.group(1).lower(), m.group(2)) for m in _ATTRIBUTE.finditer(tag_text, name.end())]
    if [key for key, _ in found] != [key for key, _ in parsed]:
        return values
    for key, raw in found:
        if raw and "&" in raw:
            quoted = len(raw) > 1 and raw[0] in "'\"" and raw[-1] == raw[0]
            values[key] = unescape_attribute(raw[1:-1] if quoted else raw)
    return values


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    line: int
    parent: Element | None = None
    end_line: int = 0
    children: list[Element | str] = field(default_factory=list)

    def iter(self) -> list[Element]:
        found: list[Element] = []
        stack: list[Element] = [self]
        while stack:
            node = stack.pop()
            found.append(node)
            stack.extend(reversed([c for c in node.children if isinstance(c, Element)]))
        return found

    def text(self) -> str:
        parts: list[str] = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else child.text())
        return "".join(parts)

    def ancestors(self) -> list[Element]:
        found = []
        node = self.parent
        while node is not None:
            found.append(node)
            node = node.parent
        return found

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").lower().split())


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {}, 1)
        self.current = self.root
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skipping += 1
            return
        if self.skipping:
            return
        element = Element(tag, self._attributes(attrs), self.getpos()[0], self.current)
        if tag == "p" and self.current.tag == "p":  # an unclosed <p> ends at the next one
            self.current = self.current.parent or self.root
            element.parent = self.current
        self.current.children.append(element)
        if tag not in _VOID:
            self.current = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping or tag in _SKIP:
            return
        element = Element(tag, self._attributes(attrs), self.getpos()[0], self.current)
        self.current.children.append(element)

    def _attributes(self, attrs: list[tuple[str, str | None]]) -> dict[str, str]:
        return raw_attributes(self.get_starttag_text(), attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
            return
        if self.skipping or tag in _VOID:
            return
        node: Element | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            node.end_line = self.getpos()[0]
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.current.children.append(data)


def _block_of(element: Element) -> Element:
    for node in [element, *element.ancestors()]:
        if node.tag in _BLOCKS:
            return node
    return element


def _note_key(value: str) -> str | None:
    match = _NOTE_ID.match(value.strip())
    return (match.group(1) or match.group(2)) if match else None


def _visible_label(text: str) -> str | None:
    label = text.strip().strip("[]()^").strip()
    if label and len(label) <= 12 and not any(c.isspace() for c in label):
        return label
    return None


class _Reader:
    def __init__(self, root: Element) -> None:
        self.root = root
        self.parsed = Parsed()
        self.note_elements: set[int] = set()

    def collect_urls(
        self, element: Element, skip_backrefs: bool = True, nested_blocks: bool = True
    ) -> list[tuple[str, int]]:
        """The URLs in ``element``; without ``nested_blocks``, only its own inline content (the
        blocks inside it are leaf blocks of their own, read on their turn)."""
        found: list[tuple[str, int]] = []

        def walk(node: Element) -> None:
            if not nested_blocks and node is not element and node.tag in _BLOCKS:
                return
            if node.tag == "a" and "kzarchive-snapshot" in node.classes:
                return  # kzarchive's own archive link, added by ``annotate``
            if node.tag == "a" and "href" in node.attrs:
                href = node.attrs["href"]
                if not (skip_backrefs and href.startswith("#")):
                    url = self.parsed.accept(href, node.line, is_target=True)
                    if url:
                        found.append((url, node.line))
                return  # the target wins over the link text
            for child in node.children:
                if isinstance(child, Element):
                    walk(child)
                else:
                    for raw in BARE_URL.findall(child):
                        url = self.parsed.accept(raw, node.line)
                        if url:
                            found.append((url, node.line))

        walk(element)
        return found

    def endnotes(self) -> list[tuple[str, Element]]:
        """Endnote elements by their id key, with the labels their references show."""
        all_elements = self.root.iter()
        # One pass over the links within the page. A link to "#<note id>" is a reference: its
        # visible text is the label the reader sees (a table of contents names sections, not
        # notes). EPUB marks references and notes by what they are, whatever their ids: a
        # noteref link names its note, and footnote/endnote/rearnote elements are notes.
        visible: dict[str, str] = {}
        linked: set[str] = set()
        noterefs: dict[str, str] = {}
        shown: dict[str, str] = {}  # any link's label, for a note that only a plain link names
        for el in all_elements:
            href = el.attrs.get("href", "") if el.tag == "a" else ""
            if not href.startswith("#"):
                continue
            target = href[1:]
            linked.add(target)
            label = _visible_label(el.text())
            if label is None:
                continue
            shown.setdefault(target, label)
            if _is_noteref(el):
                noterefs.setdefault(target, label)
            if _note_key(target) is not None and not any(a.tag == "nav" for a in el.ancestors()):
                visible.setdefault(target.lstrip("_").lower(), label)
        # What a noteref shows is the label, whatever else links to the note.
        visible.update({k.lstrip("_").lower(): v for k, v in noterefs.items()})
        notes: list[tuple[str, Element]] = []
        claimed: set[int] = set()
        seen: set[str] = set()
        for el in all_elements:
            epub_note = bool(
                set(el.attrs.get("epub:type", "").split()) & {"footnote", "endnote", "rearnote"}
            )
            for attr in ("id", "name"):
                ident = el.attrs.get(attr, "")
                key = _note_key(ident) if ident and not _REF_ID.search(ident) else None
                if ident and key is None and (ident in noterefs or (epub_note and attr == "id")):
                    key = ident
                    visible.setdefault(
                        ident.lstrip("_").lower(), noterefs.get(ident) or shown.get(ident, ident)
                    )
                if key is None or ident.lstrip("_").lower() in seen:
                    continue
                container = el if el.tag in _BLOCKS else _block_of(el)
                if id(container) in claimed or not self._is_endnote(el, container, ident in linked):
                    continue
                claimed.add(id(container))
                seen.add(ident.lstrip("_").lower())
                notes.append((visible.get(ident.lstrip("_").lower()) or key, container))
        return notes

    def _is_endnote(self, el: Element, container: Element, linked: bool) -> bool:
        """An id is an endnote if something links to it or it sits in a footnotes container."""
        if container is self.root or container.tag in ("body", "html"):
            return False
        if linked:
            return True
        for node in [el, *el.ancestors()]:
            if set(node.attrs.get("epub:type", "").split()) & {
                "footnote",
                "endnote",
                "endnotes",
                "rearnote",
                "rearnotes",
                "footnotes",
            }:
                return True
            classes = node.classes
            if classes & {
                "footnotes",
                "footnote",
                "endnotes",
                "notes",
            } or "doc-endnotes" in node.attrs.get("role", ""):
                return True
            if "mso-element:footnote" in node.attrs.get("style", "").replace(" ", ""):
                return True
            if "mso-element:endnote" in node.attrs.get("style", "").replace(" ", ""):
                return True
        return False

    def run(self) -> Parsed:
        parsed = self.parsed
        in_notes = False
        for label, container in self.endnotes():
            note = Note(label, container.line)
            note.cover(container.line - 1, container.end_line or container.line)
            for url, _ in self.collect_urls(container):
                note.add(url)
            parsed.notes.append(note)
            self.note_elements.add(id(container))
        # A page whose notes are linked has them all: a numbered list under a "Notes" heading is
        # then a list (as in the Markdown reader).
        linked_notes = bool(parsed.notes)
        last_note: Note | None = None
        for block in self._leaf_blocks(self.root):
            if id(block) in self.note_elements or any(
                id(a) in self.note_elements for a in block.ancestors()
            ):
                last_note = None
                continue
            if block.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                in_notes = bool(NOTES_HEADING.match(block.text().strip()))
                last_note = None
                continue
            sup = self._leading_sup(block)
            urls = self.collect_urls(block, nested_blocks=False)
            if sup is not None:
                last_note = Note(sup, block.line)
                last_note.cover(block.line - 1, block.end_line or block.line)
                parsed.notes.append(last_note)
                for url, _ in urls:
                    last_note.add(url)
                continue
            if (
                in_notes
                and not linked_notes
                and block.tag == "li"
                and block.parent is not None
                and block.parent.tag == "ol"
            ):
                items = [
                    c for c in block.parent.children if isinstance(c, Element) and c.tag == "li"
                ]
                start = int(block.parent.attrs.get("start", "1") or 1)
                last_note = Note(str(start + items.index(block)), block.line)
                last_note.cover(block.line - 1, block.end_line or block.line)
                parsed.notes.append(last_note)
                for url, _ in urls:
                    last_note.add(url)
                continue
            rest = BARE_URL.sub("", self._text_outside_links(block))
            if last_note is not None and urls and not rest.strip(" \n\t;,.|"):
                last_note.cover(block.line - 1, block.end_line or block.line)
                for url, _ in urls:
                    last_note.add(url)
                continue
            last_note = None
            parsed.add_contexts(sentences_citing(self._flatten(block)))
            parsed.other_urls.extend(urls)
        parsed.notes.sort(key=lambda n: n.line)
        return parsed

    def _leaf_blocks(self, root: Element) -> list[Element]:
        """Blocks holding text directly (a <p>, or a <div>/<li> with inline content; a list or
        table with stray text of its own, which browsers show, too)."""
        found: list[Element] = []
        for el in root.iter():
            if el.tag not in _BLOCKS:
                continue
            direct_text = any(
                (isinstance(c, str) and c.strip())
                or (isinstance(c, Element) and c.tag not in _BLOCKS)
                for c in el.children
            )
            if direct_text:
                found.append(el)
        return found

    def _leading_sup(self, block: Element) -> str | None:
        for child in block.children:
            if isinstance(child, str):
                if child.strip():
                    return None
                continue
            if child.tag == "sup":
                return _visible_label(child.text())
            if child.tag == "a" and _BACKLINK.match(child.attrs.get("href", "")):
                # A note that opens with a link back to its reference: <a href="#ref_1">(1)</a>
                return _visible_label(child.text())
            if child.tag in ("a", "span", "b", "strong", "em", "i") and child.children:
                return self._leading_sup(child)
            return None
        return None

    def _text_outside_links(self, node: Element) -> str:
        parts: list[str] = []
        for child in node.children:
            if isinstance(child, str):
                parts.append(child)
            elif child.tag != "a" and child.tag not in _BLOCKS:
                parts.append(self._text_outside_links(child))
        return "".join(parts)

    def _flatten(self, node: Element) -> str:
        parts: list[str] = []
        for child in node.children:
            if isinstance(child, str):
                parts.append(mark_typed_references(child))  # "[5]" citing a numbered list
                continue
            if child.tag in _BLOCKS:
                continue
            href = child.attrs.get("href", "") if child.tag == "a" else ""
            target = _note_key(href[1:]) if href.startswith("#") else None
            if child.tag == "sup" or target is not None or _is_noteref(child):
                label = _visible_label(child.text()) or target
                if label is not None:
                    parts.append(marker(label))
                    continue
            if child.tag == "br":
                parts.append(" ")
            parts.append(self._flatten(child))
        return "".join(parts)


def _is_noteref(el: Element) -> bool:
    """An EPUB 3 or DPUB-ARIA note reference (``epub:type="noteref"``, ``role="doc-noteref"``)."""
    return el.tag == "a" and (
        "noteref" in el.attrs.get("epub:type", "").split()
        or "doc-noteref" in el.attrs.get("role", "").split()
    )


def parse(text: str) -> Parsed:
    """Find every note of an HTML document and the URLs it cites."""
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return _Reader(builder.root).run()
