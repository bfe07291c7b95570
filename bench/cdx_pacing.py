"""CDX pacing at the real limits: a 60-link ``archive`` against an index that blocks at 60/min.

Starts the fake Wayback Machine with its CDX index enforcing --limit requests in any --window
seconds (60 in 60 s, as web.archive.org allows each IP; beyond that it answers 429 to everything,
as a blocked address gets), every link already captured (as cited and recently, so that nothing
is submitted), and runs ``kzarchive archive`` on a report of --links links with the default
pacing (80% of 60 a minute). Prints the wall time, the CDX requests made, the 429s received and
the snapshots found; the run should take a little over a minute for 60 links (48 look-ups in
the first minute, the rest in the second) and meet no 429.

    python bench/cdx_pacing.py --links 60
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.servers.documents import footnoted_report
from tests.servers.fake_wayback import fake_wayback


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--links", type=int, default=60)
    parser.add_argument("--limit", type=int, default=60, help="CDX requests the index allows")
    parser.add_argument("--window", type=float, default=60.0, help="in any window of seconds")
    args = parser.parse_args()
    server, state = fake_wayback(cdx_limit=args.limit, cdx_window=args.window)
    today = time.strftime("%Y%m%d000001", time.gmtime())
    with server, tempfile.TemporaryDirectory() as tmp:
        # Loopback hosts (no DNS query leaves the machine), archived as a private archive would.
        urls = [f"http://127.0.0.{2 + n % 9}:9/report/{n}" for n in range(args.links)]
        for url in urls:
            state.add_capture(url, "20200115000000")
            state.add_capture(url, today)
        report = footnoted_report(Path(tmp) / "report.md", urls, "Almaty, 1 June 2020")
        env = {
            "KZARCHIVE_WAYBACK_URL": server.base,
            "KZARCHIVE_ARCHIVE_PRIVATE": "1",
            "KZARCHIVE_OTHER_ARCHIVES": "0",
            "IA_ACCESS_KEY": "test-access",
            "IA_SECRET_KEY": "test-secret",
            "PATH": "/usr/bin:/bin",
        }
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "kzarchive", "archive", str(report), "--format", "json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        elapsed = time.monotonic() - started
    links = json.loads(done.stdout)["links"] if done.stdout.strip() else []
    found = sum(1 for link in links if (link["archive"] or {}).get("snapshot"))
    cited = sum(1 for link in links if (link["archive"] or {}).get("cited_snapshot"))
    print(f"links                 {args.links}")
    print(f"index limit           {args.limit} requests in any {args.window:g} s")
    print(f"wall time             {elapsed:.1f} s")
    print(f"CDX requests          {len(state.cdx_requests())}")
    print(f"429s received         {state.cdx_refused}")
    print(f"snapshots found       {found} (as cited: {cited})")
    print(f"submissions           {len(state.saves())}")
    print(f"exit code             {done.returncode}")
    print(f"last line on stderr   {done.stderr.strip().splitlines()[-1] if done.stderr else ''}")


if __name__ == "__main__":
    main()
