"""A library at scale: many documents, one store, each unique URL checked once.

Writes D documents of L footnotes each, in the seed report's own footnote shapes (``<sup>N</sup>
<URL>`` lines, two URLs in one note, bare and angle-bracketed URLs, a dateline), citing URLs on H
loopback hosts that answer after a fixed latency (bench/_latency.py: ``/page/N`` alive, anything
else 404; one link in 20 is dead). A tenth of each document's links are shared with another
document (cited twice, fetched once). Then, each in a process of its own, it runs the library
through ``kzarchive.library.run_library`` as ``kzarchive run FOLDER`` does (the Wayback Machine at
a closed port: nothing is archived, so what is measured is reading, checking and the store), and
prints per size: wall time, wall and CPU time per link, peak RSS; then a re-run with nothing due
(its wall time, the whole process, and its CPU time: on a shared machine the CPU time is the
figure that does not depend on the neighbours).

    python bench/library.py --sizes 10,100,1000 --links 100     # 1k, 10k, 100k links
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _latency import latency_hosts

ONE = """
import asyncio, json, sys, time, resource
from datetime import UTC, datetime
from pathlib import Path
from kzarchive.check import CheckOptions
from kzarchive.extract import extract
from kzarchive.library import run_library
from kzarchive.scope import redact_extraction
from kzarchive.store.folder import open_for
from kzarchive.store.rot import RotPolicy
from kzarchive.wayback.client import WaybackClient
from kzarchive.wayback.options import ArchiveOptions

folder, out, wayback = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
documents = sorted(folder.glob("*.md"))
check = CheckOptions(per_host=8, concurrency=128, second_look=False)

async def main():
    with open_for(out) as store:
        async with WaybackClient(wayback, None, timeout=2, retries=0) as client:
            async def run_one(redacted, target, due):
                from kzarchive.pipeline import run_pipeline
                return await run_pipeline(
                    redacted, target, client, check, ArchiveOptions(), sink=store, due=due
                )
            read = lambda path: redact_extraction(extract(path))
            return await run_library(
                documents, out, store, read, run_one, RotPolicy(), datetime.now(UTC)
            ), store.counts()

started = time.monotonic()
run, counts = asyncio.run(main())
elapsed = time.monotonic() - started
usage = resource.getrusage(resource.RUSAGE_SELF)
peak, cpu = usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime
print(json.dumps({"seconds": elapsed, "cpu": cpu, "checked": run.checked, "peak_mb": peak,
                  "documents_run": sum(1 for d in run.documents if d.ran),
                  "counts": counts}))
"""

SHAPES = [
    "<sup>{n}</sup> <{a}>",
    "<sup>{n}</sup> {a}",
    "<sup>{n}</sup> <{a}>; <{b}>",
    "<sup>{n}</sup> See the court's decision: <{a}>",
]


def write_library(folder: Path, bases: list[str], documents: int, links: int) -> int:
    """The documents; returns the number of unique URLs they cite."""
    unique: set[str] = set()
    serial = 0
    for d in range(documents):
        notes, claims = [], []
        for n in range(1, links + 1):
            shape = SHAPES[n % len(SHAPES)]
            urls = []
            for _ in range(2 if "{b}" in shape else 1):
                if n % 10 == 0 and d > 0:  # shared with the previous document
                    k = (d - 1) * 10_000 + n
                else:
                    k = d * 10_000 + n + (5000 if urls else 0)
                page = f"page/{k}" if k % 20 else f"gone/{k}"
                urls.append(f"{bases[k % len(bases)]}/{page}")
                serial += 1
            unique.update(urls)
            notes.append(shape.format(n=n, a=urls[0], b=urls[-1]))
            claims.append(f"The court ruled on it.<sup>{n}</sup>")
        year = 2013 + d % 12
        text = (
            f"Warsaw, 22 February {year}\n\n**REPORT {d}**\n\n"
            + " ".join(claims)
            + "\n\n"
            + "\n\n".join(notes)
            + "\n"
        )
        (folder / f"report-{d:05d}.md").write_text(text, encoding="utf-8")
    return len(unique)


def run_once(folder: Path, out: Path, wayback: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", ONE, str(folder), str(out), wayback],
        capture_output=True,
        text=True,
        timeout=3600,
        cwd=Path(__file__).resolve().parent.parent,
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr[-2000:])
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10,100,1000", help="documents per run")
    parser.add_argument("--links", type=int, default=100, help="footnotes per document")
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.02)
    args = parser.parse_args()
    import socket

    with socket.socket() as probe:  # a port nobody listens on: the archive "does not answer"
        probe.bind(("127.0.0.1", 0))
        wayback = f"http://127.0.0.1:{probe.getsockname()[1]}"
    print(
        f"{args.links} footnotes a document over {args.hosts} hosts, "
        f"{args.latency * 1000:.0f} ms latency"
    )
    print(
        f"{'documents':>10}{'links':>9}{'unique':>9}{'wall s':>9}{'ms/link':>9}{'cpu ms/l':>9}"
        f"{'peak MB':>9}{'rerun s':>9}{'rerun cpu':>10}  store"
    )
    with latency_hosts(args.hosts, args.latency) as hosts:
        for size in (int(s) for s in args.sizes.split(",")):
            with tempfile.TemporaryDirectory() as tmp:
                folder, out = Path(tmp) / "reports", Path(tmp) / "archive"
                folder.mkdir()
                unique = write_library(folder, hosts.bases, size, args.links)
                first = run_once(folder, out, wayback)
                started = time.monotonic()
                again = run_once(folder, out, wayback)
                rerun = time.monotonic() - started
                assert again["checked"] == 0, again
                seconds = float(first["seconds"])  # type: ignore[arg-type]
                cpu = float(first["cpu"])  # type: ignore[arg-type]
                print(
                    f"{size:>10}{size * args.links:>9}{unique:>9}{seconds:>9.1f}"
                    f"{seconds / unique * 1000:>9.2f}{cpu / unique * 1000:>9.2f}"
                    f"{first['peak_mb']:>9.0f}{rerun:>9.2f}{float(again['cpu']):>10.2f}"  # type: ignore[arg-type]
                    f"  {first['counts']}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
