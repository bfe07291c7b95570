"""How to archive, as a plain record, apart from the archiving itself.

The command line builds its options from these defaults at start-up, so this module stays light:
archiving needs the Wayback Machine client, and importing that for every command (``extract``,
``check``) would cost more than some of those commands take to run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

# A self-hosted Memento aggregator (MemGator) to ask instead of the archives one by one: none by
# default (timetravel.mementoweb.org, the public one, was shut down on 5 September 2025).
DEFAULT_MEMENTO_URL: str | None = None
PERMA_API = "https://api.perma.cc"
_AGE_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([dhms]?)", re.IGNORECASE)
_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1, "": 1}


def parse_age(text: str) -> timedelta:
    """``30d``, ``3d 5h 20m``, ``45m`` or plain seconds, as SPN2's ``if_not_archived_within``."""
    cleaned = text.strip()
    if not cleaned or _AGE_PART.sub("", cleaned).strip(" ,"):
        raise ValueError(f"not a duration: {text!r} (try 30d, 12h, 3d 5h 20m or seconds)")
    seconds = sum(float(n) * _UNITS[u.lower()] for n, u in _AGE_PART.findall(cleaned))
    return timedelta(seconds=seconds)


@dataclass(frozen=True)
class ArchiveOptions:
    """How to archive: what capture is young enough, how long to wait for jobs, what to capture."""

    max_snapshot_age: str = "30d"
    job_timeout: float = 180.0
    poll_interval: float = 1.0
    poll_max_interval: float = 15.0
    capture_outlinks: bool = False
    capture_screenshot: bool = False
    anonymous: bool = False
    refresh: bool = False
    cited_on: date | None = None
    submit_retries: int = 4
    slot_wait: float = 10.0
    max_slots: int = 32
    lookups: int = 8
    # Since 2023 the archive allows about 12 captures a minute per account: keep to that rather
    # than learn it from refusals (0: no pacing, for a local archive).
    captures_per_minute: float = 12.0
    # Sporadic 401s with valid keys are reported: one more try after this pause, then give up.
    auth_retry_pause: float = 5.0
    # Submit links on private networks (for a private archive at --wayback-url); never credentials.
    archive_private: bool = False

    @property
    def submit_interval(self) -> float:
        return 60.0 / self.captures_per_minute if self.captures_per_minute > 0 else 0.0

    @property
    def max_age(self) -> timedelta:
        return parse_age(self.max_snapshot_age)

    def spn2_fields(self) -> dict[str, str]:
        fields = {
            "if_not_archived_within": self.max_snapshot_age.strip(),
            "skip_first_archive": "1",
        }
        if self.capture_outlinks:
            fields["capture_outlinks"] = "1"
        if self.capture_screenshot:
            fields["capture_screenshot"] = "1"
        if self.refresh:
            fields["if_not_archived_within"] = "0"
        return fields
