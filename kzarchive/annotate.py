"""Annotating a document: each footnote URL followed by its archive link, in the document's syntax.

The document is edited as text, not re-rendered: only the archive links are inserted, everything
else stays byte for byte as it was (newlines, encoding, escapes), and a URL that already carries
its archive link is left alone, so annotating twice changes nothing.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from kzarchive.errors import DocumentError, KzarchiveError
from kzarchive.extract import detect_format, reader, sniff_binary
from kzarchive.extract.html import unescape_attribute
from kzarchive.extract.reading import decode_exact, normalise_newlines, read_bytes
from kzarchive.extract.urls import clean_url, strip_trailing, with_scheme
from kzarchive.manifest import Manifest, write_atomic_bytes
from kzarchive.models import Snapshot

_MARKDOWN_TOKEN = re.compile(
    r"(?P<inline>\[(?:\\.|[^\]\\])*\]\((?P<dest><[^>\n]*>|(?:[^()\s]|\((?:[^()\s])*\))+)"
    r"(?:\s+\"[^\"]*\")?\))"
    r"|(?P<auto><(?P<auto_url>https?://[^>\s]+)>)"
    r"|(?P<bare>https?://[^\s<>\"`{}|^]+"
    r"|(?<![\w@./:%-])www\.(?=[a-z0-9-]+\.[a-z])[^\s<>\"`{}|^]+)",  # cited without https://
    re.IGNORECASE,
)
_HTML_TOKEN = re.compile(
    r"(?P<a><a\b[^>]*?\bhref\s*=\s*(?:\"(?P<h1>[^\"]*)\"|'(?P<h2>[^']*)'|(?P<h3>[^\s>]+))[^>]*>"
    r".*?</a\s*>)"
    r"|(?P<tag><[^>]*>)"
    r"|(?P<bare>https?://[^\s<>\"]+|(?<![\w@./:%-])www\.(?=[a-z0-9-]+\.[a-z])[^\s<>\"]+)",
    re.IGNORECASE | re.DOTALL,
)
MARKDOWN_MARK = " ([archived "
HTML_MARK = ' <a class="kzarchive-snapshot"'
ANNOTATABLE = ("markdown", "html")


@dataclass(frozen=True)
class Annotated:
    """The annotated document, and the document's unique URLs against the manifest: ``cited``
    all of them (a URL written without ``https://`` given it), ``missing`` those the manifest
    holds with no copy yet, ``absent`` those it does not hold at all."""

    text: str
    encoding: str
    added: int
    already: int
    missing: tuple[str, ...]
    original: bytes  # the document as read, for the backup and the version check
    package: bytes | None = None  # the annotated file itself, for DOCX and ODT
    absent: tuple[str, ...] = ()
    cited: tuple[str, ...] = ()

    def encoded(self) -> bytes:
        return self.package if self.package is not None else self.text.encode(self.encoding)


def _token_url(match: re.Match[str], fmt: str) -> str | None:
    if fmt == "html":
        if match.group("tag") is not None:
            return None
        if match.group("a") is not None:
            if "kzarchive-snapshot" in match.group("a")[:200]:
                return None
            raw = match.group("h1") or match.group("h2") or match.group("h3") or ""
            return unescape_attribute(raw).strip()
        return with_scheme(strip_trailing(clean_url(match.group("bare"))))
    if match.group("inline") is not None:
        dest = match.group("dest")
        return clean_url(dest[1:-1] if dest.startswith("<") else dest)
    if match.group("auto") is not None:
        return clean_url(match.group("auto_url"))
    return with_scheme(strip_trailing(clean_url(match.group("bare"))))


def _token_end(match: re.Match[str]) -> int:
    """Where the URL token ends: after the link or autolink, or the bare URL less punctuation."""
    bare = match.group("bare")
    if bare is not None:
        return match.start() + len(strip_trailing(bare))
    return match.end()


def _markdown_link(snapshot: Snapshot) -> str:
    target = snapshot.url
    if any(c in target for c in " ()<>"):
        target = "<" + target.replace("<", "%3C").replace(">", "%3E").replace(" ", "%20") + ">"
    return f"{MARKDOWN_MARK}{snapshot.date}]({target}))"


def _html_link(original: str, snapshot: Snapshot, cited_on: str | None) -> str:
    e = html.escape
    return (
        f'{HTML_MARK} href="{e(snapshot.url)}" data-originalurl="{e(original)}" '
        f'data-versionurl="{e(snapshot.url)}" data-versiondate="{e(cited_on or snapshot.date)}">'
        f"archived {e(snapshot.date)}</a>"
    )


def annotate(path: Path, manifest: Manifest, data: bytes | None = None) -> Annotated:
    """The document at ``path`` (or ``data``, read from elsewhere) with an archive link after
    each cited URL that has a copy holding the page."""
    if data is None:
        data = read_bytes(path)
    best: dict[str, Snapshot | None] = {}
    for record in manifest.links:
        archive = record.archive
        # The best copy wherever it is kept, never one judged a login wall or an error page.
        best[record.url] = archive.best_copy() if archive else None
    held = set(best) | {citation.url for citation in manifest.citations}
    return _against(path, data, held, best, _annotate(path, data, manifest, best))


def _against(
    path: Path, data: bytes, held: set[str], best: dict[str, Snapshot | None], done: Annotated
) -> Annotated:
    """``done`` with the document's own unique URLs (as ``extract`` reads them, secrets hidden
    as in the manifest) sorted into those the manifest holds without a copy and those it does
    not hold: what the annotators met note by note cannot tell the two apart."""
    from dataclasses import replace

    from kzarchive.extract import extract
    from kzarchive.scope import redact_extraction

    try:
        links = redact_extraction(extract(path, data=data)).extraction.links
    except KzarchiveError:
        return done  # nothing the readers can cite from: what the annotators met stands
    cited = tuple(link.url for link in links)
    missing = tuple(url for url in cited if url in held and best.get(url) is None)
    absent = tuple(url for url in cited if url not in held)
    return replace(done, missing=missing, absent=absent, cited=cited)


def _annotate(
    path: Path, data: bytes, manifest: Manifest, best: dict[str, Snapshot | None]
) -> Annotated:
    binary = sniff_binary(path, data)
    if binary is not None:
        return _annotate_package(path, binary, data, best)
    raw, encoding = decode_exact(path, data)
    text = normalise_newlines(raw)
    fmt = detect_format(path, text)
    if fmt not in ANNOTATABLE:
        raise DocumentError(
            f"{path}: annotate works on text, Markdown, HTML, DOCX and ODT documents only"
        )
    notes = reader(fmt)(text).notes
    cited_by_note: dict[str | None, set[str]] = {}
    for citation in manifest.citations:
        cited_by_note.setdefault(citation.footnote, set()).add(citation.url)
    starts = [0] + [m.end() for m in re.finditer("\n", raw)]
    starts.append(len(raw))
    pattern = _HTML_TOKEN if fmt == "html" else _MARKDOWN_TOKEN
    mark = HTML_MARK if fmt == "html" else MARKDOWN_MARK
    insertions: dict[int, str] = {}
    already = 0
    missing: list[str] = []
    cited_on = manifest.document.get("cited_on")
    for note in notes:
        wanted = cited_by_note.get(note.label, set())
        for first, last in note.spans:
            start, end = starts[min(first, len(starts) - 1)], starts[min(last, len(starts) - 1)]
            for match in pattern.finditer(raw, start, end):
                url = _token_url(match, fmt)
                if not url or url not in wanted:
                    continue
                at = _token_end(match)
                if raw.startswith(mark, at) or at in insertions:
                    already += raw.startswith(mark, at)
                    continue
                snapshot = best.get(url)
                if snapshot is None:
                    if url not in missing:
                        missing.append(url)
                    continue
                insertions[at] = (
                    _html_link(url, snapshot, cited_on)
                    if fmt == "html"
                    else _markdown_link(snapshot)
                )
    out = raw
    for at in sorted(insertions, reverse=True):
        out = out[:at] + insertions[at] + out[at:]
    return Annotated(out, encoding, len(insertions), already, tuple(missing), data)


def _annotate_package(
    path: Path, binary: str, data: bytes, best: dict[str, Snapshot | None]
) -> Annotated:
    """A DOCX or ODT file with an archive link in each note (kzarchive.annotate_office)."""
    from xml.etree.ElementTree import ParseError
    from zipfile import BadZipFile

    from kzarchive.annotate_office import ANNOTATORS

    if binary not in ANNOTATORS:
        raise DocumentError(
            f"{path}: a {binary.upper()} file; annotate writes text, Markdown, HTML, DOCX and ODT "
            "documents (run 'kzarchive report' for a list of archive links instead)"
        )
    try:
        done = ANNOTATORS[binary](data, best.get)
    except (BadZipFile, ParseError, KeyError, UnicodeDecodeError, ValueError) as exc:
        raise DocumentError(
            f"{path}: corrupt {binary.upper()} file ({type(exc).__name__})"
        ) from None
    except DocumentError as exc:
        raise DocumentError(f"{path}: {exc}") from None
    return Annotated("", "binary", done.added, done.already, done.missing, data, done.data)


def write_in_place(document: Path, result: Annotated) -> None:
    """Rewrite ``document`` atomically, keeping the original as ``DOCUMENT.bak``; nothing is
    written when nothing was added (annotating twice changes nothing)."""
    if not result.added:
        return

    write_atomic_bytes(document.with_name(document.name + ".bak"), result.original)
    write_atomic_bytes(document, result.encoded())


def write_copy(target: Path, result: Annotated) -> None:
    """Write the annotated copy to ``target``; a failure is one line."""
    try:
        target.write_bytes(result.encoded())
    except OSError as exc:
        raise KzarchiveError(f"{target}: cannot write: {exc.strerror or exc}") from None
