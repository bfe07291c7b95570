"""What every reader produces: the notes a document defines and the URLs each cites.

Readers differ in how they find notes; from here on every format is the same.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from datetime import date
from xml.etree import ElementTree

from kzarchive.extract.urls import (
    InvalidURL,
    SchemeAdded,
    clean_url,
    is_web_url,
    strip_trailing,
    unwrap_redirect,
    validate,
    with_scheme,
)

NOTES_HEADING = re.compile(
    r"^[\W_]*(notes?|end\s?notes?|foot\s?notes?|references?|sources?|sources cited|works cited"
    r"|bibliography|citations?|links|примечания|источники|сноски|ссылки)[\W_]*$",
    re.IGNORECASE,
)


@dataclass
class Note:
    """One footnote or endnote: its label as the reader sees it, where it is, what it cites."""

    label: str
    line: int
    urls: list[str] = field(default_factory=list)
    # The name a Markdown footnote was given (``[^src]``), when its label is the number a reader
    # sees instead.
    name: str | None = None
    # The 0-based, end-exclusive line ranges the note's text occupies (for annotating it).
    spans: list[tuple[int, int]] = field(default_factory=list)
    # The note's own text, when the reader knows it better than its spans' lines say (DOCX, ODT)
    text: str | None = None
    # The line each URL is on, when the reader knows it (Markdown and text); else the note's line
    url_lines: dict[str, int] = field(default_factory=dict)

    def add(self, url: str, line: int | None = None) -> None:
        if url not in self.urls:
            self.urls.append(url)
            if line is not None:
                self.url_lines[url] = line

    def line_of(self, url: str) -> int:
        """The line ``url`` is on: its own when known, else the note's first."""
        return self.url_lines.get(url, self.line)

    def cover(self, start: int, end: int) -> None:
        self.spans.append((start, max(end, start + 1)))


@dataclass
class Parsed:
    """A reader's findings, before they become citations."""

    notes: list[Note] = field(default_factory=list)
    contexts: dict[str, str] = field(default_factory=dict)
    other_urls: list[tuple[str, int]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Readers of binary formats find the date themselves; text readers leave it to the dateline.
    # (A reader adds its notes through ``notes.append``; the order does not matter.)
    cited_on: date | None = None
    # The document's title, from its metadata or first heading, when it has one
    title: str | None = None

    def accept(self, raw: str, line: int, *, is_target: bool = False) -> str | None:
        """The cited URL in ``raw``, or None if it is not an http(s) URL.

        An http(s) URL that cannot be used (too long, a malformed host, port 0) is still a
        citation, so that every footnote is accounted for: it is returned, and said in a
        warning; checking it gives the verdict ``error``, reason ``invalid-url``.
        ``is_target`` says ``raw`` is a link target, where trailing punctuation is part of it. A
        known redirector's link is its target; typed text written ``www.…`` is given
        ``https://`` (a :class:`SchemeAdded`, recorded as such).
        """
        url = clean_url(raw)
        if not is_target:
            url = with_scheme(strip_trailing(url))
        added = isinstance(url, SchemeAdded)
        url = unwrap_redirect(url)
        if not is_web_url(url):
            return None
        try:
            validate(url)
        except InvalidURL as exc:
            self.warnings.append(f"line {line}: {exc}")
        return SchemeAdded(url) if added and not isinstance(url, SchemeAdded) else url

    def add_contexts(self, found: dict[str, str]) -> None:
        for label, sentence in found.items():
            self.contexts.setdefault(label, sentence)


# The tooltip (DOCX) or title (ODT) of the archive links ``annotate`` adds: readers skip them.
ANNOTATION_TITLE = "kzarchive: archived copy"

NOTE_TEXT_MAX = 2000  # characters of a note's text kept in the manifest

_TAG = re.compile(r"<[^>]*>")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_AUTOLINK = re.compile(r"<((?:https?|ftp)://[^>\s]+)>")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])")
_LEADING_LABEL = re.compile(
    r"^\s*(?:\[\^[^\]]+\]:|<sup>\s*[^<]{1,12}</sup>|\^?\[?\d{1,4}\]?[.):]?(?=\s))\s*", re.IGNORECASE
)
_BACKLINK = re.compile(r"\s*[↩︎⏎]+\s*$")


