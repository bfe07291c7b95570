"""Pages that only a browser sees whole (served by the scenario server under ``/js/``): text a
script fetches, a CSS background, a lazy image below the fold, a video whose source a script
sets, a post under a login overlay, a site that refuses clients that are not browsers, a page
that never finishes loading, an endless page and one that keeps opening dialogs.

Each shape is one seen on the cited platforms: Facebook and news sites fill posts by fetch(), lazy
images carry ``data-src`` swapped in by an IntersectionObserver, players get their ``src`` from a
script, Facebook lays a login overlay over public posts, bot-protection services answer 403 to
requests without the headers every browser sends (``Sec-Fetch-*``).
"""

from __future__ import annotations

import io
import json
from typing import Protocol

from PIL import Image

FETCHED_TEXT = "The court's ruling was read out on 6 February 2019"
POST_TEXT = "Activists gathered outside the Aktau City Court this morning"
BROWSER_ONLY_TEXT = "Only browsers may read this statement of the mission"
SESSION = "s3cr3t-session-7f9e2a"  # the cookie of a logged-in user (tests/capture/cookies.txt)
LOGGED_IN_TEXT = "Friends-only post: the hearing was moved to Monday"


# A name the tests' private-rule stand-in calls private; Chromium maps it to 127.0.0.1.
PRIVATE_NAME = "private.test"


def _png(colour: tuple[int, int, int], size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


IMAGES = {
    "/js/img/background.png": _png((200, 30, 30)),
    "/js/img/lazy.png": _png((30, 200, 30)),
    "/js/img/lazy-native.png": _png((30, 30, 200)),
    "/js/img/small.png": _png((90, 90, 90), (20, 15)),
    "/js/img/large.png": _png((120, 120, 120), (80, 60)),
}

PAGES = {
    "/js/fetch-text": (
        "<html><head><title>A post filled by script</title></head><body>"
        "<div id='post'>Loading...</div><script>"
        "fetch('/js/api/post.json').then(r => r.json())"
        ".then(d => { document.getElementById('post').textContent = d.text; });"
        "</script></body></html>"
    ),
    "/js/background": (
        "<html><head><title>Background</title><style>"
        "#banner { width: 400px; height: 100px; background: url('/js/img/background.png'); }"
        "</style></head><body><div id='banner'></div><p>A banner drawn by CSS.</p></body></html>"
    ),
    "/js/lazy": (
        "<html><head><title>Lazy pictures</title></head><body><p>Scroll down.</p>"
        "<div style='height: 3000px'></div>"
        "<img class='lazy' data-src='/js/img/lazy.png' width='40' height='30'>"
        "<img loading='lazy' src='/js/img/lazy-native.png' width='40' height='30'>"
        "<picture><img srcset='/js/img/small.png 1x, /js/img/large.png 2x' src='/js/img/small.png'>"
        "</picture><script>"
        "new IntersectionObserver((entries, o) => entries.forEach(e => {"
        " if (e.isIntersecting) { e.target.src = e.target.dataset.src; o.unobserve(e.target); }"
        "})).observe(document.querySelector('img.lazy'));"
        "</script></body></html>"
    ),
    "/js/video": (
        "<html><head><title>A hearing on video</title></head><body><h1>The hearing</h1>"
        "<video id='player' controls width='320' preload='none'></video><script>"
        "document.getElementById('player').src = '/media/clip.mp4';"
        "</script></body></html>"
    ),
    "/js/overlay": (
        "<html><head><title>A public post</title></head><body>"
        f"<article><p>{POST_TEXT}.</p></article>"
        "<div id='login' style='position: fixed; inset: 0; background: rgba(0,0,0,.8);"
        " color: white'>See more on Facebook. <a href='/login.php'>Log in</a>"
        " <button onclick=\"document.body.innerHTML = 'changed'\">Close</button></div>"
        "</body></html>"
    ),
    "/js/never-loads": (
        # The picture that never comes is written by a script, as ad and tracker tags are: a
        # browser waits for it, the plain check never asks for it.
        "<html><head><title>Still loading</title></head><body><p>Almost there.</p>"
        "<script>document.write(\"<img src='/js/hang.png'>\")</script></body></html>"
    ),
    "/js/endless": (
        "<html><head><title>Endless</title></head><body><div id='feed'></div><script>"
        "const feed = document.getElementById('feed');"
        "const more = () => { for (let i = 0; i < 20; i++) {"
        " const p = document.createElement('p'); p.style.height = '100px';"
        " p.textContent = 'story'; feed.appendChild(p); } };"
        "more(); window.addEventListener('scroll', more);"
        "</script></body></html>"
    ),
    "/js/redirected-image": (
        "<html><head><title>Redirected image</title></head><body><p>An image elsewhere.</p>"
        "<img src='/js/img/elsewhere.png' width='40' height='30'>"
        "<img src='/js/img/moved-twice.png' width='40' height='30'></body></html>"
    ),
    "/js/dialogs": (
        "<html><head><title>Dialogs</title></head><body><p>Annoying page.</p><script>"
        "for (let i = 0; i < 10; i++) alert('subscribe ' + i);"
        "</script></body></html>"
    ),
}


class Handler(Protocol):
    headers: object

    def send(
        self,
        status: int,
        body: bytes | str = b"",
        headers: dict[str, str] | None = None,
        content_type: str = "text/html; charset=utf-8",
    ) -> None: ...

    def sleep(self, seconds: float) -> None: ...


def serve(handler: Handler, path: str) -> None:
    """Answer a ``/js/`` path."""
    if path in PAGES:
        handler.send(200, PAGES[path])
    elif path in IMAGES:
        handler.send(200, IMAGES[path], content_type="image/png")
    elif path == "/js/api/post.json":
        handler.send(200, json.dumps({"text": FETCHED_TEXT}), content_type="application/json")
    elif path == "/js/browser-only":
        if handler.headers.get("Sec-Fetch-Mode") is None:  # type: ignore[attr-defined]
            handler.send(403, "<html><title>Access denied</title>Forbidden</html>")
        else:
            page = f"<html><head><title>Statement</title></head><body><p>{BROWSER_ONLY_TEXT}."
            handler.send(200, page + "</p></body></html>")
    elif path == "/js/members":  # a post only a logged-in member sees
        cookie = str(handler.headers.get("Cookie") or "")  # type: ignore[attr-defined]
        said = LOGGED_IN_TEXT if f"session={SESSION}" in cookie else "Log in to see this post"
        handler.send(200, f"<html><head><title>Members</title></head><body><p>{said}</p></body>")
    elif path == "/js/img/elsewhere.png":  # moved to a host a private-rule stand-in refuses
        port = str(handler.headers.get("Host") or "").rpartition(":")[2]  # type: ignore[attr-defined]
        where = f"http://{PRIVATE_NAME}:{port}/js/img/private.png"
        handler.send(302, b"", {"Location": where})
    elif path == "/js/img/moved-twice.png":  # a public hop first, then the private one
        handler.send(302, b"", {"Location": "/js/img/elsewhere.png"})
    elif path == "/js/img/private.png":
        handler.send(200, IMAGES["/js/img/lazy.png"], content_type="image/png")
    elif path == "/js/hang.png":
        handler.sleep(60)
        handler.send(200, IMAGES["/js/img/lazy.png"], content_type="image/png")
    else:
        handler.send(404, "<html><title>Not Found</title>Not Found</html>")
