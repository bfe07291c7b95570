"""How hard and how politely to check: the settings, light enough to load for ``--help``."""

from __future__ import annotations

from dataclasses import dataclass

from kzarchive import __version__

DEFAULT_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    f"Chrome/131.0 Safari/537.36 kzarchive/{__version__} (+https://pypi.org/project/kzarchive/)"
)


@dataclass(frozen=True)
class CheckOptions:
    """How hard and how politely to check."""

    concurrency: int = 32
    per_host: int = 4
    host_interval: float = 0.01
    timeout: float = 20.0
    max_body: int = 2 * 1024 * 1024
    max_redirects: int = 10
    retries: int = 3
    backoff: float = 1.0
    retry_after_cap: float = 30.0
    user_agent: str = DEFAULT_USER_AGENT
    second_look: bool = True
    # Never connect to a private address (a cited one, or one a redirect or a name leads to).
    exclude_private: bool = False
