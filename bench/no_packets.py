"""Proof that the browser capture sends nothing off this machine, Chromium's own background
traffic included.

The script re-runs itself in a new network namespace (``unshare -rn``: user and network
namespaces, no root needed) where the only interface is ``lo``, brought up. There, nothing can
leave; what the script measures is whether anything *tried*: every packet the kernel could not
route (``OutNoRoutes`` in ``/proc/net/snmp`` and ``/proc/net/snmp6``: a DNS query to the
resolver, a connection to an update server) is counted. It then

1. captures the scenario server's ``/js/`` pages with kzarchive's browser session and its
   default switches (no DNS mapping: a background request would show), and keeps the browser
   open, idle, for ``--idle`` seconds, when Chromium's timers (component updates, Safe Browsing
   lists, metrics) would fire;
2. runs the browser tests (``tests/capture``) with pytest in the same namespace;

and prints the counters before and after. Exit 0 when no packet was even attempted outside lo.

Usage: .venv/bin/python bench/no_packets.py [--idle 30] [--no-tests]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
MARK = "KZARCHIVE_IN_NETNS"


def counters() -> dict[str, int]:
    """The kernel's IPv4 and IPv6 output counters of this namespace."""
    found: dict[str, int] = {}
    lines = Path("/proc/net/snmp").read_text().splitlines()
    for head, values in zip(lines[::2], lines[1::2], strict=False):
        if head.startswith("Ip:"):
            for name, value in zip(head.split()[1:], values.split()[1:], strict=True):
                if name in ("OutRequests", "OutNoRoutes"):
                    found[f"Ip{name}"] = int(value)
        if head.startswith("Udp:"):
            for name, value in zip(head.split()[1:], values.split()[1:], strict=True):
                if name == "OutDatagrams":
                    found[f"Udp{name}"] = int(value)
    for line in Path("/proc/net/snmp6").read_text().splitlines():
        name, value = line.split()
        if name in ("Ip6OutRequests", "Ip6OutNoRoutes", "Udp6OutDatagrams"):
            found[name] = int(value)
    return found


def interface_bytes() -> dict[str, int]:
    """Bytes sent by each interface of this namespace (/proc/net/dev is per namespace; /sys is
    not remounted by unshare, so it still shows the host's)."""
    sent = {}
    for line in Path("/proc/net/dev").read_text().splitlines()[2:]:
        name, _, numbers = line.partition(":")
        sent[name.strip()] = int(numbers.split()[8])
    return sent


def interfaces() -> list[str]:
    return sorted(interface_bytes())


async def capture_and_idle(idle: float) -> list[str]:
    from kzarchive.capture.options import BrowserOptions
    from kzarchive.capture.session import BrowserSession
    from kzarchive.evidence.warc import WarcRecorder
    from tests.servers.rendered import PAGES
    from tests.servers.scenario import scenario_server

    said = []
    with tempfile.TemporaryDirectory() as tmp, scenario_server() as web:
        recorder = WarcRecorder(Path(tmp), "netns")
        options = BrowserOptions(enabled=True, page_time=10)  # kzarchive's default switches
        async with BrowserSession(options, recorder) as session:
            pages = [p for p in PAGES if p not in ("/js/never-loads", "/js/dialogs")]
            for page in await asyncio.gather(*(session.capture(web.base + p) for p in pages)):
                said.append(f"  {page.url.split('/', 3)[3]}: {page.responses} responses kept")
            said.append(f"  browser idle for {idle:.0f} s with {len(pages)} pages done")
            await asyncio.sleep(idle)
        recorder.close()
    return said


SOCKET = re.compile(r"^(\d+) +socket\((AF_INET6?), (SOCK_\w+).*\) = (\d+)$")
CONNECT = re.compile(
    r"^(\d+) +connect\((\d+), \{sa_family=(AF_INET6?), sin6?_port=htons\((\d+)\).*?"
    r'(?:inet_pton\(AF_INET6, "([^"]+)"|inet_addr\("([^"]+)"\))'
)


