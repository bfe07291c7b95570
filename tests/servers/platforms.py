"""YouTube and Facebook as they really answered, served by the scenario server under their own
host names (tests map the names to 127.0.0.1 with a StaticResolver) and their own paths.

The pages are the recordings in ``../shared/fixtures/platforms/`` (its README says where each
came from and what was asked), read from there, never copied into the project. Answers nobody
recorded a body of are written from the words people used for them, and say so where they are.
"""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs, quote

PLATFORM_FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "platforms"
YOUTUBE = ("www.youtube.com", "youtube.com", "m.youtube.com")
FACEBOOK = ("www.facebook.com", "m.facebook.com")
HOSTS = (*YOUTUBE, *FACEBOOK, "youtu.be", "consent.youtube.com")

# The recorded watch pages by video id (README: "what was asked" and the status recorded)
WATCH = {
    "2lAe1cqCOXo": "pytube-available-2lAe1cqCOXo.gz",
    "m8uHb5jIGN8": "pytube-private-m8uHb5jIGN8.gz",
    "irauhITDrsE": "pytube-age-restricted-irauhITDrsE.gz",
    "5YceQ8YqYMc": "pytube-live-recording-gone-5YceQ8YqYMc.gz",
    "hZpzr8TbF08": "pytube-region-blocked-hZpzr8TbF08.gz",
    "eiHXASgRTcA": "embed-watch-eiHXASgRTcA-2024.gz",
}
# Ids of the answers written from words (no body recorded)
BOT_WALL = "botwall0001"  # the bot wall in front of a video oEmbed still describes
BOT_WALL_GONE = "botwall0404"  # the bot wall in front of a video oEmbed says is gone
GEO = "geoblocked1"  # a video kept from this country
OEMBED_PRIVATE = "oembedpriv1"  # the bot wall, and oEmbed's "Forbidden" of a private video
# The recorded private video's page with 400 KB more script before its player status, where
# YouTube's 2024 page has it (embed-watch: 460 KB in)
LATE_PRIVATE = "lateprivat1"


@cache
def recorded(name: str) -> bytes:
    """One recorded page, as it was served (ungzipped)."""
    return gzip.decompress((PLATFORM_FIXTURES / name).read_bytes())


def _watch_page(title: str, status: dict[str, object]) -> bytes:
    """A watch page of the shape the recorded ones have (``var ytInitialPlayerResponse = {...};``
    in a script, the player's status in it), for answers with no recorded body."""
    player = {"playabilityStatus": status, "videoDetails": {"title": title}}
    return (
        f"<!DOCTYPE html><html lang='en'><head><title>{title} - YouTube</title></head><body>"
        f"<script nonce='x'>var ytInitialPlayerResponse = {json.dumps(player)};"
        "var meta = document.createElement('meta');</script>"
        "<div id='player'></div></body></html>"
    ).encode()


def _bot_wall() -> bytes:
    # Described, not recorded: YouTube answers datacentre addresses with status 200 and a
    # LOGIN_REQUIRED status whose reason is "Sign in to confirm you’re not a bot" (yt-dlp's
    # issues quote it with a typographic apostrophe, and "This helps protect our community.").
    reason = "Sign in to confirm you’re not a bot"
    return _watch_page(
        "",
        {
            "status": "LOGIN_REQUIRED",
            "reason": reason,
            "errorScreen": {
                "playerErrorMessageRenderer": {
                    "reason": {"simpleText": reason},
                    "subreason": {"runs": [{"text": "This helps protect our community. "}]},
                }
            },
        },
    )


def _geo_blocked() -> bytes:
    # Described, not recorded: UNPLAYABLE with the subreason yt-dlp's extractor looks for,
    # "The uploader has not made this video available in your country".
    return _watch_page(
        "Walking In The Air",
        {
            "status": "UNPLAYABLE",
            "reason": "Video unavailable",
            "errorScreen": {
                "playerErrorMessageRenderer": {
                    "reason": {"simpleText": "Video unavailable"},
                    "subreason": {
                        "simpleText": "The uploader has not made this video available in your "
                        "country"
                    },
                }
            },
        },
    )


Answer = tuple[int, bytes, dict[str, str], str]
HTML = "text/html; charset=utf-8"


