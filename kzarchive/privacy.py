"""What must never leave for a public archive, and what must never be printed.

The Wayback Machine publishes what it is sent, to everyone, for good. A report can cite what its
author never meant to publish: a page on a private network (the archive cannot reach it, and the
submission leaks internal names), a link with a password in it, a signed download link (whoever
holds it can read the file until it expires). These rules decide, without any I/O, which URLs are
such, and how a URL is shown with its secrets hidden. They are pure functions so that every rule is
tested on its own, with no packet sent anywhere.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from typing import Literal
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

WithheldReason = Literal["private-address", "credentials-in-url"]
REDACTED = "REDACTED"

# Names that cannot be public (RFC 6762 .local, RFC 8375 .home.arpa, RFC 6761 .localhost and
# .invalid, ICANN's reserved .internal, and the customary .lan/.intranet/.corp/.home/.localdomain).
PRIVATE_SUFFIXES = (
    ".local",
    ".localhost",
    ".internal",
    ".intranet",
    ".lan",
    ".home.arpa",
    ".home",
    ".corp",
    ".localdomain",
    ".invalid",
)
_CGNAT = ipaddress.ip_network("100.64.0.0/10")

# Query parameters whose value is a credential or a signature, compared case-insensitively. Each
# entry is tested (tests/test_privacy.py).
SECRET_PARAMETERS = frozenset(
    {
        # AWS S3 / CloudFront presigned URLs (SigV4, SigV2, CloudFront)
        "x-amz-signature",
        "x-amz-credential",
        "x-amz-security-token",
        "awsaccesskeyid",
        "signature",
        "key-pair-id",
        # Google Cloud Storage signed URLs
        "x-goog-signature",
        "x-goog-credential",
        "googleaccessid",
        # Azure shared access signatures
        "sig",
        # OAuth and bearer tokens
        "access_token",
        "id_token",
        "refresh_token",
        "token",
        "auth_token",
        "authkey",
        "sessionid",
        "jsessionid",
        "phpsessid",
        # API keys and passwords
        "api_key",
        "apikey",
        "api-key",
        "client_secret",
        "secret",
        "password",
        "passwd",
        "pwd",
    }
)
# CloudFront's Policy is a secret only beside its Key-Pair-Id: ?policy=privacy is a page name.
PAIRED = {"policy": "key-pair-id"}
# ``key`` is an API key on Google's API hosts (maps, YouTube data...), a harmless word elsewhere.
KEY_HOSTS = (".googleapis.com", "googleapis.com")
_JWT = re.compile(r"^eyJ[\w-]{5,}\.eyJ[\w-]{5,}\.[\w-]{5,}$")


def is_private_ip(text: str) -> bool:
    """A loopback, private, link-local, CGNAT, unique-local, unspecified or reserved address."""
    try:
        address = ipaddress.ip_address(text.strip("[]").split("%")[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_unspecified
        or address.is_multicast
        or (isinstance(address, ipaddress.IPv4Address) and address in _CGNAT)
    )


def is_private_name(host: str) -> bool:
    """A host that is, or can only be, on a private network (by its name or literal address)."""
    host = host.lower().rstrip(".")
    if not host:
        return False
    if is_private_ip(host):
        return True
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        return False  # a public IP literal
    if host == "localhost" or host.endswith(PRIVATE_SUFFIXES):
        return True
    return "." not in host  # a single-label name: only a local resolver knows it


def resolves_private(addresses: Iterable[str]) -> bool:
    """Whether any address a name resolves to is private (one is enough to leak or to probe)."""
    return any(is_private_ip(a) for a in addresses)


def _secret_parameter(name: str, value: str, host: str, names: frozenset[str]) -> bool:
    lowered = name.lower()
    if lowered in SECRET_PARAMETERS:
        return True
    if PAIRED.get(lowered) in names:
        return True
    if lowered == "key" and host.endswith(KEY_HOSTS):
        return True
    return bool(_JWT.match(value))


def credentials_in(url: str) -> bool:
    """A password in the userinfo, or a query parameter that is a credential or a signature."""
    try:
        parts = urlsplit(url)
        password = parts.password
        host = (parts.hostname or "").lower()
    except ValueError:
        return False
    if password:
        return True
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    names = frozenset(name.lower() for name, _ in pairs)
    return any(_secret_parameter(name, value, host, names) for name, value in pairs)


def withheld(url: str, host_addresses: Iterable[str] = ()) -> WithheldReason | None:
    """Why ``url`` must not go to a public archive, if it must not.

    ``host_addresses`` are what its host resolved to, when known.
    """
    if credentials_in(url):
        return "credentials-in-url"
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return None
    if is_private_name(host) or resolves_private(host_addresses):
        return "private-address"
    return None


def redact(url: str) -> str:
    """``url`` with its password and credential parameters replaced by ``REDACTED``.

    The user name stays (it says whose link it is, and is no secret); the query keeps its other
    parameters and its order. A URL without secrets comes back unchanged, byte for byte.
    """
    if not credentials_in(url):
        return url
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password:
        userinfo, _, hostport = netloc.rpartition("@")
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:{REDACTED}@{hostport}"
    host = (parts.hostname or "").lower()
    names = frozenset(n.lower() for n, _ in parse_qsl(parts.query, keep_blank_values=True))
    pieces = []
    for piece in parts.query.split("&") if parts.query else []:
        name, eq, value = piece.partition("=")
        decoded = parse_qsl(piece, keep_blank_values=True)
        plain_name, plain_value = decoded[0] if decoded else (name, value)
        if eq and _secret_parameter(plain_name, plain_value, host, names):
            pieces.append(f"{name}={quote(REDACTED)}")
        else:
            pieces.append(piece)
    return urlunsplit((parts.scheme, netloc, parts.path, "&".join(pieces), parts.fragment))


def redact_text(text: str, urls: Iterable[str]) -> str:
    """``text`` with each of ``urls`` that holds a secret replaced by its redacted form."""
    for url in urls:
        shown = redact(url)
        if shown != url:
            text = text.replace(url, shown)
    return text
