"""The reasons a check gives, as one vocabulary.

A reason is what the manifest, the reports and ``diff`` show beside a verdict, and what scripts
match on, so the fixed ones are named here once; answers with an HTTP status are ``http-<status>``
(and ``http-<status>-after-<first redirect status>`` for a page reached through a redirect).
"""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    # dead: the cited resource is gone
    DNS_NXDOMAIN = "dns-nxdomain"
    SOFT_404_ROOT = "soft-404:redirect-to-root"
    SOFT_404_REDIRECT = "soft-404:redirect-to-404"
    SOFT_404_PAGE = "soft-404:not-found-page"
    # dead, in the platform's own words (kzarchive.check.platforms)
    REMOVED = "removed"
    PRIVATE = "private"
    UNAVAILABLE = "unavailable"
    # blocked: the site refuses robots; says nothing about the page
    BOT_CHALLENGE = "bot-challenge"
    LOGIN_WALL = "login-wall"
    AGE_GATE = "age-gate"
    GEO_BLOCKED = "geo-blocked"  # kept from this country
    CONSENT_WALL = "consent-wall"  # a cookie-consent page in front of the page
    CONTENT_WARNING = "content-warning"  # a warning to click through
    # excluded: never asked for (the user's patterns, or --exclude-private)
    PRIVATE_ADDRESS = "private-address"
    EXCLUDED_BY_PATTERN = "excluded-by-pattern"
    NOT_INCLUDED = "not-included"
    # error: could not tell this time
    TIMEOUT = "timeout"
    BODY_TIMEOUT = "body-timeout"
    CONNECTION_REFUSED = "connection-refused"
    CONNECTION_RESET = "connection-reset"
    CONNECTION_FAILED = "connection-failed"
    DNS_FAILED = "dns-failed"
    DNS_TIMEOUT = "dns-timeout"
    TLS = "tls"
    PROXY = "proxy-error"
    PROTOCOL_ERROR = "protocol-error"
    TOO_MANY_REDIRECTS = "too-many-redirects"
    OFFLINE = "offline"
    INVALID_URL = "invalid-url"
    NOT_CHECKED = "not-checked"


def http_reason(status: int, first_redirect: int | None = None) -> str:
    """``http-200``, or ``http-200-after-301`` for an answer reached through a redirect."""
    if first_redirect is None:
        return f"http-{status}"
    return f"http-{status}-after-{first_redirect}"


# Errors that asking again at the end of the run cannot clear up.
FINAL_ERRORS = frozenset({Reason.OFFLINE, Reason.INVALID_URL})
