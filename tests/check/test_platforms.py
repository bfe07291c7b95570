"""Platform answers as verdicts: YouTube's and Facebook's pages as they really answered
(``../shared/fixtures/platforms/``), served under their own names by the scenario server."""

from __future__ import annotations

import asyncio
import json

import pytest

from kzarchive.check.checker import check_urls
from kzarchive.check.dns import StaticResolver
from kzarchive.check.options import CheckOptions
from kzarchive.check.platforms import (
    PlatformAnswer,
    is_youtube_video,
    oembed_address,
    oembed_answer,
    playability,
    player_response,
    youtube_answer,
    ytdlp_answer,
)
from kzarchive.models import Check
from kzarchive.wayback.judge import verdict_of
from tests.servers.base import RunningServer
from tests.servers.platforms import (
    BOT_WALL,
    BOT_WALL_GONE,
    GEO,
    HOSTS,
    OEMBED_PRIVATE,
    WATCH,
    recorded,
)

FAST = CheckOptions(timeout=5, retries=0, second_look=False)
WATCH_URL = "https://www.youtube.com/watch?v={}"

# What each recorded watch page says, as its README describes it
RECORDED = {
    "2lAe1cqCOXo": ("alive", ""),
    "eiHXASgRTcA": ("alive", ""),
    "m8uHb5jIGN8": ("dead", "private"),
    "irauhITDrsE": ("blocked", "age-gate"),
    "5YceQ8YqYMc": ("dead", "unavailable"),
    # recorded as a region block, but the page only says "Video unavailable. This video is not
    # available": what the platform says is what is reported
    "hZpzr8TbF08": ("dead", "unavailable"),
}


@pytest.mark.parametrize(("video", "expected"), RECORDED.items())
def test_recorded_watch_pages_read_as_the_platform_says(
    video: str, expected: tuple[str, str]
) -> None:
    url = WATCH_URL.format(video)
    found = youtube_answer(url, url, recorded(WATCH[video]))
    assert found is not None and (found.verdict, found.reason) == expected
    assert found.said  # the platform's own words are kept with the verdict


def test_the_player_response_is_decoded_json_not_scraped() -> None:
    page = recorded(WATCH["m8uHb5jIGN8"])
    player = player_response(page)
    assert player is not None
    assert player["playabilityStatus"]["status"] == "LOGIN_REQUIRED"
    # The region-blocked page assigns it twice (the object, then a read of it): the object wins
    again = player_response(recorded(WATCH["hZpzr8TbF08"]))
    assert again is not None and again["playabilityStatus"]["status"] == "UNPLAYABLE"
    # Braces and quotes inside strings do not end it early
    tricky = b'<script>var ytInitialPlayerResponse = {"playabilityStatus": {"status": "OK", '
    tricky += b'"reason": "a } and a \\" inside"}, "x": 1};</script>'
    assert player_response(tricky) == {
        "playabilityStatus": {"status": "OK", "reason": 'a } and a " inside'},
        "x": 1,
    }
    assert player_response(b"<html>no player here</html>") is None
    assert player_response(b"var ytInitialPlayerResponse = {broken") is None
    assert player_response(b'window["ytInitialPlayerResponse"] = {"a": 1};') == {"a": 1}


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ({"status": "OK"}, ("alive", "")),
        ({"status": "LIVE_STREAM_OFFLINE", "reason": "Premieres in 3 hours"}, ("alive", "")),
        # yt-dlp's words for the bot wall (its issues quote YouTube with a typographic ’)
        (
            {"status": "LOGIN_REQUIRED", "reason": "Sign in to confirm you’re not a bot"},
            ("blocked", "bot-challenge"),
        ),
        (
            {"status": "LOGIN_REQUIRED", "reason": "Sign in to confirm you're not a bot"},
            ("blocked", "bot-challenge"),
        ),
        ({"status": "AGE_CHECK_REQUIRED"}, ("blocked", "age-gate")),
        (
            {"status": "LOGIN_REQUIRED", "reason": "Join this channel to get access"},
            ("blocked", "login-wall"),
        ),
        (
            {"status": "CONTENT_CHECK_REQUIRED", "reason": "The following content may be"},
            ("blocked", "content-warning"),
        ),
        (
            {
                "status": "UNPLAYABLE",
                "reason": "Video unavailable",
                "errorScreen": {
                    "playerErrorMessageRenderer": {
                        "subreason": {
                            "simpleText": "The uploader has not made this video available "
                            "in your country"
                        }
                    }
                },
            },
            ("blocked", "geo-blocked"),
        ),
        (
            {"status": "ERROR", "reason": "This video has been removed by the uploader"},
            ("dead", "removed"),
        ),
        (
            {
                "status": "ERROR",
                "reason": "Video unavailable",
                "errorScreen": {
                    "playerErrorMessageRenderer": {
                        "subreason": {
                            "runs": [
                                {
                                    "text": "This video is no longer available because the "
                                    "YouTube account "
                                },
                                {"text": "associated with this video has been terminated."},
                            ]
                        }
                    }
                },
            },
            ("dead", "removed"),
        ),
        ({"status": "ERROR", "reason": "Video unavailable"}, ("dead", "unavailable")),
    ],
)
def test_playability_statuses(status: dict[str, object], expected: tuple[str, str]) -> None:
    found = playability({"playabilityStatus": status})
    assert found is not None and (found.verdict, found.reason) == expected


