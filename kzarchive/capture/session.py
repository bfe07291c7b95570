"""The run's browser: one headless Chromium for the whole run, a fresh context for each page (no
cookies, cache or storage carried from one link to the next), a few pages at once.

Contexts refuse downloads and service workers (so that every request passes the gate that
applies ``--exclude-private`` and the byte budget, and is recorded).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from types import TracebackType

import httpx
from playwright.async_api import Browser, Playwright, async_playwright
from playwright.async_api import Error as PlaywrightError

from kzarchive.capture.cookies import Cookies
from kzarchive.capture.fetch import media_client
from kzarchive.capture.launch import (
    HOW_TO_GET_ONE,
    QUIET_SWITCHES,
    playwright_browser,
    system_browser,
)
from kzarchive.capture.options import BrowserOptions
from kzarchive.capture.page import Rendered, render
from kzarchive.capture.recorder import PageRecorder, Writer

Private = Callable[[str], Awaitable[bool]]
VIEWPORT = {"width": 1280, "height": 900}
CLOSE_TIME = 10.0


@dataclass(frozen=True)
class Launched:
    """Which browser runs (for the manifest and the docs' "what was used")."""

    executable: str
    version: str


class BrowserUnavailable(Exception):
    """No Chromium could be found or started; the message says how to get one."""


class BrowserSession:
    """``async with BrowserSession(...) as session: await session.capture(url)``."""

    def __init__(
        self,
        options: BrowserOptions,
        writer: Writer,
        private: Private | None = None,
        cookies: Cookies | None = None,
    ) -> None:
        self.options = options
        self.writer = writer
        self.private = private
        self.cookies = cookies
        self.launched: Launched | None = None
        self._slots = asyncio.Semaphore(max(1, options.contexts))
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._client: httpx.AsyncClient | None = None
        self._agent = ""

    async def __aenter__(self) -> BrowserSession:
        playwright = await async_playwright().start()
        self._playwright = playwright
        try:
            own = playwright_browser(playwright.chromium.executable_path)
            executable = None if own else system_browser(self.options.path)
            if self.options.path is not None:
                executable = system_browser(self.options.path)
            if not own and executable is None:
                raise BrowserUnavailable(HOW_TO_GET_ONE)
            try:
                browser = await playwright.chromium.launch(
                    executable_path=str(executable) if executable else None,
                    headless=True,
                    args=[*QUIET_SWITCHES, *self.options.extra_args],
                    timeout=30_000,
                )
            except PlaywrightError as exc:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else "failed"
                raise BrowserUnavailable(
                    f"the browser {executable or 'of Playwright'} did not start ({first})"
                ) from None
            self._agent = await _user_agent(browser)
        except BaseException:
            await playwright.stop()
            raise
        self._browser = browser
        self.launched = Launched(
            str(executable or playwright.chromium.executable_path), browser.version
        )
        self._client = media_client()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        if self._browser is not None:
            with contextlib.suppress(PlaywrightError, TimeoutError):
                async with asyncio.timeout(CLOSE_TIME):
                    await self._browser.close()
            self._browser = None
        if self._playwright is not None:
            with contextlib.suppress(PlaywrightError, TimeoutError):
                async with asyncio.timeout(CLOSE_TIME):
                    await self._playwright.stop()
            self._playwright = None

    async def capture(self, url: str, writer: Writer | None = None) -> Rendered:
        """Capture one page in a fresh context, when a slot is free (into ``writer``, else the
        session's)."""
        async with self._slots:
            started = time.monotonic()
            rendered = await self._capture(url, writer)
            return replace(rendered, seconds=time.monotonic() - started)

    async def _capture(self, url: str, writer: Writer | None) -> Rendered:
        browser, client = self._browser, self._client
        assert browser is not None and client is not None, "not started"
        if not browser.is_connected():
            return Rendered(url, error="the browser is gone")
        logged_in = self.cookies is not None
        recorder = PageRecorder(
            writer or self.writer,
            logged_in,
            self.options.page_bytes,
            self.options.response_bytes,
            cited=url,
        )
        try:
            context = await browser.new_context(
                accept_downloads=False,
                service_workers="block",
                viewport=VIEWPORT,  # type: ignore[arg-type]
                user_agent=self._agent,
                locale="en-US",
            )
        except PlaywrightError as exc:
            return Rendered(url, error=f"no browser context: {exc}")
        try:
            if self.cookies is not None:
                await context.add_cookies(self.cookies.for_browser())  # type: ignore[arg-type]
            return await render(context, url, self.options, recorder, client, self.private)
        finally:
            with contextlib.suppress(PlaywrightError, TimeoutError):
                async with asyncio.timeout(CLOSE_TIME):
                    await context.close()


async def _user_agent(browser: Browser) -> str:
    """The browser's own User-Agent without "Headless" (which sites refuse outright)."""
    context = await browser.new_context()
    try:
        page = await context.new_page()
        agent = str(await page.evaluate("() => navigator.userAgent"))
    finally:
        await context.close()
    return agent.replace("HeadlessChrome", "Chrome")
