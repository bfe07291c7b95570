"""The browser capture's cost on a 21-link document (the seed's size) served on loopback.

The document cites 14 "platform" pages that need a browser (text filled by fetch(), a video set
by script, a post under a login overlay, lazy images: the scenario server's /js/ pages, each
under its own query) and 7 articles. It prints

1. the seconds each page takes in the browser (pages captured --pages at once, each in a fresh
   context): median, 90th percentile, and the wall time over all 21;
2. ``kzarchive run`` with ``--no-browser`` and with ``--browser`` (fake Wayback Machine, no
   timestamps), each --repeat times: median wall time, the overhead, and the peak memory of
   kzarchive plus every process it started (Chromium's included), as RSS summed over the
   process tree and as PSS (shared pages counted once), sampled every 50 ms.

    .venv/bin/python bench/browser.py --pages 3 --repeat 3
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kzarchive.capture.options import BrowserOptions  # noqa: E402
from kzarchive.capture.session import BrowserSession  # noqa: E402
from kzarchive.evidence.warc import WarcRecorder  # noqa: E402
from tests.servers.documents import footnoted_report  # noqa: E402
from tests.servers.fake_wayback import cli_env, fake_wayback  # noqa: E402
from tests.servers.scenario import scenario_server  # noqa: E402

PLATFORM = ["/js/fetch-text", "/js/video", "/js/overlay", "/js/lazy", "/js/background"]


def document_paths() -> list[str]:
    paths = [f"{PLATFORM[n % len(PLATFORM)]}?post={n}" for n in range(14)]
    return paths + [f"/page/{n}" for n in range(7)]


def tree(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def memory(pids: list[int]) -> tuple[int, int]:
    """RSS and PSS of ``pids`` together, in kB."""
    rss = pss = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except OSError:
            continue
    return rss, pss


def run_once(args: list[str], env: dict[str, str]) -> tuple[float, int, int, int]:
    """Wall seconds, exit code and peak RSS and PSS (kB) of one kzarchive run."""
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "kzarchive", *args],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    peak = [0, 0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            rss, pss = memory(tree(process.pid))
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = process.wait()
    stop.set()
    sampler.join()
    return time.monotonic() - started, code, peak[0], peak[1]


async def per_page(base: str, contexts: int, folder: Path) -> tuple[list[float], float]:
    recorder = WarcRecorder(folder, "bench")
    seconds: list[float] = []
    async with BrowserSession(BrowserOptions(enabled=True, contexts=contexts), recorder) as s:

        async def one(path: str) -> None:
            seconds.append((await s.capture(base + path)).seconds)

        started = time.monotonic()
        await asyncio.gather(*(one(p) for p in document_paths()))
        wall = time.monotonic() - started
    recorder.close()
    return seconds, wall


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=BrowserOptions().contexts)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with scenario_server() as web, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        seconds, wall = asyncio.run(per_page(web.base, args.pages, folder))
        seconds.sort()
        print(f"browser, {len(seconds)} pages, {args.pages} at once (each from its slot):")
        print(
            f"  median {statistics.median(seconds):.2f} s a page (queueing excluded? no: "
            "from the call, so waiting for a slot counts)"
        )
        print(
            f"  p90 {seconds[int(len(seconds) * 0.9)]:.2f} s, wall {wall:.2f} s "
            f"= {wall / len(seconds):.2f} s a page"
        )
        report = footnoted_report(folder / "report.md", [web.base + p for p in document_paths()])
        results: dict[str, list[tuple[float, int, int, int]]] = {"no-browser": [], "browser": []}
        for n in range(args.repeat):
            for mode in results:
                server, _ = fake_wayback()
                with server:
                    out = folder / f"out-{mode}-{n}"
                    argv = ["run", str(report), "--out", str(out), f"--{mode}"]
                    argv += ["--browser-pages", str(args.pages)]
                    results[mode].append(run_once(argv, cli_env(server)))
        for mode, runs in results.items():
            times = [r[0] for r in runs]
            print(
                f"kzarchive run --{mode}: median {statistics.median(times):.2f} s "
                f"(runs {', '.join(f'{t:.2f}' for t in times)}; exit {runs[0][1]}), "
                f"peak RSS {max(r[2] for r in runs) / 1024:.0f} MB, "
                f"PSS {max(r[3] for r in runs) / 1024:.0f} MB"
            )
        plain = statistics.median(r[0] for r in results["no-browser"])
        with_browser = statistics.median(r[0] for r in results["browser"])
        print(f"browser overhead: +{with_browser - plain:.2f} s ({with_browser / plain:.1f}x)")


if __name__ == "__main__":
    main()
