"""How the browser capture is bounded, light enough to load for ``--help``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MiB = 1024 * 1024


@dataclass(frozen=True)
class BrowserOptions:
    """The browser capture's switches and budgets (every step is bounded in time and bytes).

    ``enabled`` means "when a Chromium can be found": without one the run warns once and keeps
    its HTTP capture.
    """

    enabled: bool = False
    path: Path | None = None  # a Chromium or Chrome binary; else Playwright's own, else PATH
    cookies: Path | None = None  # a Netscape cookies.txt: a logged-in capture
    contexts: int = 2  # pages captured at once: 2 keeps the peak under 800 MB at the same wall time
    page_time: float = 30.0  # everything about one page
    load_time: float = 15.0  # navigation, up to the load event
    settle_time: float = 4.0  # waiting for the network to be quiet after the load
    quiet_time: float = 0.4  # how long "quiet" lasts
    scroll_time: float = 6.0
    scroll_height: int = 20_000  # pixels scrolled at most (an endless page stops there)
    screenshot_height: int = 12_000  # pixels of the full-page screenshot at most
    page_bytes: int = 100 * MiB  # every response of one page together
    response_bytes: int = 50 * MiB  # one response (beyond: WARC-Truncated: length)
    fetches: int = 20  # media and srcset targets fetched outside the browser, per page
    dialogs: int = 3  # alert/confirm/prompt dialogs before the page is cut
    extra_args: tuple[str, ...] = ()  # more Chromium switches (the tests map DNS to nowhere)
