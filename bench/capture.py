"""The cost of keeping evidence, on the 1,000-link benchmark of bench/check.py (H hosts adding a
fixed latency to every answer).

1. The check phase alone, in process, with and without the WARC recorder tapping it (what capture
   adds to each link: reading into a spool, hashing, writing gzipped WARC records).
2. ``kzarchive run`` with and without capture against a fake Wayback Machine: the whole cost,
   with the WACZ packaging and the seal. Timestamps are off (one request at the end).

The runs alternate, each --repeat times; medians are printed with the bytes each left behind.

    python bench/capture.py --links 1000 --hosts 20 --latency 0.05 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

from _latency import latency_hosts
from _servers import measure

from tests.servers.documents import footnoted_report
from tests.servers.fake_wayback import cli_env, fake_wayback

PHASE = """
import asyncio, json, sys, time
from pathlib import Path
from kzarchive.check import CheckOptions
from kzarchive.check.checker import LinkChecker
from kzarchive.check.dns import StaticResolver
from kzarchive.evidence.warc import WarcRecorder
urls = json.load(open("{urls}"))
async def main():
    async with LinkChecker(CheckOptions(per_host=4), resolver=StaticResolver({{}})) as checker:
        recorder = None
        if {capture}:
            recorder = WarcRecorder(Path("{out}"), "bench")
            checker.capture(recorder)
        started = time.monotonic()
        run = await checker.check_all(urls)
        await checker.captures_done()
        if recorder is not None:
            recorder.close()
        return time.monotonic() - started, run
seconds, run = asyncio.run(main())
print(seconds)
"""


def phase(urls_file: Path, out: Path, capture: bool) -> float:
    import subprocess

    script = PHASE.format(urls=urls_file, out=out, capture=capture)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=600
    )
    return float(done.stdout.split()[-1])


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--links", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    times: dict[str, list[float]] = {"--no-capture": [], "--capture": []}
    sizes: dict[str, int] = {}
    with latency_hosts(args.hosts, args.latency) as hosts, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        urls = [f"{hosts.bases[n % args.hosts]}/page/{n}" for n in range(args.links)]
        report = footnoted_report(folder / "report.md", urls)
        urls_file = folder / "urls.json"
        urls_file.write_text(json.dumps(urls))
        phases: dict[bool, list[float]] = {False: [], True: []}
        for n in range(args.repeat):
            for capture in (False, True):
                out = folder / f"phase-{capture}-{n}"
                phases[capture].append(phase(urls_file, out, capture))
        without_phase, with_phase = (statistics.median(phases[c]) for c in (False, True))
        warc_bytes = folder_bytes(folder / f"phase-True-{args.repeat - 1}")
        print(
            f"check phase: without capture {without_phase:.2f} s, with capture "
            f"{with_phase:.2f} s: +{(with_phase / without_phase - 1) * 100:.1f}% "
            f"(target <= 20%); {warc_bytes:,} bytes of WARC"
        )
        server, _ = fake_wayback(capture_seconds=0, user_limit=1000)
        with server:
            env = cli_env(server, KZARCHIVE_JOB_TIMEOUT="30")
            for n in range(args.repeat):
                for mode in times:
                    out = folder / f"out-{mode.strip('-')}-{n}"
                    command = [
                        sys.executable,
                        "-m",
                        "kzarchive",
                        "--quiet",
                        "run",
                        str(report),
                        "--out",
                        str(out),
                        mode,
                        "--no-timestamp",
                    ]
                    m = measure(command, env, cwd=folder)
                    if m.returncode not in (0, 1):
                        raise SystemExit(f"{mode}: exit {m.returncode}")
                    times[mode].append(m.seconds)
                    sizes[mode] = folder_bytes(out)
                    print(
                        f"{mode:<13} run {n + 1}: {m.seconds:6.2f} s, {sizes[mode]:>10,} bytes, "
                        f"peak RSS {m.peak_rss_mb:.0f} MB"
                    )
    without, with_ = (statistics.median(times[m]) for m in ("--no-capture", "--capture"))
    print(
        f"median: without capture {without:.2f} s, with capture {with_:.2f} s: "
        f"+{(with_ / without - 1) * 100:.1f}% wall time (target <= 20%)"
    )
    print(
        f"bytes written: {sizes['--no-capture']:,} without, {sizes['--capture']:,} with "
        f"(+{sizes['--capture'] - sizes['--no-capture']:,})"
    )


if __name__ == "__main__":
    main()
