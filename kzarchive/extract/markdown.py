"""The reader for plain text and Markdown reports.

markdown-it-py with the footnote plugin does the parsing, so Markdown footnotes (``[^5]``), escapes,
autolinks and entities are handled as CommonMark says. On top of the token stream this module knows
the two forms no parser does: ``<sup>5</sup>`` notes (the form of reports exported from word
processors, URLs possibly continued in the next paragraphs) and numbered note lists under a
"Notes"/"References"/"Sources" heading (``[5] url``, ``5. url``, ``^5 url``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from kzarchive.extract.context import mark_typed_references, marker, sentences_citing
from kzarchive.extract.notes import NOTES_HEADING, Note, Parsed
from kzarchive.extract.urls import BARE_URL, find_bare_urls

_SUP_OPEN = re.compile(r"^<sup(\s[^>]*)?>$", re.IGNORECASE)
_SUP_CLOSE = re.compile(r"^</sup>$", re.IGNORECASE)
_LABEL = re.compile(r"^\s*(?:\[(\w[\w.-]*)\]|\^(\w[\w.-]*)|(\d+)[.)])\s+")
_HREF = re.compile(r"""href\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_SEPARATORS = re.compile(r"^[\s;,.:|/()–—-]*$")
ANNOTATION_TEXT = re.compile(r"^archived \d{4}-\d{2}-\d{2}$")


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark").use(footnote_plugin)
    # Keep definitions where they stand (the tail rule moves referenced ones to the end and drops
    # the rest), and keep link targets as written rather than percent-encoded.
    md.core.ruler.disable("footnote_tail")
    md.normalizeLink = lambda url: url  # type: ignore[method-assign]
    md.normalizeLinkText = lambda link: link  # type: ignore[method-assign]
    return md


_MD = _parser()


def _sup_label(children: list[Token], start: int) -> str | None:
    """The label of a ``<sup>N</sup>`` starting at ``children[start]``, else None."""
    if start + 2 >= len(children):
        return None
    first, middle, last = children[start : start + 3]
    if (
        first.type == "html_inline"
        and _SUP_OPEN.match(first.content)
        and middle.type == "text"
        and last.type == "html_inline"
        and _SUP_CLOSE.match(last.content)
    ):
        label = middle.content.strip()
        if label and len(label) <= 12 and not any(c.isspace() for c in label):
            return label
    return None


def _flatten(children: list[Token]) -> str:
    """The inline text with a marker where each footnote reference stands."""
    parts: list[str] = []
    i = 0
    while i < len(children):
        child = children[i]
        label = _sup_label(children, i)
        if label is not None:
            parts.append(marker(label))
            i += 3
            continue
        if child.type == "footnote_ref":
            parts.append(marker(str(child.meta["label"])))
        elif child.type == "text":
            parts.append(mark_typed_references(child.content))
        elif child.type == "code_inline":
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        i += 1
    return "".join(parts)


def _urls(children: list[Token], first_line: int, parsed: Parsed) -> Iterator[tuple[str, int]]:
    """Every citable URL in the inline tokens, a link's target winning over its text."""
    line = first_line
    in_link = 0
    for index, child in enumerate(children):
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        elif child.type == "link_open":
            in_link += 1
            following = children[index + 1].content if index + 1 < len(children) else ""
            if ANNOTATION_TEXT.match(following):
                continue  # kzarchive's own archive link, added by ``annotate``
            url = parsed.accept(str(child.attrs.get("href", "")), line, is_target=True)
            if url:
                yield url, line
        elif child.type == "link_close":
            in_link = max(0, in_link - 1)
        elif child.type == "text" and not in_link:
            for raw in BARE_URL.findall(child.content):
                url = parsed.accept(raw, line)
                if url:
                    yield url, line
        elif child.type == "html_inline":
            for match in _HREF.finditer(child.content):
                url = parsed.accept(match.group(1) or match.group(2), line, is_target=True)
                if url:
                    yield url, line


