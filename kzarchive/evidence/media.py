"""Media of video pages, direct media files and pages with an HTML5 player, downloaded with
yt-dlp (an optional extra: ``pip install 'kzarchive[media]'``) into ``media/``.

yt-dlp is the maintained extractor for over a thousand sites; it is synchronous, so each download
runs in a worker thread, a few at a time, each bounded in size (``--media-max``) and in how long
the network may stay silent.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kzarchive.evidence.digests import file_sha256
from kzarchive.evidence.records import MediaFile

MEDIA_DIR = "media"
INSTALL_HINT = "--media needs yt-dlp: pip install 'kzarchive[media]'"
AT_ONCE = 2


class MediaUnavailable(Exception):
    """yt-dlp is not installed."""


@dataclass(frozen=True)
class MediaResult:
    files: tuple[MediaFile, ...] = ()
    error: str | None = None


def require_yt_dlp() -> None:
    """Raise :class:`MediaUnavailable` (with how to install it) when yt-dlp is missing."""
    try:
        import yt_dlp  # noqa: F401
    except ImportError:
        raise MediaUnavailable(INSTALL_HINT) from None


def has_extractor(url: str) -> bool:
    """Whether a site-specific yt-dlp extractor (not the generic one) takes ``url``."""
    from yt_dlp.extractor import gen_extractor_classes

    return any(ie.suitable(url) for ie in gen_extractor_classes() if ie.ie_key() != "Generic")


def folder_name(url: str) -> str:
    """A folder of its own for each URL: readable, and unique by a short hash."""
    readable = re.sub(r"[^A-Za-z0-9._-]+", "-", url.split("://", 1)[-1])[:60].strip("-.")
    return f"{readable}-{hashlib.sha256(url.encode()).hexdigest()[:10]}"


_REASONS = (
    (re.compile(r"unsupported url", re.I), "unsupported URL"),
    (re.compile(r"log ?in|sign ?in|cookies|authenticat", re.I), "login required"),
    (re.compile(r"private", re.I), "private video"),
    (re.compile(r"not available|unavailable|removed|deleted", re.I), "media unavailable"),
    (re.compile(r"no video formats|no media", re.I), "no media found"),
    (re.compile(r"http error 404|not found", re.I), "media not found (404)"),
    (re.compile(r"timed? ?out", re.I), "timeout"),
)


def reason_of(message: str) -> str:
    """A short reason from what yt-dlp said ("login required", "unsupported URL"...), with
    its own words after it."""
    said = " ".join(message.replace("ERROR:", "").split())
    for pattern, reason in _REASONS:
        if pattern.search(said):
            return f"{reason}: {said[:200]}"
    return said[:200] or "yt-dlp failed"


class _Quiet:
    """yt-dlp's logger: keeps what it says instead of printing it on our stdout."""

    def __init__(self) -> None:
        self.said: list[str] = []

    def debug(self, message: str) -> None:
        if "max-filesize" in message or "larger than" in message:
            self.said.append(message)

    def info(self, message: str) -> None:
        self.debug(message)

    def warning(self, message: str) -> None:
        self.said.append(message)

    def error(self, message: str) -> None:
        self.said.append(message)


def download(
    url: str, target: Path, max_bytes: int, timeout: float, cookies: str | None = None
) -> MediaResult:
    """Download ``url``'s media and ``.info.json`` into ``target`` (sync; run in a thread)."""
    import yt_dlp

    target.mkdir(parents=True, exist_ok=True)
    logger = _Quiet()
    options: dict[str, Any] = {
        "outtmpl": str(target / "%(id).80B.%(ext)s"),
        "writeinfojson": True,
        "max_filesize": max_bytes,
        "socket_timeout": timeout,
        "retries": 1,
        "fragment_retries": 1,
        "extractor_retries": 0,
        "noplaylist": True,
        "playlist_items": "1",
        "format": "best/bestvideo+bestaudio",
        "quiet": True,
        "no_warnings": True,
        "noprogress": True,
        "logger": logger,
        "color": "never",
        "overwrites": False,
    }
    if cookies is not None:  # a text stream: yt-dlp writes cookies back to a file it is given
        options["cookiefile"] = io.StringIO(cookies)
    try:
        with yt_dlp.YoutubeDL(options) as ydl:
            ydl.extract_info(url, download=True)
    except yt_dlp.utils.DownloadError as exc:
        return MediaResult(_files(target), reason_of(str(exc)))
    except (OSError, ValueError) as exc:
        return MediaResult(_files(target), reason_of(str(exc)))
    files = _files(target)
    media = [f for f in files if not f.path.endswith(".info.json")]
    if not media:
        too_big = any("max-filesize" in s or "larger than" in s for s in logger.said)
        error = f"larger than --media-max ({max_bytes} bytes)" if too_big else "no media found"
        return MediaResult(files, error)
    return MediaResult(files)


def _files(target: Path) -> tuple[MediaFile, ...]:
    root = target.parent.parent
    found = sorted(
        p for p in target.iterdir() if p.is_file() and not p.name.endswith((".part", ".ytdl"))
    )
    return tuple(
        MediaFile(p.relative_to(root).as_posix(), file_sha256(p), p.stat().st_size) for p in found
    )


async def download_all(
    folder: Path,
    urls: list[str],
    max_bytes: int,
    timeout: float,
    cookies: str | None = None,
    done: Callable[[str, MediaResult], None] | None = None,
) -> dict[str, MediaResult]:
    """Each URL's media, a few downloads at a time."""
    slots = asyncio.Semaphore(AT_ONCE)
    results: dict[str, MediaResult] = {}

    async def one(url: str) -> None:
        async with slots:
            target = folder / MEDIA_DIR / folder_name(url)
            results[url] = await asyncio.to_thread(
                download, url, target, max_bytes, timeout, cookies
            )
            if done is not None:
                done(url, results[url])

    await asyncio.gather(*map(one, urls))
    return results
