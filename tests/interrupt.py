"""Ctrl-C as a user presses it: the CLI in a child process, SIGINT once it is busy."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

from tests.conftest import ROOT


def interrupt_when(
    args: list[str], env: dict[str, str], busy: Callable[[], bool], wait: float = 20.0
) -> tuple[int, str]:
    """Run ``python -m kzarchive *args``, send SIGINT once ``busy()`` holds (or after
    ``wait`` seconds) and return its exit code and stderr."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kzarchive", *args],
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        # As from a terminal: a test suite started in the background inherits SIGINT ignored.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and not busy():
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=wait)
    finally:
        if process.poll() is None:
            process.kill()
    return process.returncode, stderr