def _only_urls(children: list[Token]) -> bool:
    """Whether a paragraph holds nothing but links and separators (a note's continuation)."""
    rest: list[str] = []
    in_link = 0
    has_url = False
    for child in children:
        if child.type == "link_open":
            in_link += 1
            has_url = True
        elif child.type == "link_close":
            in_link = max(0, in_link - 1)
        elif child.type == "text" and not in_link:
            has_url = has_url or bool(BARE_URL.search(child.content))
            rest.append(BARE_URL.sub("", child.content))
    return has_url and bool(_SEPARATORS.match("".join(rest)))


def _lines(children: list[Token]) -> list[list[Token]]:
    """Inline tokens split at line breaks."""
    lines: list[list[Token]] = [[]]
    for child in children:
        if child.type in ("softbreak", "hardbreak"):
            lines.append([])
        else:
            lines[-1].append(child)
    return lines


def _plain(children: list[Token]) -> str:
    return "".join(c.content for c in children if c.type in ("text", "code_inline"))


def parse(text: str) -> Parsed:
    """Find every note of a plain-text or Markdown document and the URLs it cites."""
    parsed = Parsed()
    tokens = _MD.parse(text)
    in_notes_section = False
    definition: Note | None = None  # the Markdown footnote definition we are inside
    list_label: str | None = None  # the numbered list item we are inside, in a notes section
    last_note: Note | None = None  # the note a following URL-only paragraph continues
    labels_seen: set[str] = set()

    def open_note(label: str, line: int) -> Note:
        if label in labels_seen:
            parsed.warnings.append(f"line {line}: footnote {label} is defined more than once")
        labels_seen.add(label)
        note = Note(label, line)
        parsed.notes.append(note)
        return note

    for index, token in enumerate(tokens):
        kind = token.type
        line = token.map[0] + 1 if token.map else 0
        if kind == "footnote_reference_open":
            definition = open_note(str(token.meta["label"]), line)
            continue
        if kind == "footnote_reference_close":
            definition = last_note = None
            continue
        if kind == "list_item_open":
            list_label = token.info if in_notes_section and token.info.isdigit() else None
            if list_label is not None:
                last_note = open_note(list_label, line)
            continue
        if kind == "list_item_close":
            list_label = None
            continue
        if kind == "hr":
            last_note = None
            continue
        if kind in ("code_block", "fence", "html_block"):
            parsed.other_urls.extend((u, line) for u in find_bare_urls(token.content))
            last_note = None
            continue
        if kind != "inline":
            continue
        children = token.children or []
        if tokens[index - 1].type == "heading_open" or (
            NOTES_HEADING.match(_plain(children)) and len(token.content) < 40
        ):
            in_notes_section = bool(NOTES_HEADING.match(_plain(children)))
            last_note = None
            continue
        start, end = token.map or (line - 1, line)
        if definition is not None:
            definition.cover(start, end)
            for url, _ in _urls(children, line, parsed):
                definition.add(url)
            continue
        if list_label is not None and last_note is not None:
            last_note.cover(start, end)
            for url, _ in _urls(children, line, parsed):
                last_note.add(url)
            continue
        sup = _sup_label(children, 0)
        if sup is not None:
            last_note = open_note(sup, line)
            last_note.cover(start, end)
            for url, _ in _urls(children[3:], line, parsed):
                last_note.add(url)
            continue
        if in_notes_section and _LABEL.match(token.content):
            # A list of labelled notes, one or more lines each: "[5] url", "^6 url", "7) url".
            for offset, line_children in enumerate(_lines(children)):
                label = _LABEL.match(_plain(line_children))
                if label:
                    last_note = open_note(next(g for g in label.groups() if g), line + offset)
                if last_note is not None:
                    last_note.cover(start + offset, start + offset + 1)
                    for url, _ in _urls(line_children, line + offset, parsed):
                        last_note.add(url)
            continue
        if last_note is not None and _only_urls(children):
            last_note.cover(start, end)
            for url, _ in _urls(children, line, parsed):
                last_note.add(url)
            continue
        last_note = None
        parsed.add_contexts(sentences_citing(_flatten(children)))
        parsed.other_urls.extend(_urls(children, line, parsed))
    return parsed