def test_unknown_or_missing_statuses_leave_the_page_to_the_usual_rules() -> None:
    assert playability({}) is None
    assert playability({"playabilityStatus": {"status": "SOMETHING_NEW"}}) is None
    assert playability({"playabilityStatus": "OK"}) is None
    # Not a video page of YouTube's: nothing to read
    page = recorded(WATCH["m8uHb5jIGN8"])
    assert youtube_answer("https://example.org/watch?v=x", "https://example.org/", page) is None
    assert youtube_answer(WATCH_URL.format("x"), WATCH_URL.format("x"), b"<html></html>") is None


def test_which_addresses_are_youtube_videos() -> None:
    for url in (
        "https://www.youtube.com/watch?v=abc",
        "https://m.youtube.com/watch?v=abc",
        "https://youtube.com/shorts/abc",
        "https://www.youtube-nocookie.com/embed/abc",
        "https://youtu.be/abc",
    ):
        assert is_youtube_video(url), url
    for url in (
        "https://www.youtube.com/",
        "https://www.youtube.com/@channel",
        "https://youtu.be/",
        "https://notyoutube.com/watch?v=abc",
    ):
        assert not is_youtube_video(url), url
    assert oembed_address("https://youtu.be/abc") == (
        "https://www.youtube.com/oembed?url=https%3A%2F%2Fyoutu.be%2Fabc&format=json"
    )
    assert oembed_address("https://example.org/") is None


def test_oembed_answers() -> None:
    found = oembed_answer(200, recorded("embed-oembed-eiHXASgRTcA-2024.gz"))
    assert found == PlatformAnswer("alive", "", "oEmbed: Noisy kittens waiting for dinner!")
    assert oembed_answer(404, b"Not Found") == PlatformAnswer(
        "dead", "removed", "oEmbed: HTTP 404 Not Found"
    )
    assert oembed_answer(200, b"Forbidden") == PlatformAnswer(
        "dead", "private", "oEmbed: HTTP 200 Forbidden"
    )
    assert oembed_answer(401, b"Unauthorized") is None  # embedding disabled: says nothing
    assert oembed_answer(200, b"<html>not json</html>") is None
    assert oembed_answer(200, json.dumps({"type": "link"}).encode()) is None


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        # yt-dlp's extractors' own messages
        (
            "ERROR: [youtube] abc: Private video. Sign in if you've been granted access to this "
            "video. Use --cookies-from-browser or --cookies for the authentication.",
            ("dead", "private"),
        ),
        (
            "ERROR: [youtube] abc: Sign in to confirm your age. This video may be inappropriate "
            "for some users. Use --cookies-from-browser or --cookies for the authentication.",
            ("blocked", "age-gate"),
        ),
        (
            "ERROR: [youtube] abc: Sign in to confirm you’re not a bot. Use --cookies-from-browser "
            "or --cookies for the authentication.",
            ("blocked", "bot-challenge"),
        ),
        ("ERROR: [youtube] abc: This video has been removed by the uploader", ("dead", "removed")),
        (
            "ERROR: [youtube] abc: Video unavailable. This video is not available",
            ("dead", "unavailable"),
        ),
        (
            "ERROR: [youtube] abc: The uploader has not made this video available in your country",
            ("blocked", "geo-blocked"),
        ),
        (
            "ERROR: [facebook] 123: This video is only available for registered users. Use "
            "--cookies-from-browser or --cookies for the authentication.",
            ("blocked", "login-wall"),
        ),
    ],
)
def test_yt_dlp_error_kinds(said: str, expected: tuple[str, str]) -> None:
    found = ytdlp_answer(said)
    assert found is not None and (found.verdict, found.reason) == expected
    assert "ERROR:" not in found.said


