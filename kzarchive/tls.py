"""Which certificate authorities both HTTP clients trust, decided in one place.

A TLS-inspecting network (most companies, many universities) re-signs every site with its own CA,
which it installs in the operating system's store; trusting only certifi's bundle would make every
link an ``error:tls`` there. So the system store comes first (the ``truststore`` package, which
uses the platform's verifier), certifi's bundle only when truststore is missing. The files named by
``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` are trusted as OpenSSL-based tools trust them: truststore reads
them through OpenSSL's default verify paths on Linux, and the certifi fallback loads them itself.
"""

from __future__ import annotations

import functools
import os
import ssl


def _extra_locations(context: ssl.SSLContext) -> None:
    cafile = os.environ.get("SSL_CERT_FILE") or None
    capath = os.environ.get("SSL_CERT_DIR") or None
    if cafile and not os.path.isfile(cafile):
        cafile = None
    if capath and not os.path.isdir(capath):
        capath = None
    if cafile or capath:
        context.load_verify_locations(cafile=cafile, capath=capath)


@functools.cache
def ssl_context() -> ssl.SSLContext:
    """One client TLS context for the run (loading a CA store costs tens of milliseconds)."""
    try:
        import truststore
    except ImportError:  # pragma: no cover - truststore is a dependency; this is the fallback
        import certifi

        context = ssl.create_default_context(cafile=certifi.where())
        _extra_locations(context)
        return context
    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
