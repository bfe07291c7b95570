"""Archiving speed: captures run side by side up to the account's slots, not one after another.

Starts the fake Wayback Machine with each capture taking --capture seconds and --slots slots, runs
``kzarchive archive`` on a report of --links links, and prints the wall time next to the ideal
(links / slots x capture time) and the serial time (links x capture time); then the same with
snapshot verification off, to show what judging every copy (fetching its raw payload) adds.

    python bench/archive.py --links 60 --slots 6 --capture 2
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from pathlib import Path

from _servers import measure

from tests.servers.documents import footnoted_report
from tests.servers.fake_wayback import fake_wayback


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--links", type=int, default=60)
    parser.add_argument("--slots", type=int, default=6)
    parser.add_argument("--capture", type=float, default=2.0)
    args = parser.parse_args()
    for verify in (True, False):
        run(args, verify)


def run(args: argparse.Namespace, verify: bool) -> None:
    server, state = fake_wayback(user_limit=args.slots, capture_seconds=args.capture)
    with server, tempfile.TemporaryDirectory() as tmp:
        # Loopback hosts (no DNS query leaves the machine), archived as a private archive would.
        urls = [f"http://127.0.0.{2 + n % 9}:9/report/{n}" for n in range(args.links)]
        report = footnoted_report(Path(tmp) / "report.md", urls)
        out = Path(tmp) / "out.json"
        env = {
            "KZARCHIVE_WAYBACK_URL": server.base,
            "KZARCHIVE_CAPTURES_PER_MINUTE": "0",  # our overhead, not the archive's pace
            "KZARCHIVE_ARCHIVE_PRIVATE": "1",
            "KZARCHIVE_VERIFY_SNAPSHOTS": "1" if verify else "0",
            "KZARCHIVE_OTHER_ARCHIVES": "0",
            "IA_ACCESS_KEY": "test-access",
            "IA_SECRET_KEY": "test-secret",
        }
        command = [
            sys.executable,
            "-m",
            "kzarchive",
            "--quiet",
            "archive",
            str(report),
            "--format",
            "json",
            "--output",
            str(out),
        ]
        m = measure(command, env)
        links = json.loads(out.read_text())["links"]
    saved = sum(1 for link in links if link["archive"]["status"] == "saved")
    ideal = math.ceil(args.links / args.slots) * args.capture
    print(
        f"{args.links} links, {args.slots} capture slots, {args.capture:g} s per capture, "
        f"snapshot verification {'on' if verify else 'off'} "
        f"({len(state.replays)} payloads fetched)"
    )
    print(f"wall time:   {m.seconds:6.2f} s  ({saved} saved, exit {m.returncode})")
    print(
        f"ideal:       {ideal:6.2f} s  (links / slots x capture time); "
        f"ratio {m.seconds / ideal:.2f}"
    )
    print(f"serial:      {args.links * args.capture:6.2f} s  (one capture after another)")
    print(
        f"peak jobs in flight at the fake: {state.peak_active} (slots: {args.slots}); "
        f"user-session-limit refusals: {state.session_limit_refusals}; "
        f"status polls: {sum(1 for r in state.requests if r.path.startswith('/save/status/spn2-'))}"
    )


if __name__ == "__main__":
    main()
