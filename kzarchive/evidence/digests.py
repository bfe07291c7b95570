"""SHA-256 of files and streams, read in chunks: evidence files may be gigabytes."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import IO

CHUNK = 1024 * 1024


def stream_sha256(stream: IO[bytes]) -> tuple[str, int]:
    """The SHA-256 (hex) and size of what is left in ``stream``."""
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def file_sha256(path: Path) -> str:
    with path.open("rb") as stream:
        return stream_sha256(stream)[0]