def outside_attempts(trace: Path) -> list[str]:
    """Every connect() to an address outside loopback, with its socket's type: a datagram
    socket's connect only looks up a route (no packet); a stream socket's would send a SYN."""
    kinds: dict[tuple[str, str], str] = {}
    found = []
    for line in trace.read_text(errors="replace").splitlines():
        made = SOCKET.match(line)
        if made:
            kinds[(made.group(1), made.group(4))] = made.group(3)
            continue
        tried = CONNECT.match(line)
        if tried:
            address = tried.group(5) or tried.group(6)
            if address in ("127.0.0.1", "::1") or address.startswith("127."):
                continue
            kind = kinds.get((tried.group(1), tried.group(2)), "SOCK_?")
            found.append(f"{kind} {address} port {tried.group(4)}: {line.rsplit('= ', 1)[-1]}")
    return found


def inside(args: argparse.Namespace) -> int:
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    print(f"network namespace: interfaces {interfaces()}")
    before, sent_before = counters(), interface_bytes()
    started = time.monotonic()
    attempts: list[str] = []
    if shutil.which("strace"):
        with tempfile.TemporaryDirectory() as tmp:
            trace = Path(tmp) / "trace"
            subprocess.run(
                [
                    "strace",
                    "-f",
                    "-qq",
                    "-e",
                    "trace=socket,connect",
                    "-o",
                    str(trace),
                    sys.executable,
                    __file__,
                    "--capture-only",
                    "--idle",
                    str(args.idle),
                ],
                check=True,
            )
            attempts = outside_attempts(trace)
    else:
        for line in asyncio.run(capture_and_idle(args.idle)):
            print(line)
    print(f"  after the capture: {counters()}")
    for attempt in attempts:
        print(f"  connect() outside loopback: {attempt}")
    if args.tests:
        pytest = [sys.executable, "-m", "pytest", "tests/capture", "-q", "-n", "0"]
        with tempfile.TemporaryDirectory() as tmp:
            trace = Path(tmp) / "trace"
            traced = ["strace", "-f", "-qq", "-e", "trace=socket,connect", "-o", str(trace)]
            tests = subprocess.run(
                [*(traced if shutil.which("strace") else []), *pytest, "-p", "no:randomly"],
                cwd=ROOT,
                env={**os.environ, "CI": "true"},
                capture_output=True,
                text=True,
            )
            if trace.exists():
                found = outside_attempts(trace)
                attempts += found
                for attempt in sorted(set(found)):
                    print(f"  connect() outside loopback in the tests: {attempt}")
        print("  browser tests:", (tests.stdout.strip().splitlines() or ["?"])[-1])
        if tests.returncode:
            print(tests.stdout[-3000:])
            return 1
    after, sent_after = counters(), interface_bytes()
    print(f"took {time.monotonic() - started:.1f} s")
    for name in sorted(after):
        print(f"  {name:16} {before.get(name, 0):>8} -> {after[name]:>8}")
    for name in sorted(sent_after):
        print(f"  tx bytes {name:7} {sent_before.get(name, 0):>8} -> {sent_after[name]:>8}")
    no_route = (after["IpOutNoRoutes"] - before["IpOutNoRoutes"]) + (
        after["Ip6OutNoRoutes"] - before["Ip6OutNoRoutes"]
    )
    streams = [a for a in attempts if not a.startswith("SOCK_DGRAM")]
    others = [n for n in sent_after if n != "lo"]
    datagrams = after["UdpOutDatagrams"] + after["Udp6OutDatagrams"]
    if streams or others or no_route > len(attempts) or datagrams:
        print(f"FAIL: {no_route} route failures, connections {streams}, datagrams {datagrams}")
        return 1
    print(
        f"nothing left lo: {no_route} route look-ups failed, all from connect() on datagram "
        "sockets (Chromium's IPv6 reachability probe), which sends no packet; no datagram sent"
    )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle", type=float, default=30.0)
    parser.add_argument("--no-tests", dest="tests", action="store_false")
    parser.add_argument("--capture-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.capture_only:
        for line in asyncio.run(capture_and_idle(args.idle)):
            print(line)
        return 0
    if os.environ.get(MARK):
        return inside(args)
    if shutil.which("unshare") is None:
        sys.exit("needs unshare (util-linux)")
    command = ["unshare", "-rn", sys.executable, *sys.argv]
    return subprocess.run(command, env={**os.environ, MARK: "1"}).returncode


if __name__ == "__main__":
    sys.exit(main())