def tidy(text: str) -> str | None:
    """A note's text as one line, at most :data:`NOTE_TEXT_MAX` characters; None when empty."""
    text = " ".join(text.split())
    if not text:
        return None
    return text if len(text) <= NOTE_TEXT_MAX else text[: NOTE_TEXT_MAX - 1] + "…"


def text_of_spans(note: Note, lines: list[str], fmt: str) -> str | None:
    """The note's own text from the source lines it occupies (Markdown, plain text, HTML): its
    label, link syntax and tags left out. LaTeX notes share their lines with the body: none."""
    if fmt not in ("markdown", "html") or not note.spans:
        return None
    raw = "\n".join("\n".join(lines[start:end]) for start, end in note.spans)
    if fmt == "html":
        import html

        text = html.unescape(_TAG.sub(" ", _LEADING_LABEL.sub("", raw.strip())))
        text = _LEADING_LABEL.sub("", text.strip())
    else:
        text = _LEADING_LABEL.sub("", raw.strip())
        text = _MD_ESCAPE.sub(r"\1", _MD_AUTOLINK.sub(r"\1", _MD_LINK.sub(r"\1", text)))
        text = _TAG.sub("", text).replace("**", "")
    return tidy(_BACKLINK.sub("", text))


_MD_TITLE = re.compile(r"^(?:title:\s*['\"]?(.+?)['\"]?|#\s+(.+?)\s*#*)\s*$", re.MULTILINE)
_HTML_TITLE = re.compile(r"<(title|h1)\b[^>]*>(.*?)</\1\s*>", re.IGNORECASE | re.DOTALL)
_LATEX_TITLE = re.compile(r"\\title\{([^{}]*)\}")
_MD_BOLD_LINE = re.compile(r"^\*\*[^*\n]{3,300}\*\*$")


def document_title(text: str, fmt: str) -> str | None:
    """A text document's title: HTML's ``<title>`` (else its first ``<h1>``), LaTeX's
    ``\\title``, Markdown's front-matter ``title:`` or first ``#`` heading; None when none."""
    head = text[:20000]
    if fmt == "html":
        import html

        found = sorted(_HTML_TITLE.findall(head), key=lambda m: m[0].lower() != "title")
        raw = html.unescape(_TAG.sub("", found[0][1])) if found else ""
    elif fmt == "latex":
        match = _LATEX_TITLE.search(head)
        raw = match.group(1) if match else ""
    elif fmt == "markdown":
        match = _MD_TITLE.search(head)
        raw = (match.group(1) or match.group(2)) if match else ""
        if not raw:  # a report whose title is its first paragraph, all in bold (the seed's)
            first = [p.strip() for p in head.split("\n\n") if p.strip()][:3]
            bold = [p for p in first if _MD_BOLD_LINE.match(p)]
            raw = bold[0].strip("*") if bold else ""
        raw = _MD_ESCAPE.sub(r"\1", _MD_LINK.sub(r"\1", raw)).replace("**", "")
    else:
        raw = ""
    title = " ".join(raw.split())
    return title[:300] or None


DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"


def metadata_title(archive: zipfile.ZipFile, name: str) -> str | None:
    """The ``dc:title`` of an OOXML or OpenDocument metadata part, if set."""
    if name not in archive.namelist():
        return None
    try:
        found = ElementTree.fromstring(archive.read(name)).find(f".//{DC_TITLE}")
    except (ElementTree.ParseError, zipfile.BadZipFile, OSError):
        return None
    title = " ".join((found.text or "").split()) if found is not None else ""
    return title or None
