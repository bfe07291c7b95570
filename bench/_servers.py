"""Shared by the benchmarks: start the test suite's servers on several loopback addresses."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers.base import RunningServer  # noqa: E402
from tests.servers.scenario import scenario_server  # noqa: E402


@contextlib.contextmanager
def web_hosts(count: int, latency: float) -> Iterator[list[RunningServer]]:
    """``count`` scenario servers, one per address 127.0.0.2, 127.0.0.3, ..."""
    with contextlib.ExitStack() as stack:
        yield [
            stack.enter_context(scenario_server(latency, host=f"127.0.0.{n + 2}"))
            for n in range(count)
        ]


def requests_seen(servers: list[RunningServer]) -> int:
    return sum(len(s.server.state.requests) for s in servers)


def reset(servers: list[RunningServer]) -> None:
    for s in servers:
        s.server.state.requests.clear()
        s.server.state.hits.clear()


@dataclass(frozen=True)
class Measured:
    seconds: float
    peak_rss_mb: float
    returncode: int


def measure(
    command: list[str], env: dict[str, str] | None = None, cwd: Path | None = None
) -> Measured:
    """Wall time and peak RSS of one command (its own rusage, via wait4)."""
    started = time.monotonic()
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.monotonic() - started
    return Measured(elapsed, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status))


def tool(name: str) -> str | None:
    """A peer tool's executable, looked up beside this Python, on PATH, or in node_modules."""
    candidates = [
        Path(sys.executable).parent / name,
        ROOT / "node_modules" / ".bin" / name,
        Path("/tmp/node_modules/.bin") / name,
    ]
    for candidate in candidates:
        if candidate.exists():
            return str(candidate)
    from shutil import which

    return which(name)
