"""``kzarchive run`` against ``check`` and ``archive`` alone on the same report.

Local web servers add --latency to every answer, the fake Wayback Machine takes --capture seconds
per capture with --slots slots. A run overlaps checking and archiving, so its wall time should be
close to the slower of the two, not their sum.

    python bench/run.py --links 500 --hosts 10 --latency 0.05 --capture 1 --slots 6
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from _servers import measure, web_hosts

from tests.servers.documents import footnoted_report
from tests.servers.fake_wayback import fake_wayback


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--links", type=int, default=500)
    parser.add_argument("--hosts", type=int, default=10)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--capture", type=float, default=1.0)
    parser.add_argument("--slots", type=int, default=6)
    args = parser.parse_args()
    with web_hosts(args.hosts, args.latency) as servers, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        urls = [f"{servers[n % args.hosts].base}/page/{n}" for n in range(args.links)]
        report = footnoted_report(folder / "report.md", urls)
        times = {}
        for step in ("check", "archive", "run"):
            server, _ = fake_wayback(user_limit=args.slots, capture_seconds=args.capture)
            with server:
                env = {
                    "KZARCHIVE_WAYBACK_URL": server.base,
                    "KZARCHIVE_CAPTURES_PER_MINUTE": "0",  # our overhead, not the archive's pace
                    "KZARCHIVE_ARCHIVE_PRIVATE": "1",  # the cited hosts are on 127.0.0.x
                    "IA_ACCESS_KEY": "test-access",
                    "IA_SECRET_KEY": "test-secret",
                }
                extra = (
                    ["--out", str(folder / "archive")] if step == "run" else ["--format", "json"]
                )
                command = [sys.executable, "-m", "kzarchive", "--quiet", step, str(report), *extra]
                m = measure(command, env, cwd=folder)
                times[step] = m.seconds
                print(
                    f"{step:<8} {m.seconds:7.2f} s  exit {m.returncode}, "
                    f"peak RSS {m.peak_rss_mb:.0f} MB"
                )
    slower = max(times["check"], times["archive"])
    print(
        f"run / slower of check and archive: {times['run'] / slower:.2f} "
        f"(sum would be {(times['check'] + times['archive']) / slower:.2f})"
    )


if __name__ == "__main__":
    main()
