"""The reader for plain text and Markdown reports.

markdown-it-py with the footnote plugin does the parsing, so Markdown footnotes (``[^5]``), escapes,
autolinks and entities are handled as CommonMark says. On top of the token stream this module knows
the two forms no parser does: ``<sup>5</sup>`` notes (the form of reports exported from word
processors, URLs possibly continued in the next paragraphs) and numbered note lists under a
"Notes"/"References"/"Sources" heading (``[5] url``, ``5. url``, ``^5 url``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from kzarchive.extract.context import mark_typed_references, marker, sentences_citing
from kzarchive.extract.notes import NOTES_HEADING, Note, Parsed
from kzarchive.extract.urls import BARE_URL, continues_url, find_bare_urls

_SUP_OPEN = re.compile(r"^<sup(\s[^>]*)?>$", re.IGNORECASE)
_SUP_CLOSE = re.compile(r"^</sup>$", re.IGNORECASE)
_LABEL = re.compile(r"^\s*(?:\[(\w[\w.-]*)\]|\^(\w[\w.-]*)|(\d+)[.)])\s+")
_HREF = re.compile(r"""href\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_SEPARATORS = re.compile(r"^[\s;,.:|/()–—-]*$")
ANNOTATION_TEXT = re.compile(r"^archived \d{4}-\d{2}-\d{2}$")
# Word's "Save as HTML" notes, pasted or converted into Markdown: a note starts with a link back to
# its reference (#_ftnref1, #_ednref1); the body refers to it with a link to #_ftn1 / #_edn1.
_WORD_NOTE = re.compile(r"^#_?(?:ftn|edn)ref\d+$", re.IGNORECASE)
_WORD_REF = re.compile(r"^#_?(?:ftn|edn)\d+$", re.IGNORECASE)
_FENCE_CLOSE = re.compile(r"^\s*:{3,}\s*$")
_PANDOC_MARKUP = re.compile(r"\{[#.][^{}]*\}|:{3,}")


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark").use(footnote_plugin)
    # Keep definitions where they stand (the tail rule moves referenced ones to the end and drops
    # the rest), and keep link targets as written rather than percent-encoded.
    md.core.ruler.disable("footnote_tail")
    md.normalizeLink = lambda url: url  # type: ignore[method-assign]
    md.normalizeLinkText = lambda link: link  # type: ignore[method-assign]
    return md


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


def _ref_label(meta: dict[str, object], refs: dict[str, int] | None) -> str:
    """The label a reader sees for a footnote reference (see :func:`shown_label`)."""
    label = meta.get("label")
    if isinstance(label, str):
        return shown_label(label, refs)
    return str(int(str(meta.get("id", 0))) + 1)  # an inline note, ^[...]


def shown_label(label: str, refs: dict[str, int] | None) -> str:
    """A note's label as written when every note is numbered; the number a reader sees (its
    order of first reference, as GitHub and pandoc number notes) when ``refs`` is given, that is
    when the document has named (``[^src]``) or inline notes."""
    order = refs.get(f":{label}", -1) if refs is not None else -1
    return label if order < 0 else str(order + 1)  # -1: defined, never referenced


def _word_label(children: list[Token], start: int) -> tuple[str | None, int]:
    """The label a Word note link shows (``[1]`` → ``1``, ``[i]`` → ``i``) and the index after
    the link."""
    depth, text, index = 0, [], start
    while index < len(children):
        child = children[index]
        if child.type == "link_open":
            depth += 1
        elif child.type == "link_close":
            depth -= 1
            if depth == 0:
                break
        elif child.type == "text":
            text.append(child.content)
        index += 1
    shown = re.sub(r"\{[^}]*\}", "", "".join(text))
    label = re.sub(r"[\[\]\\\s]", "", shown)
    return (label or None), index + 1


def _word_note_start(children: list[Token]) -> int | None:
    """Where a Word note's back link opens this paragraph (after a ``::: {#ftn1}`` div opener
    that pandoc writes before it), if it is one."""
    for index, child in enumerate(children[:4]):
        if child.type == "link_open":
            return index if _WORD_NOTE.match(str(child.attrs.get("href", ""))) else None
        if child.type == "softbreak" or (child.type == "text" and child.content.startswith(":::")):
            continue
        return None
    return None


