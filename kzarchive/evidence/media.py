"""Media of video pages, direct media files and pages with a player (HTML5, or an embedded
platform's), downloaded with yt-dlp into ``media/`` and put in the WACZ (:mod:`.mediawarc`).

yt-dlp is the maintained extractor for over a thousand sites; it is synchronous, so each download
runs in a worker thread, a few at a time, each bounded in size (``--media-max``) and in how long
the network may stay silent.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kzarchive.check.platforms import ytdlp_answer
from kzarchive.evidence.digests import file_sha256
from kzarchive.evidence.records import MediaFile
from kzarchive.privacy import is_private_name, resolves_private

MEDIA_DIR = "media"
INSTALL_HINT = "no media kept: yt-dlp cannot be imported (reinstall kzarchive, which needs it)"
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
    platform = ytdlp_answer(said) if not _REASONS[0][0].search(said) else None
    if platform is not None:  # the platform's own word: private, removed, age-gate...
        return f"{platform.reason}: {said[:200]}"
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


# The default format: the best single file with both video and audio up to 720p, in MP4 where
# there is a choice. 720p shows faces, signs and text legibly at a fifth to a tenth of the bytes of
# 4K; MP4 (H.264/AAC) plays in every browser, so the WACZ replays it. With ffmpeg present the best
# video up to 720p and the best audio are merged into one MP4 (YouTube serves single files with
# both only at 360p); without it no merge is asked for, so a machine without ffmpeg still keeps a
# playable file.
# Within --media-max where the sizes are known: a smaller format that fits is better than none
# (a format over it is then refused by yt-dlp's max_filesize, and the manifest says so).
SORT = ["res:720", "ext:mp4:m4a"]
FORMAT_MERGED = "bv*{fits}+ba{fits}/b{fits}/bv*+ba/b"
FORMAT_SINGLE = "b{fits}/b*{fits}/b/b*"
HTTP = ("http", "https")  # yt-dlp's protocols of a file fetched whole from one URL
# Fields yt-dlp puts in its info that must never be written out: --cookies' values.
PRIVATE_FIELDS = frozenset({"cookies", "Cookie", "cookie"})


def can_merge() -> bool:
    """Whether yt-dlp finds an ffmpeg to merge video and audio with."""
    from yt_dlp.postprocessor.ffmpeg import FFmpegPostProcessor

    return bool(FFmpegPostProcessor(None).available)


def ytdlp_options(
    target: Path, max_bytes: int, timeout: float, logger: object, cookies: str | None = None
) -> dict[str, Any]:
    """yt-dlp's options for one link's media (format, bounds, quiet, no files of its own)."""
    merge = can_merge()
    options: dict[str, Any] = {
        "outtmpl": str(target / "%(id).80B.%(ext)s"),
        "format": (FORMAT_MERGED if merge else FORMAT_SINGLE).format(
            fits=f"[filesize<?{max_bytes}][filesize_approx<?{max_bytes}]"
        ),
        "format_sort": SORT,
        "max_filesize": max_bytes,
        "socket_timeout": timeout,
        "retries": 1,
        "fragment_retries": 1,
        "extractor_retries": 0,
        "noplaylist": True,
        "playlist_items": "1",
        "quiet": True,
        "no_warnings": True,
        "noprogress": True,
        "logger": logger,
        "color": "never",
        "overwrites": False,
    }
    if cookies is not None:  # a text stream: yt-dlp writes cookies back to a file it is given
        options["cookiefile"] = io.StringIO(cookies)
    if merge:
        options["merge_output_format"] = "mp4"
    return options


def _scrubbed(value: object) -> object:
    """``value`` without cookie fields, at any depth."""
    if isinstance(value, dict):
        return {k: _scrubbed(v) for k, v in value.items() if k not in PRIVATE_FIELDS}
    if isinstance(value, list):
        return [_scrubbed(v) for v in value]
    return value


def _sources(info: dict[str, Any]) -> dict[str, str]:
    """Each downloaded file's name and the one URL that served it whole (a format fetched over
    plain HTTP); a merged file or one put together from fragments has none."""
    url, protocol = info.get("url"), str(info.get("protocol") or "")
    if info.get("requested_formats") or not isinstance(url, str) or protocol not in HTTP:
        return {}
    return {
        Path(str(done["filepath"])).name: url
        for done in info.get("requested_downloads") or ()
        if done.get("filepath")
    }


def private_target(info: dict[str, Any]) -> str | None:
    """The first host the chosen media would be fetched from that is on a private network (by
    its name, its literal address or what it resolves to); None when there is none."""
    for chosen in info.get("requested_formats") or [info]:
        for key in ("url", "manifest_url", "fragment_base_url"):
            value = chosen.get(key)
            host = urlsplit(value).hostname if isinstance(value, str) else None
            if host and (is_private_name(host) or _resolves_private(host)):
                return host
    return None


def _resolves_private(host: str) -> bool:
    try:
        found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return False  # a name that does not resolve is not fetched either
    return resolves_private(str(entry[4][0]) for entry in found)


def download(
    url: str,
    target: Path,
    max_bytes: int,
    timeout: float,
    cookies: str | None = None,
    exclude_private: bool = False,
) -> MediaResult:
    """Download ``url``'s media and its ``.info.json`` into ``target`` (sync; run in a thread).

    The info is written here, not by yt-dlp: it is scrubbed of cookies first. With
    ``exclude_private``, media on a private network are not fetched (``--exclude-private``).
    """
    import yt_dlp

    target.mkdir(parents=True, exist_ok=True)
    logger = _Quiet()
    info: dict[str, Any] | None = None
    error: str | None = None
    try:
        with yt_dlp.YoutubeDL(ytdlp_options(target, max_bytes, timeout, logger, cookies)) as ydl:
            # What the page says about its media is kept even when the file cannot be had.
            info = ydl.extract_info(url, download=False)
            if info is not None:
                clean = _scrubbed(ydl.sanitize_info(info, remove_private_keys=True))
                name = f"{str(info.get('id') or 'media')[:80]}.info.json"
                (target / name).write_text(json.dumps(clean, ensure_ascii=False, indent=1))
                private = private_target(info) if exclude_private else None
                if private is not None:
                    error = f"private-address: the media is on {private} (--exclude-private)"
                else:
                    info = ydl.process_ie_result(info, download=True)
    except yt_dlp.utils.DownloadError as exc:
        error = reason_of(str(exc))
    except (OSError, ValueError) as exc:
        error = reason_of(str(exc))
    sources = _sources(info) if info is not None else {}
    files = tuple(replace(f, source=sources.get(Path(f.path).name)) for f in _files(target))
    media = [f for f in files if not f.path.endswith(".info.json")]
    if error is None and not media:
        too_big = any("max-filesize" in s or "larger than" in s for s in logger.said)
        error = f"larger than --media-max ({max_bytes} bytes)" if too_big else "no media found"
    return MediaResult(files, error)


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
    *,
    exclude_private: bool = False,
) -> dict[str, MediaResult]:
    """Each URL's media, a few downloads at a time (none from a private network when
    ``exclude_private``)."""
    slots = asyncio.Semaphore(AT_ONCE)
    results: dict[str, MediaResult] = {}

    async def one(url: str) -> None:
        async with slots:
            target = folder / MEDIA_DIR / folder_name(url)
            results[url] = await asyncio.to_thread(
                download, url, target, max_bytes, timeout, cookies, exclude_private
            )
            if done is not None:
                done(url, results[url])

    await asyncio.gather(*map(one, urls))
    return results
