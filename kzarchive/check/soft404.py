"""Soft-404 probing: what a site answers for a page that surely does not exist.

Many sites answer 200 with a "not found" page, or with their home page, for anything at all. To
tell such a page from the cited one, the checker asks the site once per section for a random path
(or, for pages named by their query string, for the same path with random values) and compares.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SOFT_404_SIMILARITY = 0.9


# Query parameters that track a visit and never name what is shown.
TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|mc_cid|mc_eid|igshid|igsh|_ga|_gl"
    r"|ref|ref_src|ref_url|referrer|source|src|share|s|si|feature|t|time_continue|__tn__|__cft__"
    r"|_hsenc|_hsmi|mkt_tok|spm|from)$",
    re.IGNORECASE,
)
_IDENTIFIER = re.compile(r"\d|^[\w-]{8,}$")


@dataclass(frozen=True)
class Twin:
    """URLs that look like a cited one but surely name nothing (for soft-404 detection)."""

    key: str  # one probe per key: a site section, or a path and its identifying parameters
    missing: str  # the look-alike that names nothing
    bare: str | None = None  # for query-named pages: the same URL without its identifiers


def _random_like(value: str) -> str:
    """A value of the same kind as ``value`` (digits stay digits) that surely names nothing."""
    if value.isdigit():
        return "".join(secrets.choice("0123456789") for _ in range(max(len(value), 12)))
    return "kzarchive" + secrets.token_hex(max(4, len(value) // 2))


def missing_twin(url: str) -> Twin | None:
    """How to ask this site for a page like ``url`` that does not exist; None for a home page.

    A page named by its path gets a random path in the same site section. A page named by its
    query string (``watch?v=``, ``permalink.php?story_fbid=``, ``Download.aspx?symbolno=``) gets
    the same path with random values for the parameters that look like identifiers (tracking
    parameters and short words such as ``lang=en`` are kept as they are).
    """
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    ids = [
        i
        for i, (name, value) in enumerate(pairs)
        if not TRACKING.match(name) and _IDENTIFIER.search(value)
    ]
    if ids:
        names = ",".join(sorted({pairs[i][0] for i in ids}))
        key = f"{parts.scheme}://{parts.netloc}{parts.path}?{names}"
        randomised = [(n, _random_like(v) if i in ids else v) for i, (n, v) in enumerate(pairs)]
        kept = [pair for i, pair in enumerate(pairs) if i not in ids]
        return Twin(
            key,
            urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(randomised), "")),
            urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept), "")),
        )
    path = parts.path.strip("/")
    if not path:
        return None
    section = path.split("/")[0] + "/" if "/" in path else ""
    key = f"{parts.scheme}://{parts.netloc}/{section}"
    return Twin(key, f"{key}kzarchive-{secrets.token_hex(8)}-missing")


def url_words(url: str) -> list[str]:
    """The parts of a URL a page may echo back (its path and query values)."""
    parts = urlsplit(url)
    return [parts.path, *(value for _, value in parse_qsl(parts.query))]