def _closes_fence(content: str) -> bool:
    return any(_FENCE_CLOSE.match(line) for line in content.splitlines()[1:])


def _flatten(children: list[Token], refs: dict[str, int] | None = None) -> str:
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
        if child.type == "link_open" and _WORD_REF.match(str(child.attrs.get("href", ""))):
            label, i = _word_label(children, i)
            if label:
                parts.append(marker(label))
            continue
        if child.type == "footnote_ref":
            parts.append(marker(_ref_label(child.meta, refs)))
        elif child.type == "text":
            parts.append(mark_typed_references(child.content))
        elif child.type == "code_inline":
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        i += 1
    # Pandoc's attribute blocks ({#id .class key="value"}) and fenced-div markers are not text.
    return _PANDOC_MARKUP.sub("", "".join(parts))


def _wrapped(children: list[Token], index: int) -> str | None:
    """The text of ``children[index]`` joined with the next line's when a URL that ends the
    line clearly goes on there (a word processor or an editor wrapped it), else None."""
    if index + 2 >= len(children) or children[index + 1].type != "softbreak":
        return None
    first, following = children[index].content, children[index + 2]
    if following.type != "text" or first != first.rstrip():
        return None
    ending = list(BARE_URL.finditer(first))
    if not ending or ending[-1].end() != len(first):
        return None
    token = following.content.lstrip().split(" ", 1)[0]
    if not continues_url(ending[-1].group(0), token):
        return None
    return first + following.content.lstrip()


