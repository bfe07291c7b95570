"""The scenario web server: every kind of answer a cited page can give, on real sockets.

Paths pick the scenario; a query string keeps the state of stateful scenarios (429 then 200,
503 twice then 200) apart between tests. Every request is recorded.
"""

from __future__ import annotations

import gzip
import ssl
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import unquote, urlsplit

from tests.servers import rendered
from tests.servers.base import RunningServer
from tests.servers.platforms import platform_answer
from tests.shared import THIRD_PARTY

ARTICLE = (
    "<html><head><title>{title}</title></head><body><h1>{title}</h1>"
    "<p>The Aktau City Court acquitted the activist on 6 February 2019. {extra}</p>"
    "<p>Observers from the mission attended every hearing and published their notes.</p>"
    "</body></html>"
)
PORTAL = (
    "<html><head><title>Daily Steppe - news portal</title></head><body>"
    "<nav>Home | Politics | Economy | Culture | Sport | Contacts</nav>"
    "<h2>Latest stories</h2><ul><li>Harvest season begins in the north</li>"
    "<li>New bridge opens over the Ural river</li><li>Football: local club wins the cup</li>"
    "<li>Weather: snow expected in the capital this weekend</li></ul>"
    "<footer>Copyright Daily Steppe. All rights reserved. Advertising. About us.</footer>"
    "</body></html>"
)
VIDEO_GONE = (
    "<html><head><title>Video - StreamSite</title></head><body>"
    "<div class='player'>This video isn't available any more</div>"
    "<aside>Up next: cooking show, travel vlog, music playlist, gaming stream, comedy sketch,"
    " science explainer, football highlights, weather report, language lesson</aside>"
    "<footer>About Press Copyright Contact Creators Advertise Developers Terms Privacy</footer>"
    "</body></html>"
)
CHALLENGE = (
    "<html><head><title>Just a moment...</title></head><body>"
    "<div id='cf-challenge'>Checking your browser before accessing the site.</div></body></html>"
)
LOGIN = (
    "<html><head><title>Log in to Facebook</title></head><body><form>Log in</form></body></html>"
)
WITH_REQUISITES = (
    "<html><head><title>An article with pictures</title>"
    "<link rel='stylesheet' href='/assets/style.css'><script src='/assets/app.js'></script>"
    "</head><body><h1>An article with pictures</h1><img src='/assets/photo.jpg' alt='court'>"
    "<img src='/assets/missing.png'><iframe src='/assets/frame.html'></iframe>"
    "<p>The Aktau City Court acquitted the activist on 6 February 2019.</p></body></html>"
)
VIDEO_PAGE = (
    "<html><head><title>Hearing, 6 February</title></head><body><h1>The hearing</h1>"
    "<video controls width='320'><source src='/media/clip.mp4' type='video/mp4'></video>"
    "<p>Recorded outside the Aktau City Court.</p></body></html>"
)
# mathiasbynens/small's MP4, from the shared folder (tests/shared.py); 404 in a clone without it
MP4_FILE = THIRD_PARTY / "media" / "mp4-with-audio.mp4"
MP4 = MP4_FILE.read_bytes() if MP4_FILE.is_file() else b""
ASSETS = {
    "/assets/style.css": (b"body { font-family: serif; }", "text/css"),
    "/assets/app.js": (b"console.log('loaded');", "application/javascript"),
    "/assets/photo.jpg": (b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8, "image/jpeg"),
    "/assets/frame.html": (b"<html><body>a frame</body></html>", "text/html"),
}
# Akamai's refusal of a client it takes for a robot, as widely seen (403, this very page): sites
# behind it answer browsers (which send Sec-Fetch-* headers) and refuse plain HTTP clients.
AKAMAI_DENIED = (
    "<HTML><HEAD>\n<TITLE>Access Denied</TITLE>\n</HEAD><BODY>\n<H1>Access Denied</H1>\n \n"
    "You don't have permission to access \"http&#58;&#47;&#47;127&#46;0&#46;0&#46;1&#47;"
    'browsers&#45;only" on this server.<P>\nReference&#32;&#35;18&#46;6f64d217&#46;'
    "1733400000&#46;1a2b3c4d\n</BODY>\n</HTML>\n"
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@dataclass
class ScenarioState:
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    hits: Counter[str] = field(default_factory=Counter)
    bytes_sent: Counter[str] = field(default_factory=Counter)
    latency: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


class ScenarioHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # as real web servers do: no 40 ms delayed-ACK stalls
    server: ScenarioServerType  # type: ignore[assignment]

    def log_message(self, format: str, *args: object) -> None:
        pass

    # -- helpers ------------------------------------------------------------------------------

    @property
    def state(self) -> ScenarioState:
        return self.server.state  # type: ignore[no-any-return]

    def send(
        self,
        status: int,
        body: bytes | str = b"",
        headers: dict[str, str] | None = None,
        content_type: str = "text/html; charset=utf-8",
    ) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def redirect(self, status: int, location: str) -> None:
        self.send(status, b"", {"Location": location})

    def sleep(self, seconds: float) -> None:
        self.server.stopping.wait(seconds)

    # -- dispatch -----------------------------------------------------------------------------

    def do_HEAD(self) -> None:
        self.handle_any()

    def do_GET(self) -> None:
        self.handle_any()

    def handle_any(self) -> None:
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        key = self.path
        with self.state.lock:
            self.state.requests.append((self.command, self.path, dict(self.headers.items())))
            self.state.hits[key] += 1
            hits = self.state.hits[key]
        if self.state.latency:
            self.sleep(self.state.latency)
        platform = platform_answer(self.headers.get("Host", ""), path, parts.query)
        if platform is not None:  # YouTube and Facebook, by their host names
            status, body, headers, kind = platform
            self.send(status, body, headers, kind)
            return
        self.route(path, parts.query, hits)

    def route(self, path: str, query: str, hits: int) -> None:
        q = f"?{query}" if query else ""
        if path == "/":
            self.send(200, PORTAL)
        elif path.removeprefix("/page/").isdigit() or path == "/ok":
            self.send(200, ARTICLE.format(title=f"Article {path}", extra=path))
        elif path == "/moved":
            self.redirect(301, "/new-home-of-the-article")
        elif path == "/new-home-of-the-article":
            self.send(200, ARTICLE.format(title="Moved article", extra="It moved."))
        elif path == "/dir":
            self.redirect(301, "/dir/")
        elif path == "/dir/":
            self.send(200, ARTICLE.format(title="Directory page", extra=""))
        elif path == "/to-root":
            self.redirect(302, "/")
        elif path == "/to-404-page":
            self.redirect(302, "/errors/404.html")
        elif path == "/errors/404.html":
            self.send(200, ARTICLE.format(title="Oops", extra="We looked everywhere."))
        elif path == "/gone404":
            self.send(404, "<html><title>Not Found</title><h1>Not Found</h1></html>")
        elif path == "/gone410":
            self.send(410, "Gone")
        elif path == "/auth":
            self.send(401, "Unauthorized", {"WWW-Authenticate": 'Basic realm="x"'})
        elif path == "/forbidden":
            self.send(403, "<html><title>Forbidden</title>Access denied</html>")
        elif path == "/browsers-only":  # 403 to anything that does not look like a browser
            if self.headers.get("Sec-Fetch-Mode"):
                self.send(200, ARTICLE.format(title="Seen by browsers", extra="Rendered."))
            else:
                self.send(403, AKAMAI_DENIED, {"Server": "AkamaiGHost"})
        elif path == "/linkedin":
            self.send(999, "Request denied")
        elif path == "/cloudflare":
            self.send(403, CHALLENGE, {"cf-mitigated": "challenge", "Server": "cloudflare"})
        elif path == "/fb-video":
            self.redirect(302, f"/login.php?next=%2Ffb-video{q}")
        elif path in ("/login.php", "/fb-post"):  # /fb-post: the login form at the cited URL
            self.send(200, LOGIN)
        elif path == "/rate-then-ok":
            if hits == 1:
                self.send(429, "Too Many Requests", {"Retry-After": "1"})
            else:
                self.send(200, ARTICLE.format(title="Patience rewarded", extra=""))
        elif path == "/rate-forever":
            self.send(429, "Too Many Requests", {"Retry-After": "1"})
        elif path == "/rate-hour":  # asks for longer than anyone waits
            self.send(429, "Too Many Requests", {"Retry-After": "3600"})
        elif path == "/two-hops":  # 302, then /moved's 301, then the article
            self.redirect(302, "/moved")
        elif path.startswith("/probe404/"):
            # A site whose missing pages answer 404 with a page much like a real one.
            page = ARTICLE.format(title="Probe section", extra="")
            self.send(200 if path == "/probe404/real-story" else 404, page)
        elif path == "/flaky":
            if hits <= 2:
                self.send(503, "Service Unavailable")
            else:
                self.send(200, ARTICLE.format(title="Back again", extra=""))
        elif path == "/down":
            self.send(503, "Service Unavailable")
        elif path == "/head-405":
            if self.command == "HEAD":
                self.send(405, "Method Not Allowed", {"Allow": "GET"})
            else:
                self.send(200, ARTICLE.format(title="GET only", extra=""))
        elif path.startswith("/soft/"):
            if path == "/soft/real-story":
                self.send(200, ARTICLE.format(title="A real story", extra="With real content."))
            else:  # this site answers 200 with its portal page for anything it does not have
                self.send(200, PORTAL)
        elif path.startswith("/hard/"):
            if path == "/hard/real-story":
                self.send(200, ARTICLE.format(title="Another real story", extra=""))
            else:
                self.send(404, "<html><title>404</title>No such page</html>")
        elif path == "/watch":  # a video site: the query names the video
            video = dict(p.split("=", 1) for p in query.split("&") if "=" in p).get("v")
            if video == "realvideo1":
                self.send(200, ARTICLE.format(title="A recorded hearing", extra="Video."))
            elif video is None:
                self.redirect(302, "/")
            else:
                self.send(200, VIDEO_GONE)
        elif path == "/article/77":  # the query is ignored: any ?ref= shows the same article
            self.send(200, ARTICLE.format(title="Article 77", extra="Shared widely."))
        elif path == "/notfound-wording":
            self.send(
                200, "<html><head><title>Page not found</title></head><body>Sorry.</body></html>"
            )
        elif path == "/slow":
            self.sleep(30)
            self.send(200, "too late")
        elif path == "/stall":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"<html><body>" + b"x" * 1000)
            self.wfile.flush()
            self.sleep(30)
        elif path == "/cut":  # promises 100,000 bytes, sends 1,000 and hangs up
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"<html><body>" + b"x" * 988)
            self.wfile.flush()
            self.close_connection = True
        elif path == "/huge":
            self.serve_huge()
        elif path == "/cookie-check":  # a first visit gets a cookie and comes back for the page
            if "visited=yes" in self.headers.get("Cookie", ""):
                self.send(200, ARTICLE.format(title="Article behind a cookie check", extra=""))
            else:
                cookie = "visited=yes; Path=/; Expires=Wed, 21 Oct 2037 07:28:00 GMT; HttpOnly"
                self.send(302, b"", {"Location": "/cookie-check", "Set-Cookie": cookie})
        elif path in ("/loop-a", "/loop-b"):
            self.redirect(302, "/loop-b" if path == "/loop-a" else "/loop-a")
        elif path == "/report.pdf":
            self.send(200, PDF, content_type="application/pdf")
        elif path == "/gzip":
            body = gzip.compress(ARTICLE.format(title="Compressed", extra="z" * 500).encode())
            self.send(200, body, {"Content-Encoding": "gzip"})
        elif path == "/путь/страница":
            self.send(200, ARTICLE.format(title="Статья", extra=self.headers.get("Host", "")))
        elif path == "/www-redirect":
            host = self.headers.get("Host", "")
            if host.startswith("www."):
                self.send(200, ARTICLE.format(title="Canonical host", extra=""))
            else:
                self.redirect(301, f"http://www.{host}/www-redirect")
        elif path == "/with-requisites":
            self.send(200, WITH_REQUISITES)
        elif path in ASSETS:
            body, kind = ASSETS[path]
            self.send(200, body, content_type=kind)
        elif path.startswith("/big/") and path.removeprefix("/big/").isdigit():
            size = int(path.removeprefix("/big/"))
            self.send(
                200, (b"0123456789abcdef" * (size // 16 + 1))[:size], content_type="text/plain"
            )
        elif path == "/video-page":
            self.send(200, VIDEO_PAGE)
        elif path == "/video-broken":  # a player whose file is gone
            self.send(200, VIDEO_PAGE.replace("/media/clip.mp4", "/media/gone.mp4"))
        elif path == "/media/clip.mp4" and MP4:
            self.send(200, MP4, content_type="video/mp4")
        elif path.startswith("/js/"):  # pages only a browser sees whole
            rendered.serve(self, path)
        elif path == "/echo-ua":
            self.send(200, ARTICLE.format(title="UA", extra=self.headers.get("User-Agent", "")))
        else:
            self.send(404, "<html><title>Not Found</title>Not Found</html>")

    def serve_huge(self) -> None:
        size = 1 << 30
        chunk = b"0123456789abcdef" * 4096
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        sent = 0
        try:
            while sent < size and not self.server.stopping.is_set():
                self.wfile.write(chunk)
                sent += len(chunk)
        except OSError:
            pass
        finally:
            with self.state.lock:
                self.state.bytes_sent["/huge"] += sent


class ScenarioServerType:  # for the handler's type: the server with our state on it
    state: ScenarioState
    stopping: threading.Event


def scenario_server(
    latency: float = 0.0, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None
) -> RunningServer:
    """The scenario server; with ``tls``, over HTTPS (see tests/fixtures/tls)."""
    state = ScenarioState(latency=latency)
    running = RunningServer(ScenarioHandler, state, host)
    if tls is not None:
        running.server.socket = tls.wrap_socket(running.server.socket, server_side=True)
        running.scheme = "https"
    return running


def wait_until(predicate: object, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not predicate():  # type: ignore[operator]
        time.sleep(0.01)
