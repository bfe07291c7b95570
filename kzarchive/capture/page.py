"""One page in a fresh browser context: load it, wait for the network to settle, scroll so that
lazy images load, fetch the media and ``srcset`` targets it names but did not load, then take its
full-page screenshot, rendered DOM and text. Nothing is clicked or dismissed (a dialog is
answered as Playwright does by default, and counted).

Every step has a budget (:class:`~kzarchive.capture.options.BrowserOptions`); a page that never
settles, scrolls without end, opens dialogs or crashes is cut there, and what was kept is
kept, with the reasons in ``truncated``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from playwright.async_api import BrowserContext, Dialog, FloatRect, Page, Request, Route
from playwright.async_api import Error as PlaywrightError

from kzarchive.capture.fetch import NAMED_TARGETS, fetch_into, wanted
from kzarchive.capture.options import BrowserOptions
from kzarchive.capture.recorder import PageRecorder, iso

Private = Callable[[str], Awaitable[bool]]
TEXT_CHARS = 200_000
SCROLL_PAUSE = 0.15


@dataclass(frozen=True)
class Rendered:
    """What the browser kept of one page."""

    url: str  # as cited
    final_url: str | None = None
    status: int | None = None
    title: str | None = None
    text: str = ""
    captured_at: str | None = None  # when the page's own request started (its WARC-Date)
    screenshot: bytes | None = None  # raw PNG from the browser
    shot_at: str | None = None
    dom: bytes | None = None
    responses: int = 0
    bytes: int = 0
    fetched: int = 0  # targets fetched outside the browser
    truncated: tuple[str, ...] = ()
    logged_in: bool = False
    error: str | None = None
    seconds: float = 0.0  # in the browser, from the context's creation to its closing


@dataclass
class _State:
    inflight: set[Request] = field(default_factory=set)
    last_change: float = field(default_factory=time.monotonic)
    truncated: list[str] = field(default_factory=list)
    dialogs: int = 0
    fetched: int = 0
    crashed: bool = False
    crash: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def cut(self, reason: str) -> None:
        if reason not in self.truncated:
            self.truncated.append(reason)


async def render(
    context: BrowserContext,
    url: str,
    options: BrowserOptions,
    recorder: PageRecorder,
    client: httpx.AsyncClient,
    private: Private | None,
) -> Rendered:
    """Capture ``url`` in ``context`` (which the caller made fresh and will close)."""
    state = _State()
    page = await context.new_page()
    main_status: list[int] = []

    async def refused(url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return True
        if private is not None and await private(parts.hostname or ""):
            state.cut("private-address")  # the page, or a part of it, was not fetched
            return True
        return False

    async def gate(route: Route) -> None:
        if await refused(route.request.url):
            await route.abort("blockedbyclient")
        elif recorder.room() <= 0:
            state.cut("bytes")
            await route.abort("blockedbyclient")
        elif private is None:
            await route.continue_()
        else:
            await _hop(route, refused, deadline)

    async def keep(request: Request) -> None:
        try:
            response = await request.response()
            if response is None or response.status == 206:
                return
            try:
                body = await response.body()
            except PlaywrightError:
                body = b""  # a redirect has none
            timing = request.timing
            started = (
                iso(datetime.fromtimestamp(timing["startTime"] / 1000, UTC))
                if timing.get("startTime", -1) > 0
                else iso()
            )
            server = await response.server_addr()
            is_main = request.is_navigation_request() and request.frame == page.main_frame
            if is_main and response.status not in (301, 302, 303, 307, 308):
                main_status.append(response.status)
            recorder.response(
                request.url,
                method=request.method,
                status=response.status,
                reason=response.status_text,
                headers=[(h["name"], h["value"]) for h in await response.headers_array()],
                body=body,
                request_headers=[(h["name"], h["value"]) for h in await request.headers_array()],
                started_at=started,
                remote_ip=server["ipAddress"] if server else None,
                request_body=request.post_data_buffer or b"",
                main=is_main,
            )
        except PlaywrightError:
            pass  # the context closed under it: the page was cut

    def started(request: Request) -> None:
        state.inflight.add(request)
        state.last_change = time.monotonic()

    def ended(request: Request) -> None:
        state.inflight.discard(request)
        state.last_change = time.monotonic()

    def finished(request: Request) -> None:
        ended(request)
        if urlsplit(request.url).scheme in ("http", "https"):
            task = asyncio.ensure_future(keep(request))
            state.tasks.add(task)
            task.add_done_callback(state.tasks.discard)

    def dialog(opened: Dialog) -> None:
        # A listener must answer, or the page freezes: dismissed, as Playwright does by default.
        state.dialogs += 1
        state.cut("dialog")
        task = asyncio.ensure_future(opened.dismiss())
        state.tasks.add(task)
        task.add_done_callback(state.tasks.discard)

    def crashed(_: Any) -> None:
        state.crashed = True
        state.crash.set()
        state.cut("crash")

    await context.route("**/*", gate)
    page.on("request", started)
    page.on("requestfinished", finished)
    page.on("requestfailed", ended)
    page.on("dialog", dialog)
    page.on("crash", crashed)
    page.on("download", lambda d: asyncio.ensure_future(d.cancel()))

    deadline = time.monotonic() + options.page_time
    result: dict[str, Any] = {}
    error: str | None = None

    async def steps() -> None:
        nonlocal error, result
        error = await _visit(page, url, options, state, deadline)
        if error is not None and not page.url.startswith(("http:", "https:")):
            return
        if state.dialogs <= options.dialogs:
            await _fetch_named(page, recorder, client, private, options, deadline, state)
            result = await _keep_view(page, options, state)

    work = asyncio.ensure_future(steps())
    crash = asyncio.ensure_future(state.crash.wait())  # a crashed page answers nothing more
    try:
        async with asyncio.timeout(options.page_time):
            await asyncio.wait({work, crash}, return_when=asyncio.FIRST_COMPLETED)
        if work.done():
            work.result()
    except TimeoutError:
        state.cut("time")
    except PlaywrightError as exc:
        error = error or _short(exc)
    finally:
        for task in (work, crash):
            task.cancel()
        await asyncio.gather(work, crash, return_exceptions=True)
    if state.crashed:
        error = "the page crashed the browser's renderer"
    elif not recorder.main and not error:
        error = "no answer"
    elif error is not None and not page.url.startswith(("http:", "https:")):
        return _nothing(url, error, recorder, state)
    if not result and not state.crashed and recorder.main is not None:
        # The budget ran out: still keep what the page shows now, briefly.
        with contextlib.suppress(PlaywrightError, TimeoutError):
            async with asyncio.timeout(5):
                result = await _keep_view(page, options, state)
    if state.tasks:
        await asyncio.wait(set(state.tasks), timeout=5)
    if recorder.over_budget:
        state.cut("bytes")
    if recorder.failure:
        error = error or f"not written: {recorder.failure}"
    return Rendered(
        url=url,
        final_url=page.url if page.url not in ("", "about:blank") else None,
        status=main_status[-1] if main_status else None,
        title=result.get("title"),
        text=result.get("text", ""),
        captured_at=recorder.main[2] if recorder.main else None,
        screenshot=result.get("screenshot"),
        shot_at=result.get("shot_at"),
        dom=result.get("dom"),
        responses=recorder.responses,
        bytes=recorder.kept_bytes,
        fetched=state.fetched,
        truncated=tuple(state.truncated),
        logged_in=recorder.logged_in,
        error=error if state.crashed or not (recorder.main or result.get("screenshot")) else None,
    )


REDIRECTS = (301, 302, 303, 307, 308)
HOPS = 10


async def _hop(route: Route, refused: Callable[[str], Awaitable[bool]], deadline: float) -> None:
    """Fetch one request without following its redirect, and answer the browser with it.

    Playwright calls a route's handler only for a request's first URL: a redirect, answered
    with ``continue_`` or ``fulfill``, is followed by the browser unseen. So a redirect is
    followed here first, hop by hop, each Location checked by ``refused``; a chain that ends
    on a refused host is refused whole, and only a clean one is handed to the browser.
    """
    left = max(1.0, deadline - time.monotonic())
    try:
        answer = await route.fetch(max_redirects=0, timeout=left * 1000)
        url, hop = route.request.url, answer
        for _ in range(HOPS):
            location = hop.headers.get("location")
            if hop.status not in REDIRECTS or not location:
                break
            url = urljoin(url, location)
            if await refused(url):
                await hop.dispose()
                await route.abort("blockedbyclient")
                return
            if hop is not answer:
                await hop.dispose()
            method = "GET" if hop.status == 303 else None
            left = max(1.0, deadline - time.monotonic())
            hop = await route.fetch(url=url, method=method, max_redirects=0, timeout=left * 1000)
        if hop is not answer:
            await hop.dispose()
    except PlaywrightError:
        with contextlib.suppress(PlaywrightError):
            await route.abort("failed")
        return
    with contextlib.suppress(PlaywrightError):
        await route.fulfill(response=answer)


def _nothing(url: str, error: str, recorder: PageRecorder, state: _State) -> Rendered:
    """A page that never came (refused, unreachable): no screenshot of the browser's error."""
    return Rendered(
        url=url,
        responses=recorder.responses,
        bytes=recorder.kept_bytes,
        truncated=tuple(state.truncated),
        logged_in=recorder.logged_in,
        error=error,
    )


