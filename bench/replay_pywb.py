"""Open kzarchive's WACZ in pywb and check, in a real browser, that the rendered page replays from
the archive alone: the text a script fetched, the CSS background image and the video.

kzarchive runs on three pages of the scenario server with the browser on; the server is then
stopped, the WACZ is added to a pywb collection (``wb-manager add``), pywb serves it on
127.0.0.1, and headless Chromium opens each page's replay (``<ts>mp_``, without pywb's frame).
Every request the replaying browser makes to anything but pywb is refused and counted.

pywb pins its own dependencies (gevent, an older warcio), so it lives in a virtual environment of
its own: ``python3 -m venv /tmp/pywb-venv && /tmp/pywb-venv/bin/pip install pywb``.

Usage: .venv/bin/python bench/replay_pywb.py [--pywb /tmp/pywb-venv/bin]
Prints what it checked; exits 1 when anything did not come from the archive.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from click.testing import CliRunner
from playwright.async_api import async_playwright

from kzarchive.capture.launch import QUIET_SWITCHES, system_browser
from kzarchive.cli import main
from tests.servers.documents import footnoted_report
from tests.servers.fake_wayback import cli_env, fake_wayback
from tests.servers.rendered import FETCHED_TEXT, IMAGES
from tests.servers.scenario import MP4, scenario_server

PAGES = ["/js/fetch-text", "/js/background", "/js/video"]
NO_DNS = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def capture(folder: Path) -> tuple[Path, dict[str, str]]:
    """kzarchive run with the browser; the WACZ and each page's replay timestamp."""
    with scenario_server() as web:
        server, _ = fake_wayback()
        with server:
            doc = footnoted_report(folder / "report.md", [web.base + p for p in PAGES])
            out = folder / "out"
            result = CliRunner().invoke(
                main,
                ["run", str(doc), "--out", str(out), "--browser", "--browser-arg", NO_DNS],
                env=cli_env(server),
            )
            if result.exit_code not in (0, 1):
                sys.exit(f"kzarchive run failed ({result.exit_code}): {result.stderr}")
    # the scenario server is stopped: from here on, only the archive can answer
    wacz = out / "evidence.wacz"
    with zipfile.ZipFile(wacz) as package:
        lines = package.read("pages/pages.jsonl").decode().splitlines()[1:]
    stamps = {}
    for line in lines:
        page = json.loads(line)
        digits = "".join(c for c in page["ts"] if c.isdigit())[:14]
        stamps[page["url"]] = digits
    return wacz, stamps


def serve(pywb: Path, wacz: Path, root: Path) -> tuple[subprocess.Popen[bytes], int]:
    root.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PATH": f"{pywb}:{os.environ.get('PATH', '')}"}
    subprocess.run(
        [pywb / "wb-manager", "init", "kz"], cwd=root, check=True, env=env, capture_output=True
    )
    subprocess.run(
        [pywb / "wb-manager", "add", "--unpack-wacz", "kz", str(wacz)],
        cwd=root,
        check=True,
        env=env,
        capture_output=True,
    )
    port = free_port()
    process = subprocess.Popen(
        [pywb / "wayback", "-b", "127.0.0.1", "-p", str(port)],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return process, port
        time.sleep(0.2)
    process.kill()
    sys.exit("pywb did not start")


async def replay(port: int, stamps: dict[str, str]) -> list[tuple[str, bool, str]]:
    base = f"http://127.0.0.1:{port}"
    outside: list[str] = []
    checks: list[tuple[str, bool, str]] = []
    executable = system_browser()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(executable) if executable else None,
            args=[*QUIET_SWITCHES, NO_DNS],
        )
        context = await browser.new_context(service_workers="block")

        async def only_pywb(route: object) -> None:
            request = route.request  # type: ignore[attr-defined]
            if request.url.startswith(base):
                await route.continue_()  # type: ignore[attr-defined]
            else:
                outside.append(request.url)
                await route.abort()  # type: ignore[attr-defined]

        await context.route("**/*", only_pywb)
        page = await context.new_page()
        answers: dict[str, tuple[int, bytes]] = {}

        async def keep(response: object) -> None:
            try:
                body = await response.body()  # type: ignore[attr-defined]
            except Exception:
                body = b""
            answers[response.url] = (response.status, body)  # type: ignore[attr-defined]

        page.on("response", lambda r: asyncio.ensure_future(keep(r)))
        for url, ts in stamps.items():
            # pywb answers a top-level visit with its frame, the page replayed inside (mp_)
            await page.goto(f"{base}/kz/{ts}/{url}", wait_until="load")
            await page.wait_for_timeout(2000)
            frame = next((f for f in page.frames if f"{ts}mp_/" in f.url), None)
            if frame is None:
                checks.append((url, False, "pywb did not replay the page"))
                continue
            if url.endswith("/js/fetch-text"):
                text = await frame.inner_text("body", timeout=5000)
                checks.append(("text fetched by script", FETCHED_TEXT in text, text[:60]))
            elif url.endswith("/js/background"):
                got = [a for u, a in answers.items() if u.endswith("/js/img/background.png")]
                ok = any(s == 200 and b == IMAGES["/js/img/background.png"] for s, b in got)
                checks.append(("CSS background image", ok, f"{len(got)} answer(s) from pywb"))
            elif url.endswith("/js/video"):
                src = await frame.evaluate("() => document.getElementById('player').src")
                digest = await frame.evaluate(
                    """async (src) => {
                      const r = await fetch(src);
                      const data = new Uint8Array(await r.arrayBuffer());
                      const d = await crypto.subtle.digest('SHA-256', data);
                      return [r.status, [...new Uint8Array(d)]
                        .map(b => b.toString(16).padStart(2, '0')).join('')];
                    }""",
                    src,
                )
                await page.wait_for_timeout(500)
                # wombat shows the page its original URL; the request itself goes to pywb
                served = [u for u in answers if u.endswith("/media/clip.mp4")]
                ok = digest[1] == hashlib.sha256(MP4).hexdigest() and bool(served)
                ok = ok and all(u.startswith(base) for u in served)
                detail = f"HTTP {digest[0]}, sha256 {digest[1][:12]}… from {served[:1]}"
                checks.append(("video set by script", ok, detail))
        await browser.close()
    checks.append(("nothing asked outside pywb", not outside, ", ".join(outside[:3])))
    return checks


def main_() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pywb", type=Path, default=Path("/tmp/pywb-venv/bin"))
    args = parser.parse_args()
    if not (args.pywb / "wayback").exists():
        sys.exit(
            f"no pywb in {args.pywb}: python3 -m venv /tmp/pywb-venv && "
            "/tmp/pywb-venv/bin/pip install pywb"
        )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        wacz, stamps = capture(folder)
        process, port = serve(args.pywb, wacz, folder / "pywb")
        try:
            checks = asyncio.run(replay(port, stamps))
        finally:
            process.terminate()
            process.wait(timeout=10)
    for name, ok, detail in checks:
        print(f"{'ok ' if ok else 'BAD'}  {name}: {detail}")
    return 0 if all(ok for _, ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main_())
