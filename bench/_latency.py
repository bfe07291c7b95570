"""Web servers for speed benchmarks: a fixed latency per answer and as little else as possible.

The test suite's scenario server runs a thread per connection in the benchmark's own interpreter;
at a hundred connections its own CPU adds several milliseconds to every answer, so every tool
looked slower than the latency made it. These servers run in a process of their own, on one
asyncio loop: each answer waits exactly the latency, then goes out. ``/page/N`` is an article
(200), anything else a 404; connections are kept alive.

    python bench/_latency.py --hosts 20 --latency 0.05   # prints one base URL a line, then serves

``GET /__stats`` on any host answers the number of requests all hosts saw (itself not counted);
``GET /__reset`` sets it back to zero.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.request import urlopen

ARTICLE = (
    "<html><head><title>Article {n}</title></head><body><h1>Article {n}</h1>"
    "<p>The Aktau City Court acquitted the activist on 6 February 2019. Page {n}.</p>"
    "<p>Observers from the mission attended every hearing and published their notes.</p>"
    "</body></html>"
)
MISSING = "<html><head><title>404</title></head><body>No such page</body></html>"


class _Counter:
    requests = 0


def _answer(status: int, body: str, head_only: bool = False) -> bytes:
    data = body.encode()
    reason = {200: "OK", 404: "Not Found"}[status]
    return (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(data)}\r\n\r\n"
    ).encode() + (b"" if head_only else data)


async def _serve(
    latency: float, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            method, target, _ = head.split(b" ", 2)
            path = target.decode("ascii", "replace")
            head_only = method == b"HEAD"
            if path == "/__stats":
                writer.write(_answer(200, json.dumps({"requests": _Counter.requests})))
                continue
            if path == "/__reset":
                _Counter.requests = 0
                writer.write(_answer(200, "{}"))
                continue
            _Counter.requests += 1
            await asyncio.sleep(latency)
            number = path.removeprefix("/page/")
            writer.write(
                _answer(200, ARTICLE.format(n=number), head_only)
                if number.isdigit()
                else _answer(404, MISSING, head_only)
            )
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def _main(hosts: int, latency: float) -> None:
    servers = []
    for n in range(hosts):
        server = await asyncio.start_server(
            lambda r, w: _serve(latency, r, w), f"127.0.0.{n + 2}", 0, backlog=1024
        )
        servers.append(server)
        port = server.sockets[0].getsockname()[1]
        print(f"http://127.0.0.{n + 2}:{port}", flush=True)
    print("ready", flush=True)
    await asyncio.Event().wait()


@dataclass(frozen=True)
class LatencyHosts:
    bases: list[str]

    def requests(self) -> int:
        with urlopen(f"{self.bases[0]}/__stats", timeout=5) as answer:
            return int(json.load(answer)["requests"])

    def reset(self) -> None:
        with urlopen(f"{self.bases[0]}/__reset", timeout=5):
            pass


@contextlib.contextmanager
def latency_hosts(count: int, latency: float) -> Iterator[LatencyHosts]:
    """``count`` hosts (127.0.0.2, ...) served by a process of their own; stopped on exit."""
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__)), "--hosts", str(count), "--latency", str(latency)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        bases = []
        for line in process.stdout:
            if line.strip() == "ready":
                break
            bases.append(line.strip())
        if len(bases) != count:
            raise RuntimeError("the latency servers did not start")
        yield LatencyHosts(bases)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_main(args.hosts, args.latency))