def test_other_yt_dlp_failures_are_no_verdict() -> None:
    assert ytdlp_answer("ERROR: Unable to download webpage: timed out") is None
    assert ytdlp_answer("ERROR: Unsupported URL: https://example.org/") is None


# -- the checker, against the platforms served locally ------------------------------------------


def _check_all(site: RunningServer, urls: list[str]) -> dict[str, Check]:
    resolver = StaticResolver(dict.fromkeys(HOSTS, "127.0.0.1"))
    local = [u.replace("https://", "http://").replace(".com/", f".com:{site.port}/") for u in urls]
    local = [u.replace("youtu.be/", f"youtu.be:{site.port}/") for u in local]
    run = asyncio.run(check_urls(local, FAST, resolver=resolver))
    return dict(zip(urls, (run.checks[u] for u in local), strict=True))


def test_the_checker_reads_the_platforms_answers(site: RunningServer) -> None:
    def checked(verdict: tuple[str, str]) -> tuple[str, str]:
        return ("alive", "http-200") if verdict[0] == "alive" else verdict

    expected = {
        **{WATCH_URL.format(v): checked(verdict) for v, verdict in RECORDED.items()},
        # the bot wall is a wall; oEmbed, asked then, says whether the video is still there
        WATCH_URL.format(BOT_WALL): ("blocked", "bot-challenge"),
        WATCH_URL.format(BOT_WALL_GONE): ("dead", "removed"),
        WATCH_URL.format(OEMBED_PRIVATE): ("dead", "private"),
        WATCH_URL.format(GEO): ("blocked", "geo-blocked"),
        # youtu.be, 303 to the watch page, 302 to the consent page (as asked from Spain)
        "https://youtu.be/eiHXASgRTcA": ("blocked", "consent-wall"),
        # Facebook logged out: public video and posts answer; a video may redirect to log in
        "https://www.facebook.com/acolono/videos/10154107990797381/": ("alive", "http-200"),
        "https://www.facebook.com/permalink.php?story_fbid=827163017327807&id=149460691764713": (
            "alive",
            "http-200",
        ),
        "https://m.facebook.com/3065154550235644": ("redirected", "http-200-after-302"),
        "https://www.facebook.com/watch/?v=10155278547321729": ("blocked", "login-wall"),
    }
    checks = _check_all(site, list(expected))
    assert {url: (c.verdict, c.reason) for url, c in checks.items()} == expected
    asked = [path for _, path, _ in site.server.state.requests]
    # No soft-404 probe of a made-up video: the platform's word is taken instead
    assert not [p for p in asked if p.startswith("/watch?") and "kzarchive" in p]
    # oEmbed is asked only behind the bot wall
    assert len([p for p in asked if p.startswith("/oembed")]) == 3


# -- copies in archives, judged by the same rules ------------------------------------------------


@pytest.mark.parametrize(
    ("video", "expected"),
    [
        ("2lAe1cqCOXo", "content"),
        ("m8uHb5jIGN8", "soft-404"),
        ("5YceQ8YqYMc", "soft-404"),
        ("irauhITDrsE", "login-wall"),
    ],
)
def test_archived_copies_of_watch_pages_are_judged_by_the_platforms_word(
    video: str, expected: str
) -> None:
    url = WATCH_URL.format(video)
    memento = f"https://web.archive.org/web/20210801000000id_/{url}"
    verdict, why = verdict_of(
        url, 200, {"content-type": "text/html"}, recorded(WATCH[video]), memento
    )
    assert verdict == expected, why
    if expected != "content":
        assert "YouTube" in why