def _short(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__


async def _visit(
    page: Page, url: str, options: BrowserOptions, state: _State, deadline: float
) -> str | None:
    """Load, settle, scroll, settle again; an error that stopped the load, or None."""
    error = None
    try:
        await page.goto(url, wait_until="load", timeout=options.load_time * 1000)
    except PlaywrightError as exc:
        if "Timeout" in type(exc).__name__ or "Timeout" in str(exc):
            state.cut("load")
        else:
            error = _short(exc)
            if not page.url.startswith(("http:", "https:")):
                return error
    await _settle(state, options, deadline)
    await _scroll(page, options, state, deadline)
    await _settle(state, options, deadline)
    return error


async def _settle(state: _State, options: BrowserOptions, deadline: float) -> None:
    """Until no request has been in flight for ``quiet_time``, within ``settle_time``."""
    until = min(deadline, time.monotonic() + options.settle_time)
    while time.monotonic() < until:
        if not state.inflight and time.monotonic() - state.last_change >= options.quiet_time:
            return
        await asyncio.sleep(0.05)
    state.cut("network-busy")


SCROLL = """(step) => {
  const before = window.scrollY;
  window.scrollBy(0, step);
  const el = document.scrollingElement || document.documentElement;
  return [window.scrollY, el.scrollHeight, window.scrollY === before];
}"""


async def _scroll(page: Page, options: BrowserOptions, state: _State, deadline: float) -> None:
    """Scroll down a viewport at a time so that lazy images load; stop at the bottom, the
    height limit or the time limit (an endless page is cut there), then go back to the top."""
    step = (page.viewport_size or {"height": 900})["height"]
    until = min(deadline, time.monotonic() + options.scroll_time)
    while True:
        y, height, stuck = await page.evaluate(SCROLL, step)
        if stuck or y + step >= height:
            break
        if y >= options.scroll_height or time.monotonic() >= until:
            state.cut("scroll")
            break
        await asyncio.sleep(SCROLL_PAUSE)
    await page.evaluate("() => window.scrollTo(0, 0)")
    state.last_change = time.monotonic()  # what the scrolling set off gets its quiet time too


async def _fetch_named(
    page: Page,
    recorder: PageRecorder,
    client: httpx.AsyncClient,
    private: Private | None,
    options: BrowserOptions,
    deadline: float,
    state: _State,
) -> None:
    if state.tasks:
        await asyncio.wait(set(state.tasks), timeout=max(0.1, deadline - time.monotonic()))
    targets = wanted(await page.evaluate(NAMED_TARGETS), recorder.urls, options.fetches)
    if not targets:
        return
    agent = await page.evaluate("() => navigator.userAgent")
    headers = {"User-Agent": agent, "Referer": page.url}
    for target in targets:
        cookies = await page.context.cookies([target])
        if cookies:
            headers["Cookie"] = "; ".join(f"{c['name']}={c['value']}" for c in cookies)
        else:
            headers.pop("Cookie", None)
        left = deadline - time.monotonic()
        if left <= 1:
            state.cut("time")
            return
        why = await fetch_into(client, target, recorder, headers, private, min(left - 0.5, 20.0))
        state.fetched += why is None


async def _keep_view(page: Page, options: BrowserOptions, state: _State) -> dict[str, Any]:
    """The screenshot (full page, cut at ``screenshot_height``), DOM, title and text."""
    kept: dict[str, Any] = {}
    height = await page.evaluate(
        "() => (document.scrollingElement || document.documentElement).scrollHeight"
    )
    size = page.viewport_size or {"width": 1280, "height": 900}
    clip: FloatRect | None = None
    if height > options.screenshot_height:
        state.cut("screenshot-height")
        clip = {"x": 0, "y": 0, "width": size["width"], "height": options.screenshot_height}
    kept["shot_at"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    kept["screenshot"] = await page.screenshot(
        full_page=True, clip=clip, animations="disabled", caret="hide", timeout=10_000
    )
    kept["dom"] = (await page.content()).encode("utf-8")
    kept["title"] = await page.title()
    text = await page.evaluate("() => document.body ? document.body.innerText : ''")
    kept["text"] = str(text)[:TEXT_CHARS]
    return kept