def _urls(children: list[Token], first_line: int, parsed: Parsed) -> Iterator[tuple[str, int]]:
    """Every citable URL in the inline tokens, a link's target winning over its text; a URL
    wrapped onto the next line is joined back, never cut."""
    line = first_line
    in_link = 0
    skip = 0
    for index, child in enumerate(children):
        if skip:
            skip -= 1
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            continue
        if child.type == "text" and not in_link and (joined := _wrapped(children, index)):
            for match in BARE_URL.finditer(joined):
                # The wrapped URL is where it starts; what follows it is on the next line
                where = line if match.start() < len(child.content) else line + 1
                url = parsed.accept(match.group(0), where)
                if url:
                    yield url, where
            skip = 2
            continue
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
    env: dict[str, Any] = {}
    tokens = _parser().parse(text, env)  # 0.2 ms: one parser per document, none shared
    footnotes = env.get("footnotes", {})
    entries = footnotes.get("list", {})
    renumber = any(
        "label" not in entry or not str(entry["label"]).isdigit() for entry in entries.values()
    )
    refs: dict[str, int] | None = footnotes.get("refs", {}) if renumber else None
    # A document that uses Markdown footnotes has its notes there: a numbered list under a
    # "Notes" heading is then a list, not a second set of notes.
    uses_footnotes = any(t.type == "footnote_reference_open" for t in tokens) or any(
        "label" not in entry for entry in entries.values()
    )
    inline_lines: dict[int, tuple[int, int]] = {}  # inline note id -> where it is referenced
    word_note: Note | None = None  # a Word note (pasted "Save as HTML") we are inside
    in_notes_section = False
    definition: Note | None = None  # the Markdown footnote definition we are inside
    list_label: str | None = None  # the numbered list item we are inside, in a notes section
    last_note: Note | None = None  # the note a following URL-only paragraph continues
    labels_seen: set[str] = set()

    def open_note(label: str, line: int, name: str | None = None) -> Note:
        if label in labels_seen:
            parsed.warnings.append(f"line {line}: footnote {label} is defined more than once")
        labels_seen.add(label)
        note = Note(label, line, name=name)
        parsed.notes.append(note)
        return note

    for index, token in enumerate(tokens):
        kind = token.type
        line = token.map[0] + 1 if token.map else 0
        if kind == "footnote_reference_open":
            name = str(token.meta["label"])
            shown = shown_label(name, refs)
            definition = open_note(shown, line, None if shown == name else name)
            continue
        if kind == "footnote_reference_close":
            definition = last_note = None
            continue
        if kind == "list_item_open":
            numbered = in_notes_section and token.info.isdigit() and not uses_footnotes
            list_label = token.info if numbered else None
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
            # A fence's content starts on the line after its opening ``` line
            first = line + 1 if kind == "fence" else line
            parsed.other_urls.extend((u, first + n) for u, n in find_bare_urls(token.content))
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
        opening = _word_note_start(children)
        if opening is not None:
            word_label, after = _word_label(children, opening)
            word_note = open_note(word_label or "?", line)
            word_note.cover(start, end)
            for url, at in _urls(children[after:], line, parsed):
                word_note.add(url, at)
            if _closes_fence(token.content):
                word_note = None
            continue
        if word_note is not None:
            word_note.cover(start, end)
            for url, at in _urls(children, line, parsed):
                word_note.add(url, at)
            if _closes_fence(token.content):
                word_note = None
            continue
        if definition is not None:
            definition.cover(start, end)
            for url, at in _urls(children, line, parsed):
                definition.add(url, at)
            continue
        if list_label is not None and last_note is not None:
            last_note.cover(start, end)
            for url, at in _urls(children, line, parsed):
                last_note.add(url, at)
            continue
        sup = _sup_label(children, 0)
        if sup is not None:
            last_note = open_note(sup, line)
            last_note.cover(start, end)
            for url, at in _urls(children[3:], line, parsed):
                last_note.add(url, at)
            continue
        for child in children:
            if child.type == "footnote_ref" and "label" not in child.meta:
                inline_lines.setdefault(int(child.meta.get("id", 0)), (start, end))
        if in_notes_section and not uses_footnotes and _LABEL.match(token.content):
            # A list of labelled notes, one or more lines each: "[5] url", "^6 url", "7) url".
            for offset, line_children in enumerate(_lines(children)):
                label = _LABEL.match(_plain(line_children))
                if label:
                    last_note = open_note(next(g for g in label.groups() if g), line + offset)
                if last_note is not None:
                    last_note.cover(start + offset, start + offset + 1)
                    for url, at in _urls(line_children, line + offset, parsed):
                        last_note.add(url, at)
            continue
        if last_note is not None and _only_urls(children):
            last_note.cover(start, end)
            for url, at in _urls(children, line, parsed):
                last_note.add(url, at)
            continue
        last_note = None
        parsed.add_contexts(sentences_citing(_flatten(children, refs)))
        parsed.other_urls.extend(_urls(children, line, parsed))
    _inline_notes(entries, inline_lines, parsed, open_note)
    _place_urls(parsed.notes, text.split("\n"))
    return parsed


def _place_urls(notes: list[Note], lines: list[str]) -> None:
    """Each note URL's line, made exact: the counted line can fall short (a link whose text
    spans lines, attributes over a line break, an inline note inside its paragraph), so the URL
    as written is looked for from there to the end of its paragraph. A URL not written whole on
    one line (wrapped, or normalised) keeps the counted line, where it starts."""
    for note in notes:
        for url, counted in note.url_lines.items():
            written = re.sub(r"^https?://", "", url)
            index = counted - 1
            while 0 <= index < len(lines) and lines[index].strip():
                if written in lines[index].replace("\\", ""):
                    note.url_lines[url] = index + 1
                    break
                index += 1


def _inline_notes(
    entries: dict[int, dict[str, Any]],
    where: dict[int, tuple[int, int]],
    parsed: Parsed,
    open_note: Callable[[str, int], Note],
) -> None:
    """Pandoc's inline notes (``Text.^[a note]``): numbered by their reference, like the others,
    and found where they are referenced."""
    for note_id, entry in entries.items():
        if "label" in entry:
            continue
        start, end = where.get(note_id, (0, 1))
        note = open_note(str(note_id + 1), start + 1)
        note.cover(start, end)
        for url, at in _urls(list(entry.get("tokens") or ()), start + 1, parsed):
            note.add(url, at)
