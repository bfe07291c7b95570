"""What evidence a run keeps, light enough to load for ``--help``."""

from __future__ import annotations

from dataclasses import dataclass, field

from kzarchive.capture.options import BrowserOptions

DEFAULT_TSAS = (
    # Timestamp authorities whose roots are in Mozilla's CA list and which answer without an
    # account (among those bellingcat's auto-archiver uses).
    "http://timestamp.digicert.com",
    "http://timestamp.sectigo.com",
    "http://zeitstempel.dfn.de",
)


@dataclass(frozen=True)
class EvidenceOptions:
    """Capture (WARC/WACZ), media (yt-dlp) and trusted timestamps (RFC 3161)."""

    capture: bool = True
    capture_max: int = 50 * 1024 * 1024
    requisites: int = 40
    requisite_bytes: int = 10 * 1024 * 1024
    media: bool = True
    media_max: int = 500 * 1024 * 1024
    timestamp: bool = True
    tsas: tuple[str, ...] = DEFAULT_TSAS
    # off unless asked for (the CLI asks for it by default)
    browser: BrowserOptions = field(default_factory=BrowserOptions)
