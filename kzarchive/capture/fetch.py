"""Media and ``srcset`` targets a page names but the browser did not load (a player that waits
for a click, the other sizes of a picture), fetched outside the browser as Scoop does, so that
replay finds them. Each fetch is bounded in bytes, time and redirects, checked against
``--exclude-private`` at every hop, and written to the WARC like the browser's own answers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urljoin, urlsplit

import httpx

from kzarchive.capture.recorder import PageRecorder, iso
from kzarchive.tls import ssl_context

MAX_REDIRECTS = 5
CHUNK = 64 * 1024

# Every URL a player, a picture or a source names (the script-set src of a <video> included:
# the property, not the attribute); blob: and data: URLs are the page's own.
NAMED_TARGETS = """() => {
  const found = new Set();
  const add = (u) => {
    if (!u) return;
    try { found.add(new URL(u, document.baseURI).href); } catch (e) {}
  };
  for (const el of document.querySelectorAll('video, audio, source, track')) {
    add(el.getAttribute('src')); add(el.src); add(el.currentSrc); add(el.getAttribute('poster'));
  }
  for (const el of document.querySelectorAll('img[srcset], source[srcset]')) {
    for (const part of el.getAttribute('srcset').split(',')) add(part.trim().split(/\\s+/)[0]);
  }
  return [...found];
}"""

Private = Callable[[str], Awaitable[bool]]


def wanted(urls: list[str], have: set[str], limit: int) -> list[str]:
    """The http(s) targets not yet kept, at most ``limit``."""
    out: list[str] = []
    for url in urls:
        if urlsplit(url).scheme in ("http", "https") and url not in have and url not in out:
            out.append(url)
    return out[:limit]


async def fetch_into(
    client: httpx.AsyncClient,
    url: str,
    page: PageRecorder,
    headers: dict[str, str],
    private: Private | None,
    timeout: float,
) -> str | None:
    """Fetch ``url`` (following redirects) into ``page``'s records; why not, or None."""
    for _ in range(MAX_REDIRECTS + 1):
        host = urlsplit(url).hostname or ""
        if private is not None and await private(host):
            return "private-address"
        if page.room() <= 0:
            return "page-bytes"
        started = iso()
        try:
            async with client.stream("GET", url, headers=headers, timeout=timeout) as answer:
                body = bytearray()
                truncated = None
                limit = min(page.response_bytes, page.room())
                async for chunk in answer.aiter_bytes(CHUNK):
                    body += chunk
                    if len(body) > limit:
                        del body[limit:]
                        truncated = "length"
                        break
                sent = [(k, v) for k, v in answer.request.headers.multi_items()]
                page.response(
                    url,
                    method="GET",
                    status=answer.status_code,
                    reason=answer.reason_phrase,
                    headers=list(answer.headers.multi_items()),
                    body=bytes(body),
                    request_headers=sent,
                    started_at=started,
                    truncated=truncated,
                )
                if answer.is_redirect and "location" in answer.headers:
                    url = urljoin(url, answer.headers["location"])
                    continue
                return None
        except (httpx.HTTPError, OSError) as exc:
            return type(exc).__name__
    return "too-many-redirects"


def media_client() -> httpx.AsyncClient:
    """One client for a run's out-of-browser fetches (no redirects followed by itself)."""
    return httpx.AsyncClient(
        follow_redirects=False,
        verify=ssl_context(),
        trust_env=True,
        headers={"Accept-Encoding": "identity"},
    )
