"""The browser's share of a run's evidence: which links it renders, and where what it kept goes.

Each link that answered over HTTP (whatever its verdict: a 404 page or a login wall as a reader
saw it is evidence too) is rendered once its check is done, a few at a time, while the other
links are still being checked. The screenshot, its thumbnail and the DOM are written under
``evidence/browser/<run>/<link>/`` and, as ``resource`` records, into the run's WARC file (the
screenshot as ``urn:fullPage:<url>`` and the DOM as ``urn:dom:<url>``, after Browsertrix's
naming), so that the WACZ alone holds everything; the page's text goes to ``pages.jsonl`` for
ReplayWeb.page's search.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from kzarchive.capture.cookies import Cookies
from kzarchive.capture.options import BrowserOptions
from kzarchive.capture.recorder import iso
from kzarchive.evidence.digests import file_sha256
from kzarchive.evidence.media import folder_name
from kzarchive.evidence.records import MediaFile, Rendering
from kzarchive.evidence.warc import EVIDENCE_DIR, WarcRecorder
from kzarchive.progress import Observer

if TYPE_CHECKING:
    from kzarchive.capture.page import Rendered
    from kzarchive.capture.session import BrowserSession

BROWSER_DIR = f"{EVIDENCE_DIR}/browser"
PHASE = "browser"
Private = Callable[[str], Awaitable[bool]]
# Replay tools pick the record closest in time, to the second: the browser's copy of a page
# starts in a later second than the check's GET of it, so that the page's time in pages.jsonl
# finds the browser's copy, not the plain client's.
AFTER_CHECK = timedelta(seconds=1.05)


class Renderings:
    """Start the browser, render links as their checks finish, and keep what it saw."""

    def __init__(
        self,
        folder: Path,
        stamp: str,
        options: BrowserOptions,
        recorder: WarcRecorder,
        observer: Observer,
        cookies: Cookies | None = None,
        expected: int = 0,
    ) -> None:
        self.expected = expected  # links that may be rendered (for the progress bar)
        self.folder = folder
        self.stamp = stamp
        self.options = options
        self.recorder = recorder
        self.observer = observer
        self.cookies = cookies
        self.session: BrowserSession | None = None
        self.browser: str | None = None
        self.kept: dict[str, Rendering] = {}
        self.files: list[Path] = []
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._launching = asyncio.Lock()

    def open(self, private: Private | None) -> bool:
        """Get ready to render (the browser starts with the first page, so that a run with
        nothing to render, offline for one, never starts it); False when Playwright is missing."""
        try:
            from kzarchive.capture.session import BrowserSession
        except ImportError as exc:  # Playwright is a dependency; a broken install says so
            self.observer.warn(f"no browser capture: Playwright cannot be loaded ({exc})")
            return False
        self.session = BrowserSession(self.options, self.recorder, private, self.cookies)
        return True

    def want(self, url: str) -> None:
        """Render ``url`` (its check is done and it answered), once."""
        if self.session is None or url in self._tasks or url in self.recorder.skip:
            return
        self._tasks[url] = asyncio.ensure_future(self._one(url))

    async def _launched(self) -> BrowserSession | None:
        """The running browser, started on first use; None (said once) when there is none."""
        async with self._launching:
            session = self.session
            if session is None or self.browser is not None:
                return session
            from kzarchive.capture.session import BrowserUnavailable

            try:
                await session.__aenter__()
            except BrowserUnavailable as exc:
                self.observer.warn(str(exc))
                self.session = None
                return None
            assert session.launched is not None
            self.browser = f"Chromium {session.launched.version}"
            self.observer.phase_started(PHASE, self.expected)
            return session

    async def finish(self, abandon: bool = False) -> dict[str, Rendering]:
        """Wait for every rendering (or stop them: ``abandon``), close the browser; what was
        kept, by cited URL."""
        if abandon:
            for task in self._tasks.values():
                task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)
        session = self.session
        self.session = None
        if session is not None and self.browser is not None:
            await session.close()
        return self.kept

    async def _one(self, url: str) -> None:
        session = await self._launched()
        if session is None:
            return
        checked = self.recorder.last_time(url)
        if checked is not None:
            wait = (checked + AFTER_CHECK - datetime.now(UTC)).total_seconds()
            if wait > 0:
                await asyncio.sleep(wait)
        try:
            rendered = await session.capture(url)
            rendering = await self._keep(rendered)
        except Exception as exc:  # one page never ends the run
            rendering = Rendering(error=f"{type(exc).__name__}: {exc}"[:300])
        self.kept[url] = rendering
        self.observer.advanced(PHASE, url, "failed" if rendering.error else "rendered")

    async def _keep(self, rendered: Rendered) -> Rendering:
        from kzarchive.capture.stamp import stamp

        base = Rendering(
            captured_at=rendered.captured_at,
            warc=self.recorder.name if rendered.responses else None,
            url=rendered.final_url,
            http_status=rendered.status,
            title=rendered.title,
            responses=rendered.responses,
            response_bytes=rendered.bytes,
            fetched=rendered.fetched,
            truncated=rendered.truncated,
            logged_in=rendered.logged_in,
            browser=self.browser,
            error=rendered.error,
        )
        if rendered.error or rendered.screenshot is None or rendered.dom is None:
            if rendered.error is None:
                base = replace(base, error="no screenshot (cut at its budget)")
            return base
        when = rendered.shot_at or rendered.captured_at or ""
        full, small = await asyncio.to_thread(stamp, rendered.screenshot, rendered.url, when)
        target = self.folder / BROWSER_DIR / self.stamp / folder_name(rendered.url)
        shot = await asyncio.to_thread(self._write, target / "screenshot.png", full)
        thumbnail = await asyncio.to_thread(self._write, target / "thumbnail.png", small)
        dom = await asyncio.to_thread(self._write, target / "dom.html", rendered.dom)
        date = rendered.captured_at or iso()
        cited = rendered.url
        self.recorder.write_resource(
            f"urn:fullPage:{rendered.url}", "image/png", full, date, cited=cited
        )
        self.recorder.write_resource(
            f"urn:dom:{rendered.url}", "text/html; charset=utf-8", rendered.dom, date, cited=cited
        )
        self.recorder.rendered(rendered.url, date, rendered.title, rendered.text, rendered.status)
        return replace(base, screenshot=shot, thumbnail=thumbnail, dom=dom)

    def _write(self, path: Path, data: bytes) -> MediaFile:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.files.append(path)
        return MediaFile(path.relative_to(self.folder).as_posix(), file_sha256(path), len(data))
