"""How an HTTP answer becomes a verdict: the judgement calls, kept apart from the I/O.

Every rule here is about telling link rot (``dead``) from a site that will not talk to robots
(``blocked``) and from a page that moved (``redirected``), since those are what the usual link
checkers get wrong.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from kzarchive.check.reasons import Reason, http_reason
from kzarchive.models import Verdict

DEAD_STATUSES = frozenset({404, 410})
# 401/407: log in; 402/403/451: refused; 999: LinkedIn's robot wall; 429 only once retries ran out.
BLOCKED_STATUSES = frozenset({401, 402, 403, 407, 429, 451, 999})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 507, 520, 521, 522, 523, 524})

_LOGIN_PATH = re.compile(
    r"(^|/)(login|log-in|signin|sign-in|sign_in|logon|auth|authenticate|checkpoint|sso)"
    r"(\.php|\.aspx?|\.html?|/|$)|/accounts/login|/uas/login|/authwall",
    re.IGNORECASE,
)
_LOGIN_HOSTS = ("accounts.google.com", "login.microsoftonline.com", "login.live.com")
_NOT_FOUND_PATH = re.compile(
    r"(^|/)(404|410|not[-_]?found|page[-_]?not[-_]?found|error[-_]?404|404[-_]?error|errors?/404)"
    r"(\.html?|\.php|\.aspx?|/|$)",
    re.IGNORECASE,
)
_NOT_FOUND_TEXT = re.compile(
    r"page (?:was )?not found|404 (?:-|–|—|:)? ?not found|not found \(404\)|error 404|"
    r"page (?:you (?:are looking for|requested) )?(?:does not|doesn't|no longer) exists?|"
    r"could not be found|cannot be found|can't be found|no longer available|"
    r"страница не найдена|ошибка 404",
    re.IGNORECASE,
)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<script.*?</script>|<style.*?</style>|<[^>]+>", re.IGNORECASE | re.DOTALL)
_WORDS = re.compile(r"\w+")
_CHALLENGE_TEXT = re.compile(
    r"cf-challenge|challenge-platform|cf_chl_|just a moment\.\.\.|checking your browser|"
    r"attention required! \| cloudflare|ddos-guard|captcha-delivery|_incapsula_resource|"
    r"px-captcha|are you a robot|verify you are human",
    re.IGNORECASE,
)
SHORT_PAGE_CHARS = 2000


def _parts(url: str) -> tuple[str, str, int | None, str, str]:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    return (
        parts.scheme.lower(),
        (parts.hostname or "").lower(),
        None if port == default else port,
        parts.path or "/",
        parts.query,
    )


def is_trivial_redirect(cited: str, final: str) -> bool:
    """Same resource: only scheme (http→https), host case, ``www.`` or a trailing slash differ."""
    c_scheme, c_host, c_port, c_path, c_query = _parts(cited)
    f_scheme, f_host, f_port, f_path, f_query = _parts(final)
    if c_scheme != f_scheme and not (c_scheme == "http" and f_scheme == "https"):
        return False
    if c_host.removeprefix("www.") != f_host.removeprefix("www."):
        return False
    if c_port != f_port and c_scheme == f_scheme:
        return False
    return c_path.rstrip("/") == f_path.rstrip("/") and c_query == f_query


def is_login_wall(url: str) -> bool:
    """A page that asks the visitor to log in (Facebook's login.php, /login, Google accounts)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return host in _LOGIN_HOSTS or bool(_LOGIN_PATH.search(parts.path))


_LOGIN_TITLE = re.compile(
    r"^\s*(log ?in|sign ?in|log into|sign into|login required|anmelden|вход|войти)\b", re.IGNORECASE
)


def asks_to_log_in(body: bytes) -> bool:
    """A page that is a login form (Facebook answers 200 with one to robots), not the content."""
    return bool(_LOGIN_TITLE.match(title_of(body)))


def soft_404_redirect(cited: str, final: str) -> Reason | None:
    """The soft-404 reason when a redirect lands on the site's root or a not-found page."""
    cited_path = urlsplit(cited).path.strip("/")
    final_parts = urlsplit(final)
    if cited_path and final_parts.path.strip("/") == "" and not final_parts.query:
        return Reason.SOFT_404_ROOT
    if _NOT_FOUND_PATH.search(final_parts.path) and not _NOT_FOUND_PATH.search(cited_path):
        return Reason.SOFT_404_REDIRECT
    return None


def page_text(body: bytes, charset: str | None = None) -> str:
    """The visible text of an HTML (or text) body, roughly: enough to compare and to read."""
    text = body.decode(charset or "utf-8", errors="replace")
    return _TAGS.sub(" ", text)


def title_of(body: bytes) -> str:
    match = _TITLE.search(body[:65536].decode("utf-8", errors="replace"))
    return match.group(1).strip() if match else ""


def says_not_found(body: bytes) -> bool:
    """A short page whose title or text says the page is not there."""
    if _NOT_FOUND_TEXT.search(title_of(body)):
        return True
    text = " ".join(page_text(body).split())
    return len(text) <= SHORT_PAGE_CHARS and bool(_NOT_FOUND_TEXT.search(text))


def is_challenge(status: int, headers: dict[str, str], body: bytes) -> bool:
    """A bot challenge (Cloudflare and its kind) rather than the page itself."""
    if "cf-mitigated" in headers or "x-amzn-waf-action" in headers:
        return True
    if status in (403, 429, 503) and headers.get("server", "").lower() in (
        "cloudflare",
        "ddos-guard",
    ):
        return True
    return (status in (200, 403, 429, 503) and bool(_CHALLENGE_TEXT.search(title_of(body)))) or (
        status in (403, 429, 503) and bool(_CHALLENGE_TEXT.search(body[:65536].decode("latin-1")))
    )


def similarity(a: bytes, b: bytes, ignore: tuple[str, ...] = ()) -> float:
    """How alike two pages are, 0..1, by the words they share (echoed URL parts ignored)."""
    drop = {w.lower() for token in ignore for w in _WORDS.findall(token)}
    words_a = {w.lower() for w in _WORDS.findall(page_text(a[:262144]))} - drop
    words_b = {w.lower() for w in _WORDS.findall(page_text(b[:262144]))} - drop
    if not words_a and not words_b:
        return 1.0 if a.strip() == b.strip() else 0.0
    return len(words_a & words_b) / len(words_a | words_b)


def status_verdict(status: int) -> tuple[Verdict, str]:
    """The verdict for a final answer that is not 2xx."""
    reason = http_reason(status)
    if status in DEAD_STATUSES:
        return "dead", reason
    if status in BLOCKED_STATUSES:
        return "blocked", reason
    return "error", reason


_BOILERPLATE = re.compile(
    r"<(script|style|noscript|nav|header|footer|aside|form|svg|template)\b.*?</\1\s*>",
    re.IGNORECASE | re.DOTALL,
)
MAX_WORDS = 5000


def content_words(body: bytes) -> frozenset[str]:
    """The words of a page's content, roughly: scripts, styles, navigation, headers, footers,
    forms and asides left out (the boilerplate that changes without the page changing)."""
    text = body[:1048576].decode("utf-8", errors="replace")
    text = _TAGS.sub(" ", _BOILERPLATE.sub(" ", text))
    words: set[str] = set()
    for word in _WORDS.findall(text):
        if len(word) > 2:
            words.add(word.lower())
            if len(words) >= MAX_WORDS:
                break
    return frozenset(words)


def word_drift(before: frozenset[str], after: frozenset[str]) -> float:
    """How much a page changed, 0 (the same words) to 1 (no word shared)."""
    if not before and not after:
        return 0.0
    return round(1 - len(before & after) / len(before | after), 3)
