"""Reading a document file into text, with clear errors for what is not a readable document.

Reports in Russian and Kazakh often come as cp1251 or KOI8-R: a file that is not UTF-8 is decoded by
detecting its encoding, and the caller is told which one was assumed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from kzarchive.errors import DocumentError

MAX_DOCUMENT_BYTES = 1 << 30


@dataclass(frozen=True)
class SourceText:
    """A document's bytes decoded to text."""

    path: str
    text: str
    sha256: str
    encoding: str
    warnings: tuple[str, ...] = ()


def read_bytes(path: Path) -> bytes:
    """The file's bytes, or a :class:`DocumentError` that says in one line why not."""
    if not path.exists():
        raise DocumentError(f"{path}: no such file")
    if path.is_dir():
        raise DocumentError(f"{path}: is a directory, not a document")
    try:
        size = path.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            raise DocumentError(f"{path}: too large ({size} bytes)")
        data = path.read_bytes()
    except PermissionError:
        raise DocumentError(f"{path}: permission denied") from None
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if not data.strip():
        raise DocumentError(f"{path}: the document is empty")
    return data


def decode_exact(path: Path, data: bytes) -> tuple[str, str]:
    """The text exactly as stored (newlines and all) and its encoding; binary files refused."""
    if b"\x00" in data[:8192]:
        raise DocumentError(f"{path}: looks like a binary file, not a text document")
    try:
        return data.decode("utf-8-sig"), "utf-8-sig" if data.startswith(
            b"\xef\xbb\xbf"
        ) else "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # only for text that is not UTF-8

    best = from_bytes(data[: 1 << 20]).best()
    if best is None or best.encoding is None:
        raise DocumentError(f"{path}: not a text document (no text encoding fits its bytes)")
    try:
        return data.decode(best.encoding), best.encoding
    except (UnicodeDecodeError, LookupError):
        raise DocumentError(f"{path}: cannot decode as {best.encoding}") from None


def decode(path: Path, data: bytes) -> SourceText:
    """Decode ``data`` as UTF-8, else as the encoding detected, refusing binary files."""
    text, encoding = decode_exact(path, data)
    warnings = (
        () if encoding.startswith("utf-8") else (f"{path}: not UTF-8; decoded as {encoding}",)
    )
    digest = hashlib.sha256(data).hexdigest()
    return SourceText(str(path), normalise_newlines(text), digest, encoding, warnings)


def read_text(path: Path) -> SourceText:
    """Read and decode the document at ``path``."""
    return decode(path, read_bytes(path))


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
