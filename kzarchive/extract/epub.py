"""The reader for EPUB books (reports published as e-books).

An EPUB is a zip: ``META-INF/container.xml`` names the package document, whose spine lists the
XHTML files in reading order. They are read in that order as one HTML document, references to
another file's note (``notes.xhtml#n5``) made local, and handed to the HTML reader, which knows
EPUB's ``epub:type="noteref"`` references and ``footnote``/``endnote``/``rearnote`` notes (often
``<aside>``) besides pandoc's and Word's shapes. Pandoc- and Calibre-made books are among the
fixtures.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from io import BytesIO
from xml.etree import ElementTree as ET

from kzarchive.errors import DocumentError
from kzarchive.extract.html import parse as parse_html
from kzarchive.extract.notes import Parsed

CONTAINER = "{urn:oasis:names:tc:opendocument:xmlns:container}"
OPF = "{http://www.idpf.org/2007/opf}"
_BODY = re.compile(r"<body\b[^>]*>(.*?)</body\s*>", re.IGNORECASE | re.DOTALL)
_CROSS_FILE = re.compile(r"""href=(["'])[^"'#:]*#""", re.IGNORECASE)
MAX_CHAPTERS = 2000


def _spine(archive: zipfile.ZipFile) -> list[str]:
    container = ET.fromstring(archive.read("META-INF/container.xml"))
    rootfile = container.find(f".//{CONTAINER}rootfile")
    if rootfile is None or not rootfile.get("full-path"):
        raise ValueError("no package document")
    opf_path = str(rootfile.get("full-path"))
    package = ET.fromstring(archive.read(opf_path))
    base = posixpath.dirname(opf_path)
    items = {
        item.get("id"): item.get("href", "")
        for item in package.iter(f"{OPF}item")
        if "html" in (item.get("media-type") or "")
    }
    order = [
        items[ref.get("idref")]
        for ref in package.iter(f"{OPF}itemref")
        if ref.get("idref") in items
    ]
    return [posixpath.normpath(posixpath.join(base, href)) for href in order][:MAX_CHAPTERS]


def parse(data: bytes, source: str = "document") -> Parsed:
    """Find every footnote and endnote of an EPUB book and the URLs each cites."""
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        chapters = [
            archive.read(name).decode("utf-8", errors="replace") for name in _spine(archive)
        ]
    except (zipfile.BadZipFile, KeyError, ET.ParseError, OSError, ValueError) as exc:
        raise DocumentError(f"{source}: corrupt EPUB ({type(exc).__name__})") from None
    bodies = []
    for chapter in chapters:
        match = _BODY.search(chapter)
        bodies.append(_CROSS_FILE.sub(r"href=\1#", match.group(1) if match else chapter))
    return parse_html("<html><body>\n" + "\n".join(bodies) + "\n</body></html>")
