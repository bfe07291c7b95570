"""Turning the URL-ish text a document holds into the URL it cites.

Documents escape URLs for their own syntax (Markdown backslashes, HTML entities) and run them into
prose (a full stop, a closing parenthesis). This module undoes both and nothing else: query strings
and fragments stay as written.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator
from urllib.parse import urlsplit

_WEB_URL = re.compile(r"""https?://[^\s<>"`{}|^]+""", re.IGNORECASE)
_WWW_URL = re.compile(r"""(?<![\w@./:%-])www\.(?=[a-z0-9-]+\.[a-z])[^\s<>"`{}|^]+""", re.IGNORECASE)


class _BareURLs:
    """Bare URLs in running text: up to whitespace or a character that cannot appear unescaped;
    and citations written without their scheme (``www.hrw.org/report``, common in NGO notes),
    which start a word and have a dot after their first label.

    Two searches, the second only when the text holds ``www.`` at all: one pattern for both
    made every document's search three to seven times slower (its ``www.`` branch is tried at
    every character, where ``https?://`` is found by its literal prefix)."""

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        web = list(_WEB_URL.finditer(text))
        if "www." not in text and "WWW." not in text:
            return iter(web)
        spans = [(m.start(), m.end()) for m in web]
        bare = [
            m
            for m in _WWW_URL.finditer(text)
            if not any(start <= m.start() < end for start, end in spans)
        ]
        return iter(sorted([*web, *bare], key=lambda m: m.start()))

    def findall(self, text: str) -> list[str]:
        return [m.group(0) for m in self.finditer(text)]

    def search(self, text: str) -> re.Match[str] | None:
        return next(self.finditer(text), None)

    def sub(self, replacement: str, text: str) -> str:
        parts, last = [], 0
        for match in self.finditer(text):
            parts.append(text[last : match.start()])
            parts.append(replacement)
            last = match.end()
        parts.append(text[last:])
        return "".join(parts)


BARE_URL = _BareURLs()

_ESCAPED_PUNCT = re.compile(r"\\+(?=[!-/:-@\[-`{-~])")
_TRAILING = ".,;:!?'\"*"
_PAIRS = {")": "(", "]": "["}


# Longer than any server accepts (Apache's request line stops at 8,190 bytes): not a citation.
MAX_URL_LENGTH = 8192
_SPACE = re.compile(r"\s")  # str.isspace's characters: both use Py_UNICODE_ISSPACE


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


# A character reference closed by its semicolon (``&amp;``, ``&#38;``): a query's ``&para=2`` or
# ``&copy=3`` is a parameter, never the legacy entity html.unescape would read (¶, ©)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def clean_url(raw: str) -> str:
    """Undo HTML entities and Markdown escapes around a URL as a document wrote it, and the
    typographic compatibility characters (ligatures such as ``ﬁ``, full-width letters) that
    word processors and PDF text put in."""
    url = _ENTITY.sub(lambda m: html.unescape(m.group(0)), raw.strip())
    url = _ESCAPED_PUNCT.sub("", url)
    if not url.isascii():
        url = unicodedata.normalize("NFKC", url)
    return url


# Characters a URL can be broken after at a line end, and that a continuation can hold.
URL_CHARS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+$")
_BREAKS = frozenset("/-_=&?#%~+")
_URL_RUN = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")
# A second URL at the start of the next line is never the rest of the first
_NEW_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]{1,15}://|www\.)", re.IGNORECASE)
# What a URL split after a dot goes on with: its file extension
EXTENSIONS = frozenset(
    "htm html shtml xhtml jhtml php asp aspx jsp cfm cgi pl pdf doc docx xls xlsx ppt pptx odt "
    "rtf txt csv xml json jpg jpeg png gif mp4 mp3 zip".split()
)
# Words that open what follows a URL in a note, never the rest of one
_PROSE = frozenset(
    "accessed retrieved last visited viewed consulted available archived and or at in on see "
    "via from p pp".split()
)
_PLAIN_WORD = re.compile(r"^[^\W\d_]+$")


