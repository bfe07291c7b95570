"""A PDF's pages as positioned runs of characters and link annotations, read with pypdfium2.

PDFium (Chrome's PDF engine, BSD-3-Clause; pypdfium2 is Apache-2.0 or BSD-3-Clause) gives every
character with its origin, font size and transformation, repairs broken cross-reference tables
as Chrome does, and opens PDFs encrypted with an empty password. This module turns one page at a
time into runs: characters on one baseline, in one size, with no gap wider than a few spaces
between them. What a run means (body, superscript, note) is for the layout reader (``pdf.py``).
Only one page is held at a time, so memory is bounded by the largest page.

PDFium marks a hyphen that ends a line (``IsHyphen``) with U+FFFE (or U+0002): it is given back
as ``-`` at the end of its run, and the reader decides whether it belongs to the word or URL.
"""

from __future__ import annotations

import ctypes
import functools
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from kzarchive.errors import DocumentError

# Characters PDFium puts where a hyphen ends a line
_LINE_HYPHENS = "\ufffe\x02"
# Characters further apart than this many font sizes are two runs (columns, table cells)
RUN_GAP = 1.5


@dataclass
class Run:
    """Characters on one baseline in one size, left to right."""

    x: float
    y: float
    size: float
    text: str
    x1: float = 0.0
    sup: bool = False


@dataclass(frozen=True)
class LinkArea:
    """A link annotation's URI and the rectangles it covers (its quads, else its rectangle)."""

    page: int
    uri: str
    rects: tuple[tuple[float, float, float, float], ...]


@dataclass
class Page:
    number: int
    width: float
    height: float
    runs: list[Run] = field(default_factory=list)
    links: list[LinkArea] = field(default_factory=list)


def open_document(data: bytes, source: str) -> object:
    """The PDF opened, or a :class:`DocumentError` that says in one line why it cannot be."""
    import pypdfium2  # imported here: most documents are not PDFs, and it takes a while to load

    try:
        return pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        import pypdfium2.raw as raw

        code = getattr(exc, "err_code", None)
        if code == raw.FPDF_ERR_PASSWORD:
            raise DocumentError(
                f"{source}: a password-protected PDF: remove the password first"
            ) from None
        if code == raw.FPDF_ERR_SECURITY:
            raise DocumentError(
                f"{source}: an encrypted PDF whose encryption PDFium does not support"
            ) from None
        # PDFium rebuilds a broken cross-reference table by itself: what it cannot open has
        # no readable structure left (cut short, or not a PDF past its header)
        raise DocumentError(
            f"{source}: corrupt PDF: no readable structure (cut short, or its cross-reference "
            "table and objects are broken)"
        ) from None


_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF", re.DOTALL)


def broken_xref(data: bytes) -> bool:
    """Whether the PDF's last ``startxref`` points at no cross-reference table or stream (PDFium
    then rebuilds the table from the objects themselves, as viewers do)."""
    found = list(_STARTXREF.finditer(data[-2048:]))
    if not found:
        return True
    offset = int(found[-1].group(1))
    if offset >= len(data):
        return True
    head = data[offset : offset + 32].lstrip()
    return not (head.startswith(b"xref") or re.match(rb"\d+\s+\d+\s+obj", head))


def read_pages(document: object) -> Iterator[Page]:
    """Every page of an opened document, one at a time."""
    import pypdfium2

    assert isinstance(document, pypdfium2.PdfDocument)
    try:
        for index in range(len(document)):
            page = document[index]
            try:
                width, height = page.get_size()
                found = Page(index + 1, float(width), float(height))
                textpage = page.get_textpage()
                try:
                    found.runs = _runs(textpage)
                finally:
                    textpage.close()
                found.links = _links(document, page, index + 1)
            finally:
                page.close()
            yield found
    finally:
        document.close()


@functools.cache
def _fast_calls() -> tuple[Any, Any, Any, Any]:
    """The calls made for every character, with plain pointer types: pypdfium2's own bindings
    convert typed pointers on every call, which costs more than the call itself (a 76-page
    report's characters: 0.6 s instead of 2.7 s)."""
    import pypdfium2.raw as raw

    def plain(function: Any, restype: Any, *argtypes: Any) -> Any:
        address = ctypes.cast(function, ctypes.c_void_p).value
        assert address is not None
        return ctypes.CFUNCTYPE(restype, *argtypes)(address)

    pointer = ctypes.c_void_p
    return (
        plain(raw.FPDFText_GetCharOrigin, ctypes.c_int, pointer, ctypes.c_int, pointer, pointer),
        plain(raw.FPDFText_GetTextObject, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int),
        plain(raw.FPDFText_GetMatrix, ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p),
        plain(raw.FPDFText_GetFontSize, ctypes.c_double, ctypes.c_void_p, ctypes.c_int),
    )