def platform_answer(host: str, path: str, query: str) -> Answer | None:
    """What the platform at ``host`` (the Host header, port included) answers for ``path`` and
    ``query``; None when ``host`` is not one of the platforms served here."""
    name, _, port = host.lower().partition(":")
    at = f":{port}" if port else ""
    args = {k: v[0] for k, v in parse_qs(query).items()}
    if name == "youtu.be":
        # Recorded (embed-consent): youtu.be answers 303 to the watch page
        video = path.strip("/")
        where = f"http://www.youtube.com{at}/watch?v={video}&feature=youtu.be"
        return 303, b"", {"Location": where}, HTML
    if name == "consent.youtube.com":
        return 200, recorded("embed-consent-eiHXASgRTcA-2021.gz"), {}, HTML
    if name in YOUTUBE:
        return _youtube(at, path, args)
    if name in FACEBOOK:
        return _facebook(at, path, query, args)
    return None


def _youtube(at: str, path: str, args: dict[str, str]) -> Answer:
    video = args.get("v", "")
    if path == "/watch" and args.get("feature") == "youtu.be":
        # Recorded (embed-consent, asked from Spain): the watch page sends a visitor without
        # consent cookies on to consent.youtube.com with a 302
        target = quote(f"https://www.youtube.com/watch?v={video}&feature=youtu.be", safe="")
        where = f"http://consent.youtube.com{at}/m?continue={target}&gl=ES&m=0&pc=yt&hl=es&src=1"
        return 302, b"", {"Location": where}, HTML
    if path == "/watch":
        if video in WATCH:
            return 200, recorded(WATCH[video]), {}, HTML
        if video == LATE_PRIVATE:
            page = recorded(WATCH["m8uHb5jIGN8"])
            at = page.index(b"</head>")
            padding = b"<script>var ytcfg = {};/*" + b"x" * 400_000 + b"*/</script>"
            return 200, page[:at] + padding + page[at:], {}, HTML
        if video in (BOT_WALL, BOT_WALL_GONE, OEMBED_PRIVATE):
            return 200, _bot_wall(), {}, HTML
        if video == GEO:
            return 200, _geo_blocked(), {}, HTML
        # An id YouTube does not have: its "Video unavailable" page (the recorded one of the
        # same words stands in for it)
        return 200, recorded(WATCH["hZpzr8TbF08"]), {}, HTML
    if path == "/oembed":
        asked = args.get("url", "")
        if "eiHXASgRTcA" in asked or BOT_WALL in asked:
            body = recorded("embed-oembed-eiHXASgRTcA-2024.gz")
            return 200, body, {}, "application/json"
        if OEMBED_PRIVATE in asked:  # ruby-oembed/ruby-oembed #79: 200 and the word Forbidden
            return 200, b"Forbidden", {}, "text/html"
        # iamcal/oembed #847: a removed video's oEmbed is a 404 "Not Found"
        return 404, b"Not Found", {}, "text/html"
    return 404, b"<html><title>404 Not Found</title></html>", {}, HTML


def _facebook(at: str, path: str, query: str, args: dict[str, str]) -> Answer:
    if path.startswith("/acolono/videos/10154107990797381"):
        return 200, recorded("embed-fb-video-acolono-2020.gz"), {}, HTML
    if path == "/permalink.php" and args.get("story_fbid") == "827163017327807":
        return 200, recorded("embed-fb-permalink-2020.gz"), {}, HTML
    if path == "/3065154550235644":
        # Recorded (facebook-scraper's cassette): m.facebook.com/<id> answers 302 to story.php
        where = (
            f"http://m.facebook.com{at}/story.php?story_fbid=3065154550235644&id=119240841493711"
        )
        return 302, b"", {"Location": where}, HTML
    if path == "/story.php" and args.get("story_fbid") == "3065154550235644":
        return 200, recorded("fbs-m-story-3065154550235644-2021.gz"), {}, HTML
    if path.startswith("/login"):
        page = b"<html><head><title>Log in to Facebook</title></head><body><form>Log in</form>"
        return 200, page + b"</body></html>", {}, HTML
    if "/videos/" in path or path.startswith(("/reel/", "/watch")):
        # Described (yt-dlp #11087, #7154): a video or reel seen logged out may answer 302 to
        # the login page, the asked address in next=
        asked = quote(f"https://www.facebook.com{path}" + (f"?{query}" if query else ""), safe="")
        return 302, b"", {"Location": f"http://www.facebook.com{at}/login/?next={asked}"}, HTML
    return 404, b"<html><title>Page not found | Facebook</title></html>", {}, HTML
