"""A Netscape ``cookies.txt`` (the format curl, yt-dlp and browser extensions write) read into
the browser's cookies, with the standard library's :class:`http.cookiejar.MozillaCookieJar`.

The cookies stay in memory: they go to the browser context of each capture and to yt-dlp (as a
text stream, so that it cannot write them back), never to an archive, a log or the manifest.
"""

from __future__ import annotations

import http.cookiejar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kzarchive.errors import KzarchiveError

HTTPONLY = "HTTPOnly"  # what MozillaCookieJar records for a #HttpOnly_ line


class CookiesError(KzarchiveError):
    """The cookies file cannot be read."""


@dataclass(frozen=True)
class Cookies:
    """The cookies of a cookies.txt, and its text (for yt-dlp)."""

    text: str
    jar: tuple[http.cookiejar.Cookie, ...]

    def for_browser(self) -> list[dict[str, Any]]:
        """In the shape of Playwright's ``BrowserContext.add_cookies``."""
        cookies: list[dict[str, Any]] = []
        for c in self.jar:
            if c.value is None:
                continue
            host_only = not c.domain_specified
            cookie: dict[str, Any] = {
                "name": c.name,
                "value": c.value,
                "domain": c.domain if host_only else "." + c.domain.lstrip("."),
                "path": c.path or "/",
                "secure": bool(c.secure),
                "httpOnly": c.has_nonstandard_attr(HTTPONLY),
            }
            if c.expires:
                cookie["expires"] = float(c.expires)
            cookies.append(cookie)
        return cookies


def load_cookies(path: Path) -> Cookies:
    """Read ``path``; :class:`CookiesError` in one line when it is missing or not cookies.txt."""
    jar = http.cookiejar.MozillaCookieJar()
    try:
        text = path.read_text(encoding="utf-8")
        jar.load(str(path), ignore_discard=True, ignore_expires=True)
    except http.cookiejar.LoadError:  # an OSError too: first
        raise CookiesError(
            f"{path}: not a Netscape cookies.txt file (its first line is "
            "'# Netscape HTTP Cookie File', then one cookie a line, tab-separated)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CookiesError(f"{path}: cannot read the cookies file ({exc})") from None
    cookies = tuple(jar)
    if not cookies:
        raise CookiesError(f"{path}: no cookies in it (a Netscape cookies.txt is expected)")
    return Cookies(text, cookies)
