"""What a video platform itself says about a video, read as a verdict.

A YouTube watch page answers HTTP 200 whether the video plays, is private, was removed, is
behind an age gate or behind YouTube's "Sign in to confirm you're not a bot" wall: the page's
likeness to a probe of a missing video says little, and says it wrongly for walls. The platform's
own status does say it: ``playabilityStatus`` in the ``ytInitialPlayerResponse`` object the page
carries (the object yt-dlp and pytube read too), the answer of its oEmbed endpoint, yt-dlp's
error messages. These pure functions read them; the checker and the snapshot judge apply them.

- removed, private or unavailable: ``dead`` with reason ``removed``, ``private`` or
  ``unavailable``;
- an age gate, a bot wall, a consent page, a video kept from this country or one that needs a
  login for another reason: ``blocked`` (a wall in front of the video, never a verdict on it);
- a playable video (or a live stream not started yet): ``alive``.

The JSON is found where the page assigns it and decoded with :mod:`json`; regular expressions
only find where it starts and read the platform's words once they are decoded.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from kzarchive.check.reasons import Reason
from kzarchive.models import Verdict

YOUTUBE_HOSTS = ("youtube.com", "youtube-nocookie.com", "youtu.be")
CONSENT_HOSTS = ("consent.youtube.com", "consent.google.com")
_VIDEO_PATH = re.compile(r"^/(watch|shorts/|live/|embed/|v/)")
_PLAYER_RESPONSE = re.compile(
    r"""(?:\bytInitialPlayerResponse|\[["']ytInitialPlayerResponse["']\])\s*=\s*(?=\{)"""
)
MAX_PAGE = 4 * 1024 * 1024


@dataclass(frozen=True)
class PlatformAnswer:
    """A platform's own answer about one video: the verdict, its reason, and its words."""

    verdict: Verdict
    reason: str
    said: str = ""


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _on(host: str, domains: tuple[str, ...]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def is_youtube_video(url: str) -> bool:
    """A YouTube address that shows one video (watch, shorts, live, embed, youtu.be)."""
    host = _host(url)
    if host == "youtu.be" or host.endswith(".youtu.be"):
        return bool(urlsplit(url).path.strip("/"))
    return _on(host, YOUTUBE_HOSTS) and bool(_VIDEO_PATH.match(urlsplit(url).path))


def is_consent_page(url: str) -> bool:
    """Google's cookie-consent page, where European visitors land before any YouTube page."""
    return _on(_host(url), CONSENT_HOSTS)


def player_response(page: bytes | str) -> dict[str, Any] | None:
    """The ``ytInitialPlayerResponse`` object a YouTube page assigns, decoded; None if absent.

    Pages assign it more than once (a ``var`` with the object, later a read of
    ``window.ytInitialPlayerResponse``): the first assignment of an object is taken.
    """
    text = page[:MAX_PAGE].decode("utf-8", "replace") if isinstance(page, bytes) else page
    decoder = json.JSONDecoder()
    for match in _PLAYER_RESPONSE.finditer(text):
        try:
            found, _ = decoder.raw_decode(text, match.end())
        except ValueError:
            continue
        if isinstance(found, dict):
            return found
    return None


def _text(value: object) -> str:
    """The words of a YouTube text object (``{"simpleText": ...}`` or ``{"runs": [...]}``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if isinstance(value.get("simpleText"), str):
            return str(value["simpleText"])
        runs = value.get("runs")
        if isinstance(runs, list):
            return "".join(str(r.get("text", "")) for r in runs if isinstance(r, dict))
    return ""


def _words(status: dict[str, Any]) -> str:
    """Everything the status says in words: reason, messages, the error screen's reasons."""
    screen = status.get("errorScreen")
    renderer = screen.get("playerErrorMessageRenderer") if isinstance(screen, dict) else None
    renderer = renderer if isinstance(renderer, dict) else {}
    messages = status.get("messages")
    parts = [
        _text(status.get("reason")),
        _text(renderer.get("reason")),
        _text(renderer.get("subreason")),
        *(_text(m) for m in (messages if isinstance(messages, list) else [])),
    ]
    seen: list[str] = []
    for part in (" ".join(p.split()) for p in parts):
        if part and part not in seen:
            seen.append(part)
    return " / ".join(seen)


_AGE = re.compile(r"confirm your age|age-restricted|inappropriate for some users", re.I)
_BOT = re.compile(r"not a bot|unusual traffic|captcha", re.I)
_PRIVATE = re.compile(r"\bprivate video\b|this (?:video|content) is private", re.I)
_COUNTRY = re.compile(r"in your country|in your (?:region|location)|geo.?restrict", re.I)
_REMOVED = re.compile(
    r"has been removed|was removed|been deleted|was deleted|account (?:associated with this "
    r"video )?has been terminated|copyright (?:claim|grounds)|violat\w+ (?:youtube's|our)",
    re.I,
)


def playability(player: dict[str, Any]) -> PlatformAnswer | None:
    """YouTube's ``playabilityStatus`` as a verdict; None when it is absent or of a kind not
    known here (then the page is judged as any other).

    Statuses as pages carry them (``../shared/fixtures/platforms``): ``OK``; ``LOGIN_REQUIRED``
    for a private video, an age gate and the bot wall; ``UNPLAYABLE`` for a video kept from
    this country or gone; ``ERROR`` for a video that does not exist (any more).
    """
    status = player.get("playabilityStatus")
    if not isinstance(status, dict) or not isinstance(status.get("status"), str):
        return None
    kind = status["status"].upper()
    said = _words(status)
    if kind in ("OK", "LIVE_STREAM_OFFLINE"):  # plays, or a stream that has not started
        return PlatformAnswer("alive", "", said or kind)
    if kind in ("AGE_VERIFICATION_REQUIRED", "AGE_CHECK_REQUIRED") or _AGE.search(said):
        return PlatformAnswer("blocked", Reason.AGE_GATE, said or kind)
    if _BOT.search(said):
        return PlatformAnswer("blocked", Reason.BOT_CHALLENGE, said)
    if _PRIVATE.search(said):
        return PlatformAnswer("dead", Reason.PRIVATE, said)
    if _COUNTRY.search(said):
        return PlatformAnswer("blocked", Reason.GEO_BLOCKED, said)
    if kind == "CONTENT_CHECK_REQUIRED":  # a warning to click through: the video is there
        return PlatformAnswer("blocked", Reason.CONTENT_WARNING, said or kind)
    if kind == "LOGIN_REQUIRED":  # members only, or another reason to log in
        return PlatformAnswer("blocked", Reason.LOGIN_WALL, said or kind)
    if kind in ("UNPLAYABLE", "ERROR"):
        if _REMOVED.search(said):
            return PlatformAnswer("dead", Reason.REMOVED, said)
        return PlatformAnswer("dead", Reason.UNAVAILABLE, said or kind)
    return None


def youtube_answer(cited: str, final: str, body: bytes) -> PlatformAnswer | None:
    """What YouTube says about the video ``cited`` names, from the page that answered at
    ``final``; None when this is not a YouTube video page or it says nothing known."""
    if not (is_youtube_video(cited) or is_youtube_video(final)):
        return None
    if is_consent_page(final):
        return PlatformAnswer("blocked", Reason.CONSENT_WALL, "a cookie-consent page")
    if not is_youtube_video(final):
        return None
    player = player_response(body)
    return playability(player) if player is not None else None


def oembed_address(video_url: str) -> str | None:
    """Where YouTube's oEmbed endpoint describes ``video_url`` (on the page's own host)."""
    if not is_youtube_video(video_url):
        return None
    host = _host(video_url)
    parts = urlsplit(video_url)
    netloc = parts.netloc if _on(host, ("youtube.com",)) else "www.youtube.com"
    query = urlencode({"url": video_url, "format": "json"})
    return f"{parts.scheme or 'https'}://{netloc}/oembed?{query}"


def oembed_answer(status: int, body: bytes) -> PlatformAnswer | None:
    """What an oEmbed endpoint's answer says about the video; None when it says nothing.

    Shapes as seen: 200 with the video's JSON (php-embed/Embed's recording); 404 "Not Found" for
    a removed video (iamcal/oembed #847); 401 when embedding is disabled (extractus/
    oembed-extractor #168), which says nothing about the video; 200 with the body ``Forbidden``
    for a private video (ruby-oembed/ruby-oembed #79), 403 likewise.
    """
    text = body[:65536].decode("utf-8", "replace").strip()
    if status == 404:
        return PlatformAnswer("dead", Reason.REMOVED, f"oEmbed: HTTP 404 {text[:80]}".strip())
    if status == 403 or (status == 200 and text.lower() == "forbidden"):
        return PlatformAnswer("dead", Reason.PRIVATE, f"oEmbed: HTTP {status} Forbidden")
    if status == 200:
        try:
            data = json.loads(text)
        except ValueError:
            return None
        if isinstance(data, dict) and data.get("type") in ("video", "rich"):
            title = data.get("title")
            return PlatformAnswer("alive", "", f"oEmbed: {title}" if title else "oEmbed")
    return None


# yt-dlp's own words (its extractors' messages) for the kinds of failure it reports.
_YTDLP_KINDS: tuple[tuple[re.Pattern[str], Verdict, Reason], ...] = (
    (_AGE, "blocked", Reason.AGE_GATE),
    (_BOT, "blocked", Reason.BOT_CHALLENGE),
    (_PRIVATE, "dead", Reason.PRIVATE),
    (_COUNTRY, "blocked", Reason.GEO_BLOCKED),
    (_REMOVED, "dead", Reason.REMOVED),
    (
        re.compile(r"log ?in|sign ?in|registered users|cookies|authenticat", re.I),
        "blocked",
        Reason.LOGIN_WALL,
    ),
    (
        re.compile(r"video unavailable|no longer available|not available", re.I),
        "dead",
        Reason.UNAVAILABLE,
    ),
)


def ytdlp_answer(message: str) -> PlatformAnswer | None:
    """The kind of an error yt-dlp reported ("Private video...", "Sign in to confirm your
    age...", "Video unavailable..."), as a verdict; None for other failures (network, formats)."""
    said = " ".join(message.replace("ERROR:", "").split())
    for pattern, verdict, reason in _YTDLP_KINDS:
        if pattern.search(said):
            return PlatformAnswer(verdict, reason, said[:300])
    return None
