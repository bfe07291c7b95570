"""What every reader produces: the notes a document defines and the URLs each cites.

Readers differ in how they find notes; from here on every format is the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from kzarchive.extract.urls import InvalidURL, clean_url, is_web_url, strip_trailing, validate

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

    def add(self, url: str) -> None:
        if url not in self.urls:
            self.urls.append(url)

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

    def accept(self, raw: str, line: int, *, is_target: bool = False) -> str | None:
        """The cited URL in ``raw``, or None if it is not an http(s) URL.

        An http(s) URL that cannot be used (too long, a malformed host, port 0) is still a
        citation, so that every footnote is accounted for: it is returned, and said in a
        warning; checking it gives the verdict ``error``, reason ``invalid-url``.
        ``is_target`` says ``raw`` is a link target, where trailing punctuation is part of it.
        """
        url = clean_url(raw)
        if not is_target:
            url = strip_trailing(url)
        if not is_web_url(url):
            return None
        try:
            return validate(url)
        except InvalidURL as exc:
            self.warnings.append(f"line {line}: {exc}")
            return url

    def add_contexts(self, found: dict[str, str]) -> None:
        for label, sentence in found.items():
            self.contexts.setdefault(label, sentence)
