"""Turning the URL-ish text a document holds into the URL it cites.

Documents escape URLs for their own syntax (Markdown backslashes, HTML entities) and run them into
prose (a full stop, a closing parenthesis). This module undoes both and nothing else: query strings
and fragments stay as written.
"""

from __future__ import annotations

import html
import re
import unicodedata
from urllib.parse import urlsplit

# A bare URL in running text: up to whitespace or a character that cannot appear unescaped.
BARE_URL = re.compile(r"""https?://[^\s<>"`{}|^]+""", re.IGNORECASE)

_ESCAPED_PUNCT = re.compile(r"\\+(?=[!-/:-@\[-`{-~])")
_TRAILING = ".,;:!?'\"*"
_PAIRS = {")": "(", "]": "["}


# Longer than any server accepts (Apache's request line stops at 8,190 bytes): not a citation.
MAX_URL_LENGTH = 8192


def shown(url: str, limit: int = 100) -> str:
    """``url`` as a message quotes it: whole if short, else its start and its length."""
    return repr(url) if len(url) <= limit else f"{url[:limit]!r}… ({len(url):,} characters)"


class InvalidURL(ValueError):
    """A citation that looks like a URL but cannot be one."""


def strip_trailing(url: str) -> str:
    """Drop trailing punctuation that belongs to the sentence, keeping balanced brackets."""
    while url:
        last = url[-1]
        if last in _TRAILING or (last in _PAIRS and url.count(last) > url.count(_PAIRS[last])):
            url = url[:-1]
        else:
            break
    return url


def clean_url(raw: str) -> str:
    """Undo HTML entities and Markdown escapes around a URL as a document wrote it, and the
    typographic compatibility characters (ligatures such as ``ﬁ``, full-width letters) that
    word processors and PDF text put in."""
    url = html.unescape(raw.strip())
    url = _ESCAPED_PUNCT.sub("", url)
    if not url.isascii():
        url = unicodedata.normalize("NFKC", url)
    return url


# Characters a URL can be broken after at a line end, and that a continuation can hold.
URL_CHARS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+$")
_CONTINUES = frozenset("/-_.=&?#%~")


def continues_url(url: str, token: str) -> bool:
    """Whether ``token``, at the start of the next line, is clearly the rest of ``url`` (which
    ended the line above): the URL ends where URLs are broken (``/``, ``-``, ``=``...) or the
    token looks like a path or a query, and the URL does not end a sentence."""
    if not url or not token or not URL_CHARS.match(token):
        return False
    if url[-1] in ".,;:)" and not url.endswith("/."):
        return False
    return url[-1] in _CONTINUES or any(c in token for c in "/.=&?_%")


def is_web_url(url: str) -> bool:
    """Whether ``url`` is an http(s) URL, the only kind that is a citation."""
    return url[:7].lower() == "http://" or url[:8].lower() == "https://"


def validate(url: str) -> str:
    """Return ``url`` if it is a usable http(s) URL, else raise :class:`InvalidURL` saying why."""
    if len(url) > MAX_URL_LENGTH:
        raise InvalidURL(f"URL longer than {MAX_URL_LENGTH:,} characters: {shown(url)}")
    if any(c.isspace() for c in url):
        raise InvalidURL(f"URL contains white space: {shown(url)}")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidURL(f"cannot parse URL {shown(url)}: {exc}") from None
    if not parts.hostname:
        raise InvalidURL(f"URL has no host: {shown(url)}")
    if port == 0:
        raise InvalidURL(f"URL has port 0: {shown(url)}")
    host = parts.hostname
    if host.startswith(".") or ".." in host:
        raise InvalidURL(f"URL has a malformed host: {shown(url)}")
    return url


def usable_url(url: str) -> bool:
    """Whether ``url`` is an http(s) URL that can be asked for (see :func:`validate`)."""
    try:
        validate(url)
    except InvalidURL:
        return False
    return is_web_url(url)


def find_bare_urls(text: str) -> list[tuple[str, int]]:
    """Every bare http(s) URL in ``text``, trailing punctuation dropped, in order, with the
    0-based line of ``text`` it starts on."""
    found = []
    for match in BARE_URL.finditer(text):
        url = strip_trailing(clean_url(match.group(0)))
        if len(url) > len("https://"):
            found.append((url, text.count("\n", 0, match.start())))
    return found
