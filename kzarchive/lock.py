"""One run per output folder: a lock file the operating system releases even after ``kill -9``."""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType
from typing import IO

from kzarchive.errors import KzarchiveError

LOCK_NAME = ".lock"


class FolderLock:
    """Exclusive, non-blocking lock on ``folder/.lock``; a second holder gets a clear error."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / LOCK_NAME
        self._stream: IO[str] | None = None

    def __enter__(self) -> FolderLock:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            stream = self.path.open("a+", encoding="utf-8")
        except OSError as exc:
            raise KzarchiveError(
                f"{self.folder}: cannot use as output folder: {exc.strerror or exc}"
            ) from None
        try:
            _lock(stream)
        except OSError:
            stream.seek(0)
            holder = stream.read().strip() or "unknown"
            stream.close()
            raise KzarchiveError(
                f"another kzarchive run (pid {holder}) is working on {self.folder}; "
                "wait for it to finish or use another --out folder"
            ) from None
        stream.seek(0)
        stream.truncate()
        stream.write(str(os.getpid()))
        stream.flush()
        self._stream = stream
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._stream is not None:
            self._stream.seek(0)
            self._stream.truncate()
            _unlock(self._stream)
            self._stream.close()
            self._stream = None


try:
    import fcntl

    def _lock(stream: IO[str]) -> None:
        fcntl.flock(stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(stream: IO[str]) -> None:
        fcntl.flock(stream.fileno(), fcntl.LOCK_UN)

except ImportError:  # Windows
    import msvcrt

    def _lock(stream: IO[str]) -> None:
        stream.seek(0)
        msvcrt.locking(stream.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]

    def _unlock(stream: IO[str]) -> None:
        stream.seek(0)
        msvcrt.locking(stream.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