def _runs(textpage: object) -> list[Run]:
    import pypdfium2.raw as raw

    handle = textpage.raw  # type: ignore[attr-defined]
    count = raw.FPDFText_CountChars(handle)
    if count <= 0:
        return []
    text = textpage.get_text_range(0, count)  # type: ignore[attr-defined]
    if len(text) != count:  # characters outside the BMP: one call each instead
        text = "".join(chr(raw.FPDFText_GetUnicode(handle, i) or 0xFFFD) for i in range(count))
    x, y = ctypes.c_double(), ctypes.c_double()
    px, py = ctypes.addressof(x), ctypes.addressof(y)
    matrix = raw.FS_MATRIX()
    pmatrix = ctypes.addressof(matrix)
    origin, text_object, get_matrix, font_size = _fast_calls()
    handle = ctypes.cast(handle, ctypes.c_void_p).value
    runs: list[Run] = []
    current: Run | None = None
    last_object: int | None = None
    size = 0.0
    end = 0.0  # where the last character ended, roughly
    space = False  # a space since the last character
    rotated = False
    for index in range(count):
        char = text[index]
        if char in "\r\n":
            current = None
            continue
        if char.isspace():
            space = True
            continue
        address = text_object(handle, index)
        if address != last_object:
            last_object = address
            get_matrix(handle, index, pmatrix)
            scale = math.hypot(matrix.c, matrix.d) or 1.0
            size = round(font_size(handle, index) * scale, 2)
            # Rotated or mirrored text (a figure's labels, an arXiv stamp up the margin) is no
            # line of the text
            rotated = (
                abs(matrix.b) > 0.05 * abs(matrix.a)
                or abs(matrix.c) > 0.05 * abs(matrix.d)
                or matrix.a <= 0
                or matrix.d <= 0
            )
        if rotated:
            current = None
            continue
        origin(handle, index, px, py)
        cx, cy = x.value, y.value
        if char in _LINE_HYPHENS:
            char = "-"
        if (
            current is None
            or abs(cy - current.y) > 0.5
            or abs(size - current.size) > 0.25
            or cx < end - size
            or cx - end > RUN_GAP * max(size, 1.0)
        ):
            # A space before the new run is kept at its start, where the reader will see it
            current = Run(cx, cy, size, " " if space else "", cx)
            runs.append(current)
        elif space:
            current.text += " "
        space = False
        current.text += char
        end = cx + 0.5 * size
        current.x1 = end
    for run in runs:
        run.text = run.text.rstrip()
    return [run for run in runs if run.text.strip()]


def _links(document: object, page: object, number: int) -> list[LinkArea]:
    import pypdfium2.raw as raw

    found: list[LinkArea] = []
    position = ctypes.c_int(0)
    link = raw.FPDF_LINK()
    rect = raw.FS_RECTF()
    quad = raw.FS_QUADPOINTSF()
    while raw.FPDFLink_Enumerate(page.raw, ctypes.byref(position), ctypes.byref(link)):  # type: ignore[attr-defined]
        action = raw.FPDFLink_GetAction(link)
        if not action or raw.FPDFAction_GetType(action) != raw.PDFACTION_URI:
            continue
        size = raw.FPDFAction_GetURIPath(document.raw, action, None, 0)  # type: ignore[attr-defined]
        if size <= 1:
            continue
        buffer = ctypes.create_string_buffer(size)
        raw.FPDFAction_GetURIPath(document.raw, action, buffer, size)  # type: ignore[attr-defined]
        uri = buffer.value.decode("utf-8", "replace").strip()
        rects: list[tuple[float, float, float, float]] = []
        for index in range(raw.FPDFLink_CountQuadPoints(link)):
            if raw.FPDFLink_GetQuadPoints(link, index, ctypes.byref(quad)):
                xs = (quad.x1, quad.x2, quad.x3, quad.x4)
                ys = (quad.y1, quad.y2, quad.y3, quad.y4)
                rects.append((min(xs), min(ys), max(xs), max(ys)))
        if not rects and raw.FPDFLink_GetAnnotRect(link, ctypes.byref(rect)):
            rects.append(
                (
                    min(rect.left, rect.right),
                    min(rect.bottom, rect.top),
                    max(rect.left, rect.right),
                    max(rect.bottom, rect.top),
                )
            )
        if uri and rects:
            found.append(LinkArea(number, uri, tuple(rects)))
    return found
