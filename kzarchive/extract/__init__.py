"""Reading a document into citations: one reader per format, one result shape for all.

``extract(path)`` picks the reader by the file's content (and name), runs it, and turns the notes it
found into :class:`~kzarchive.models.Citation` records in document order.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import importlib
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from kzarchive.errors import DocumentError
from kzarchive.extract.dates import detect_cited_on
from kzarchive.extract.notes import Parsed, document_title, text_of_spans, tidy
from kzarchive.extract.reading import SourceText, decode, read_bytes
from kzarchive.extract.urls import SchemeAdded
from kzarchive.models import Citation, Link, unique_links

Reader = Callable[[str], Parsed]
# What the zip, zlib and XML parsers raise on damaged files.
BROKEN_FILE = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    ElementTree.ParseError,
    LookupError,  # a missing part (KeyError), an index past the end, an unknown XML encoding
    ValueError,
    NotImplementedError,
    RuntimeError,
    OSError,
)
# Each text format's reader, as (module, function): a reader is imported when a document needs it
# (markdown-it for Markdown, bibtexparser for BibTeX), so no command pays for the others.
READERS: dict[str, tuple[str, str]] = {
    "markdown": ("kzarchive.extract.markdown", "parse"),
    "html": ("kzarchive.extract.html", "parse"),
    "latex": ("kzarchive.extract.latex", "parse"),
    "bibtex": ("kzarchive.extract.latex", "parse_bibtex"),
}


def reader(fmt: str) -> Reader:
    """The reader of the text format ``fmt`` (a key of :data:`READERS`)."""
    module, name = READERS[fmt]
    found: Reader = getattr(importlib.import_module(module), name)
    return found


_HTML_START = re.compile(
    r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)


@dataclass(frozen=True)
class DocumentInfo:
    """What the manifest records about the document."""

    path: str
    sha256: str
    format: str
    encoding: str
    cited_on: date | None
    # Where cited_on came from: "document" (its dateline) or "option" (--cited-on)
    cited_on_source: str | None = None
    title: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "path": self.path,
            "sha256": self.sha256,
            "format": self.format,
            "encoding": self.encoding,
            "cited_on": self.cited_on.isoformat() if self.cited_on else None,
            "cited_on_source": self.cited_on_source or ("document" if self.cited_on else None),
        }
        if self.title:
            data["title"] = self.title
        return data


@dataclass(frozen=True)
class Extraction:
    """A document's citations, the unique links they make, and what went wrong on the way."""

    document: DocumentInfo
    citations: tuple[Citation, ...]
    warnings: tuple[str, ...]

    @property
    def links(self) -> list[Link]:
        return unique_links(list(self.citations))

    @property
    def footnotes(self) -> list[str]:
        return list(dict.fromkeys(c.footnote for c in self.citations if c.footnote is not None))


def detect_format(path: Path, text: str) -> str:
    """``html``, ``latex``, ``bibtex`` or ``markdown`` (which covers plain text), by content
    first, then by name."""
    if _HTML_START.match(text[:4096]) or path.suffix.lower() in (".html", ".htm", ".xhtml"):
        return "html"
    if path.suffix.lower() == ".tex":
        return "latex"
    head = text[:20000]
    if "\\" not in head and "@" not in head:  # neither LaTeX nor BibTeX: spare their reader
        return "markdown"
    from kzarchive.extract import latex

    if latex.is_latex(text):
        return "latex"
    if latex.is_bibtex(text) and path.suffix.lower() in (".bib", ".bibtex", ""):
        return "bibtex"
    return "markdown"


def extract_text(source: SourceText, fmt: str, *, all_links: bool = False) -> Extraction:
    """Citations of an already-read document."""
    parsed = reader(fmt)(source.text)
    cited_on = parsed.cited_on or detect_cited_on(source.text)
    return _citations(source, fmt, parsed, all_links, cited_on=cited_on)


def _citations(
    source: SourceText, fmt: str, parsed: Parsed, all_links: bool, cited_on: date | None
) -> Extraction:
    citations: list[Citation] = []
    lines = source.text.split("\n") if source.text else []
    for note in sorted(parsed.notes, key=lambda n: n.line):
        context = parsed.contexts.get(note.label)
        text = tidy(note.text) if note.text else text_of_spans(note, lines, fmt)
        citations.extend(
            Citation(
                note.label,
                str(url),
                note.line_of(url),
                context,
                note.name,
                text,
                scheme_added=isinstance(url, SchemeAdded),
            )
            for url in note.urls
        )
    if all_links:
        cited = {c.url for c in citations}
        for url, line in parsed.other_urls:
            if url not in cited:
                cited.add(url)
                citations.append(
                    Citation(None, str(url), line, scheme_added=isinstance(url, SchemeAdded))
                )
        citations.sort(key=lambda c: c.line)
    info = DocumentInfo(
        path=source.path,
        sha256=source.sha256,
        format=fmt,
        encoding=source.encoding,
        cited_on=cited_on,
        title=parsed.title or (document_title(source.text, fmt) if source.text else None),
    )
    return Extraction(info, tuple(citations), (*source.warnings, *parsed.warnings))


def sniff_binary(path: Path, data: bytes) -> str | None:
    """``pdf``, ``docx``, ``odt`` or ``epub`` by the file's content (not its name); None for
    text. OpenDocument and EPUB files name their type in a first, uncompressed ``mimetype``."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        if b"mimetype" in head[:60]:
            if b"application/vnd.oasis.opendocument.text" in head:
                return "odt"
            if b"application/epub+zip" in head:
                return "epub"
        return "docx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2 compound file
        if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k" in data:
            raise DocumentError(
                f"{path}: a password-protected Office document: remove the password"
            )
        raise DocumentError(f"{path}: an old binary Word (.doc) file: save it as .docx or PDF")
    return None


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Parsing allocates millions of short-lived objects and no cycles worth collecting; the
    cycle collector's passes over an ever larger heap would make big documents superlinear."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def extract(path: Path, *, all_links: bool = False, data: bytes | None = None) -> Extraction:
    """Read the document at ``path`` (text, Markdown, HTML, DOCX or PDF) and its citations;
    ``data`` is the document itself when it does not come from a file (standard input)."""
    with _no_cycle_collection():
        return _extract(path, all_links, data)


def _extract(path: Path, all_links: bool, data: bytes | None) -> Extraction:
    if data is None:
        data = read_bytes(path)
    elif not data.strip():  # as read_bytes says of an empty file
        raise DocumentError(f"{path}: the document is empty")
    binary = sniff_binary(path, data)
    if binary is None:
        source = decode(path, data)
        return extract_text(source, detect_format(path, source.text), all_links=all_links)
    # Imported here: most documents are text, and these readers take a while to load.
    if binary == "docx":
        from kzarchive.extract.docx import parse as reader
    elif binary == "odt":
        from kzarchive.extract.odt import parse as reader
    elif binary == "epub":
        from kzarchive.extract.epub import parse as reader
    else:
        from kzarchive.extract.pdf import parse as reader
    try:
        parsed = reader(data, str(path))
    except DocumentError:
        raise
    except BROKEN_FILE as exc:
        # A damaged file (a bad checksum, a cut zip, malformed XML) is one clear line.
        raise DocumentError(
            f"{path}: corrupt {binary.upper()} file ({type(exc).__name__})"
        ) from None
    source = SourceText(str(path), "", hashlib.sha256(data).hexdigest(), "binary")
    return _citations(source, binary, parsed, all_links, cited_on=parsed.cited_on)