def continuation(url: str, following: str, *, fits: bool | None = None) -> str | None:
    """The start of ``following`` (the next line) that finishes ``url``, which ended the line
    above; None when the URL ended there. A reader's rules, by where the line broke:

    - never a second URL (``https://...``, ``www.``) nor a bracket or quote;
    - after a dot, the rest of a host (``https://docs.`` / ``github.com/...``) or an extension
      (``report.`` / ``html``), starting with a small letter or a digit;
    - after ``/ - _ = & ? # %``, anything URL-shaped but a capitalised word or a word that opens
      prose (``accessed``, ``retrieved``...);
    - mid-word, URL-shaped text holding a digit or URL punctuation (``soft%20Brief``,
      ``68fb9d08``), not a plain word.

    ``fits`` says whether that first word of the next line would have fitted on the line above
    (a layout reader knows): a word that fitted was not wrapped, so it is the URL going on.
    """
    if not url or not following.strip():
        return None
    stripped = following.lstrip()
    token = stripped.split(None, 1)[0]
    if _NEW_URL.match(token) or token[0] in "([<'\"*":
        return None
    # what cannot be in a URL ends it: "...-and-media>." gives "...-and-media"
    token = _URL_RUN.match(token).group(0)  # type: ignore[union-attr]
    if not token or not URL_CHARS.match(token):
        return None
    core = strip_trailing(token)
    if not core:
        return None
    plain = bool(_PLAIN_WORD.match(core))
    last = url[-1]
    if last == ".":
        host_open = "/" not in url.split("://", 1)[-1]
        if not (core[0].islower() or core[0].isdigit()) or core.isdigit():
            return None
        if host_open or core.lower() in EXTENSIONS or not plain:
            return token
        return None
    if last in ",;:)!'\"":
        return None
    if core.lower() in _PROSE:
        return None
    if plain and core[0].isupper():
        return None  # a capitalised word: a heading or a sentence, wherever the line broke
    if last in _BREAKS:
        if core.isdigit() and len(stripped) > len(token) and not fits:
            return None  # "2019 ..." starting a line reads as a new note or a date
        return token
    if fits or not plain:
        if core.isdigit() and len(stripped) > len(token) and not fits:
            return None
        return token
    return None


def continues_url(url: str, token: str) -> bool:
    """Whether ``token``, at the start of the next line, is the rest of ``url`` (which ended the
    line above): see :func:`continuation`."""
    return continuation(url, token) is not None


class SchemeAdded(str):
    """A URL the document wrote without ``https://``, which the reader added (the manifest says
    so: ``scheme_added``)."""

    __slots__ = ()


def with_scheme(url: str) -> str:
    """``url``, given ``https://`` when it was written as ``www.…`` (a :class:`SchemeAdded`)."""
    if url[:4].lower() == "www.":
        return SchemeAdded("https://" + url)
    return url


# Link wrappers that name their target in a query parameter: a mail client's or a search
# engine's click tracker around the URL the author meant (Google Docs exports wrap every link in
# google.com/url?q=).
_REDIRECTORS: dict[str, tuple[str, tuple[str, ...]]] = {
    "google.com": ("/url", ("q", "url")),
    "l.facebook.com": ("/l.php", ("u",)),
    "lm.facebook.com": ("/l.php", ("u",)),
    "l.instagram.com": ("/", ("u",)),
    "youtube.com": ("/redirect", ("q",)),
    "vk.com": ("/away.php", ("to",)),
    "slack-redir.net": ("/link", ("url",)),
    "safelinks.protection.outlook.com": ("/", ("url",)),
    "t.umblr.com": ("/redirect", ("z",)),
}


def unwrap_redirect(url: str) -> str:
    """The target of a known redirector's link (``https://www.google.com/url?q=X&sa=D`` is X),
    else ``url`` unchanged."""
    from urllib.parse import parse_qs

    for _ in range(3):  # a wrapper around a wrapper
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").lower()
        except ValueError:
            return url
        host = host.removeprefix("www.")
        if host.startswith("google."):
            host = "google.com"  # every country's Google: google.co.uk, google.de...
        labels = host.split(".")
        base = next(
            (
                rule
                for n in range(len(labels) - 1)
                if (rule := _REDIRECTORS.get(".".join(labels[n:]))) is not None
            ),
            None,
        )
        if base is None or not parts.path.startswith(base[0]):
            return url
        query = parse_qs(parts.query)
        target = next((query[key][0] for key in base[1] if query.get(key)), None)
        if target is None or not is_web_url(target):
            return url
        url = target
    return url


def is_web_url(url: str) -> bool:
    """Whether ``url`` is an http(s) URL, the only kind that is a citation."""
    return url[:7].lower() == "http://" or url[:8].lower() == "https://"


def validate(url: str) -> str:
    """Return ``url`` if it is a usable http(s) URL, else raise :class:`InvalidURL` saying why."""
    if len(url) > MAX_URL_LENGTH:
        raise InvalidURL(f"URL longer than {MAX_URL_LENGTH:,} characters: {shown(url)}")
    if _SPACE.search(url):
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
        url = with_scheme(strip_trailing(clean_url(match.group(0))))
        if len(url) > len("https://"):
            found.append((url, text.count("\n", 0, match.start())))
    return found
