"""One headless Chromium for the whole test session (in its own event-loop thread), the scenario
server for each module, and a capture helper writing each page into its own WARC file.

Chromium is driven for real. Without one on this machine the browser tests are skipped with the
reason; under CI (``CI`` set) they fail instead: no browser test may be skipped there.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from warcio.archiveiterator import ArchiveIterator

from kzarchive.capture.launch import system_browser
from kzarchive.capture.options import BrowserOptions
from kzarchive.capture.page import Rendered
from kzarchive.capture.session import BrowserSession
from kzarchive.evidence.warc import WarcRecorder
from tests.servers.base import RunningServer
from tests.servers.scenario import scenario_server

T = TypeVar("T")
# Chromium resolves no name in the tests: every name but 127.0.0.1 maps to nowhere, so that
# nothing (its own background traffic included) could reach another machine even if a switch
# failed. tests/capture/test_offline.py runs a capture in a network namespace besides.
NO_DNS = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
TEST_OPTIONS = BrowserOptions(
    enabled=True,
    page_time=8,
    load_time=2.5,
    settle_time=1.5,
    scroll_time=1.5,
    extra_args=(NO_DNS,),
)


def need_browser() -> None:
    """Skip (fail under CI) when this machine has no Chromium."""
    if system_browser() is not None:
        return
    why = "no Chromium on this machine (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(f"{why}: browser tests may not be skipped in CI")
    pytest.skip(why)


class Loop:
    """An event loop in a thread: the session's browser lives in it across tests."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
        self.loop.close()


@dataclass
class Browser:
    loop: Loop
    session: BrowserSession

    def capture(
        self, url: str, folder: Path, session: BrowserSession | None = None
    ) -> tuple[Rendered, list[Any]]:
        """Capture ``url`` into a WARC file of its own in ``folder``; what was rendered and the
        records written (with their payloads read)."""
        recorder = WarcRecorder(folder, "test")
        rendered = self.loop.run((session or self.session).capture(url, recorder))
        recorder.close()
        return rendered, read_records(recorder.path)


def read_records(path: Path) -> list[Any]:
    found: list[Any] = []
    if not path.exists():
        return found
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream):
            found.append((record, record.content_stream().read()))
    return found


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    need_browser()
    loop = Loop()
    session = BrowserSession(TEST_OPTIONS, WarcRecorder(Path("/nonexistent"), "unused"))
    loop.run(session.__aenter__())
    try:
        yield Browser(loop, session)
    finally:
        loop.run(session.close())
        loop.stop()


@pytest.fixture(scope="module")
def web() -> Iterator[RunningServer]:
    with scenario_server() as running:
        yield running
