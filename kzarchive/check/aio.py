"""aiohttp, imported without the two TLS contexts it builds for itself.

``aiohttp.connector`` builds a default verifying context and a non-verifying one when it is
imported, and each loads the system's CA bundle: about a third of aiohttp's import time (tens of
milliseconds), paid by every ``check``, even of one plain-HTTP link. kzarchive never uses them:
every HTTPS request gets :func:`kzarchive.tls.ssl_context` (the system store, loaded once, when a
first HTTPS link is checked). So while aiohttp loads, the standard library hands it contexts that
load no CA: the verifying one still verifies, and trusting nothing it fails closed if anything ever
used it, and the other one verifies nothing by design.

Every module of the checker imports aiohttp from here.
"""

from __future__ import annotations

import ssl
import sys
from typing import Any

__all__ = ["aiohttp"]


def _empty_default_context(*args: Any, **kwargs: Any) -> ssl.SSLContext:
    """``ssl.create_default_context()`` (client side, verifying) without loading any CA."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.options |= ssl.OP_NO_COMPRESSION
    return context


def _import() -> Any:
    if "aiohttp.connector" in sys.modules:  # already loaded (by a test, say): nothing to save
        import aiohttp as loaded

        return loaded
    create = ssl.create_default_context
    set_paths = ssl.SSLContext.set_default_verify_paths
    ssl.create_default_context = _empty_default_context
    ssl.SSLContext.set_default_verify_paths = lambda self: None  # type: ignore[method-assign]
    try:
        import aiohttp as loaded
    finally:
        ssl.create_default_context = create
        ssl.SSLContext.set_default_verify_paths = set_paths  # type: ignore[method-assign]
    return loaded


_import()

import aiohttp  # noqa: E402  (loaded above; this binds the name for the checker's modules)
