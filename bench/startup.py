"""Start-up cost of a command: ``kzarchive check`` of one link, run again and again.

Prints, like hyperfine, the wall time and CPU time (user + system of the child) of each run's
whole command, their minimum, median and maximum, then the slowest imports of one run under
``python -X importtime`` (cumulative microseconds). The link points at a loopback port nobody
listens on, so the check itself is one refused connection: what is measured is start-up.

    python bench/startup.py                    # check of one link, 15 runs
    python bench/startup.py --runs 30 --quiet  # with --quiet (no rich console at all)
    python bench/startup.py --command extract
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _timed(argv: list[str]) -> tuple[float, float]:
    # A blocking wait, bounded by a timer that kills the child: Popen.wait(timeout=...) polls
    # with sleeps of up to 50 ms, which rounded every wall time up to the next poll.
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    watchdog = threading.Timer(60, child.kill)
    watchdog.start()
    try:
        child.wait()
    finally:
        watchdog.cancel()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _imports(argv: list[str], top: int) -> list[tuple[int, str]]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *argv[1:]],
        capture_output=True,
        text=True,
        timeout=60,
    )
    found: list[tuple[int, str]] = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.split("|")
        if len(name) - len(name.lstrip()) <= 3:  # top-level imports and their first children
            found.append((int(cumulative), name.strip()))
    return sorted(found, reverse=True)[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--command", default="check", choices=["check", "extract"])
    parser.add_argument("--quiet", action="store_true", help="pass --quiet")
    parser.add_argument("--top", type=int, default=12, help="imports to list")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        document = Path(tmp) / "one.md"
        port = _closed_port()
        document.write_text(f"A report.[^1]\n\n[^1]: http://127.0.0.1:{port}/gone\n")
        argv = [sys.executable, "-m", "kzarchive"]
        if args.quiet:
            argv.append("--quiet")
        argv += [args.command, str(document)]
        os.environ.pop("KZARCHIVE_CONFIG", None)
        _timed(argv)  # warm the page cache and the bytecode
        walls, cpus = zip(*(_timed(argv) for _ in range(args.runs)), strict=True)
        print(f"{' '.join(['kzarchive', *argv[3:-1]])} <one link>, {args.runs} runs")
        for label, values in (("wall", walls), ("cpu", cpus)):
            print(
                f"  {label:>4}: min {min(values):.3f} s  median {statistics.median(values):.3f} s"
                f"  max {max(values):.3f} s"
            )
        baseline = [_timed([sys.executable, "-c", "pass"])[0] for _ in range(5)]
        print(f"  python -c pass: min {min(baseline):.3f} s (the interpreter's own start-up)")
        print("  slowest imports (cumulative, one run under -X importtime):")
        for micros, name in _imports(argv, args.top):
            print(f"    {micros / 1000:7.1f} ms  {name}")


if __name__ == "__main__":
    main()
