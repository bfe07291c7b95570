"""``kzarchive run`` with the browser: each page's screenshot, DOM and traffic in the evidence,
hashed into the seal, checked by ``verify``, named by the reports, inside the WACZ; logged in
with a cookies.txt that reaches no file; and without a browser, one warning and the HTTP capture.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from kzarchive.cli import main
from tests.capture.conftest import NO_DNS, need_browser
from tests.servers.base import RunningServer
from tests.servers.documents import footnoted_report
from tests.servers.fake_wayback import FakeState, cli_env, fake_wayback
from tests.servers.rendered import FETCHED_TEXT, LOGGED_IN_TEXT, SESSION

PAGES = ["/js/fetch-text", "/js/video", "/js/browser-only", "/js/never-loads", "/js/members"]


def cookies_file(path: Path) -> Path:
    path.write_text(
        "# Netscape HTTP Cookie File\n"
        f"127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\t{SESSION}\n"
        "#HttpOnly_127.0.0.1\tFALSE\t/js\tFALSE\t2147483647\ttheme\tdark\n",
        encoding="utf-8",
    )
    return path


def invoke(
    web: RunningServer, wayback: RunningServer, folder: Path, *args: str, **env: str
) -> tuple[Result, Path]:
    doc = footnoted_report(folder / "report.md", [web.base + p for p in PAGES])
    out = folder / "out"
    result = CliRunner().invoke(
        main,
        ["run", str(doc), "--out", str(out), "--page-time", "8", *args],
        env=cli_env(wayback, **env),
    )
    return result, out


@pytest.fixture(scope="module")
def servers(web: RunningServer) -> Iterator[tuple[RunningServer, FakeState]]:
    server, state = fake_wayback()
    with server:
        yield server, state


@pytest.fixture(scope="module")
def done(
    web: RunningServer,
    servers: tuple[RunningServer, FakeState],
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Result, Path]:
    """One run with the browser, logged in, never changed (copy it to change it)."""
    need_browser()
    folder = tmp_path_factory.mktemp("rendered")
    return invoke(
        web,
        servers[0],
        folder,
        "--cookies",
        str(cookies_file(folder / "cookies.txt")),
        "--browser-arg",
        NO_DNS,
        KZARCHIVE_BROWSER="1",
    )


def links(out: Path) -> dict[str, dict[str, Any]]:
    data = json.loads((out / "manifest.json").read_text())
    return {"/" + link["url"].split("/", 3)[3]: link for link in data["links"]}


def test_each_page_keeps_its_screenshot_dom_and_thumbnail(done: tuple[Result, Path]) -> None:
    result, out = done
    assert result.exit_code in (0, 1), result.stderr
    assert "pages rendered in the browser" in result.stderr
    found = links(out)
    for path in PAGES:
        rendering = found[path]["evidence"]["rendering"]
        assert rendering["logged_in"] is True, path
        assert rendering["browser"].startswith("Chromium "), path
        for kind in ("screenshot", "thumbnail", "dom"):
            kept = rendering[kind]
            data = (out / kept["path"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == kept["sha256"], (path, kind)
            assert len(data) == kept["size"]
        shot = (out / rendering["screenshot"]["path"]).read_bytes()
        assert shot.startswith(b"\x89PNG") and b"Creation Time" in shot
    # cut at --page-time, before the load budget: kept as it was then, and said to be cut
    assert found["/js/never-loads"]["evidence"]["rendering"]["truncated"] == ["time"]
    assert found["/js/browser-only"]["check"]["verdict"] == "blocked"  # the plain client's 403
    assert found["/js/browser-only"]["evidence"]["rendering"]["http_status"] == 200
    # every file is in the seal
    sums = next((out / "evidence" / "seals").glob("*/SHA256SUMS")).read_text()
    for path in PAGES:
        rendering = found[path]["evidence"]["rendering"]
        for kind in ("screenshot", "thumbnail", "dom"):
            assert f"{rendering[kind]['sha256']}  {rendering[kind]['path']}\n" in sums


def test_a_site_refusing_plain_clients_is_rendered_and_submitted(
    done: tuple[Result, Path], servers: tuple[RunningServer, FakeState]
) -> None:
    _, out = done
    link = links(out)["/js/browser-only"]
    assert link["check"]["verdict"] == "blocked"  # the plain client's 403
    rendering = link["evidence"]["rendering"]
    assert rendering["http_status"] == 200 and rendering["title"] == "Statement"
    # Save Page Now captures with its own browser: a link that is not dead is submitted
    submitted = {r.form.get("url") for r in servers[1].saves()}
    assert link["url"] in submitted
    # and the cookies never went to the Wayback Machine
    for request in servers[1].requests:
        assert SESSION not in json.dumps([request.query, request.form, request.headers])


def test_the_wacz_alone_holds_the_rendered_page(done: tuple[Result, Path]) -> None:
    _, out = done
    found = links(out)
    with zipfile.ZipFile(out / "evidence.wacz") as wacz:
        pages = [json.loads(line) for line in wacz.read("pages/pages.jsonl").splitlines()[1:]]
        index = gzip.decompress(wacz.read("indexes/index.cdx.gz")).decode()
    page = next(p for p in pages if p["url"].endswith("/js/fetch-text"))
    rendering = found["/js/fetch-text"]["evidence"]["rendering"]
    assert FETCHED_TEXT in page["text"]  # ReplayWeb.page's search
    assert page["ts"] == rendering["captured_at"]
    assert page["title"] == "A post filled by script"
    for path in PAGES:
        url = found[path]["url"]
        assert f'"urn:fullPage:{url}"' in index or f"urn:fullpage:{url}" in index.lower(), path
        assert f"urn:dom:{url}" in index, path
    assert "/js/api/post.json" in index and "/media/clip.mp4" in index


def test_verify_holds_and_names_an_altered_screenshot(
    done: tuple[Result, Path], tmp_path: Path
) -> None:
    import shutil

    _, sealed = done
    out = tmp_path / "out"
    shutil.copytree(sealed, out)
    runner = CliRunner()
    holds = runner.invoke(main, ["verify", str(out), "--format", "json"])
    assert holds.exit_code == 0, holds.output
    kinds = [f["kind"] for f in json.loads(holds.stdout)["findings"] if f["status"] == "holds"]
    assert kinds.count("rendering") == 3 * len(PAGES)
    shot = links(out)["/js/video"]["evidence"]["rendering"]["screenshot"]["path"]
    with (out / shot).open("ab") as f:
        f.write(b"\0")
    altered = runner.invoke(main, ["verify", str(out), "--format", "json"])
    assert altered.exit_code == 1
    bad = {
        (f["kind"], f["path"])
        for f in json.loads(altered.stdout)["findings"]
        if f["status"] == "altered"
    }
    assert ("rendering", shot) in bad and ("sums", shot) in bad


def test_the_reports_name_the_screenshot_and_show_its_thumbnail(done: tuple[Result, Path]) -> None:
    _, out = done
    rendering = links(out)["/js/video"]["evidence"]["rendering"]
    citations = (out / "citations.md").read_text()
    assert rendering["screenshot"]["sha256"] in citations
    assert rendering["screenshot"]["path"] in citations
    html = CliRunner().invoke(main, ["report", str(out), "--format", "html"])
    assert html.exit_code == 0
    thumbnail = f'<img src="{rendering["thumbnail"]["path"]}"'
    assert f'href="{rendering["screenshot"]["path"]}"' in html.stdout and thumbnail in html.stdout


def test_a_logged_in_capture_writes_the_session_nowhere(done: tuple[Result, Path]) -> None:
    _, out = done
    members = links(out)["/js/members"]["evidence"]["rendering"]
    assert LOGGED_IN_TEXT.encode() in (out / members["dom"]["path"]).read_bytes()
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix in (".gz", ".wacz"):
                data = gzip_members(path)
            assert SESSION.encode() not in data, path


def gzip_members(path: Path) -> bytes:
    if path.suffix == ".wacz":
        with zipfile.ZipFile(path) as wacz:
            return b"".join(gzip_or_raw(wacz.read(n)) for n in wacz.namelist())
    return gzip_or_raw(path.read_bytes())


def gzip_or_raw(data: bytes) -> bytes:
    try:
        return gzip.decompress(data)
    except (OSError, EOFError):
        return data


def test_without_a_browser_one_warning_and_the_http_capture(
    web: RunningServer, servers: tuple[RunningServer, FakeState], tmp_path: Path
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    result, out = invoke(
        web,
        servers[0],
        tmp_path,
        KZARCHIVE_BROWSER="1",
        PATH=str(empty),
        PLAYWRIGHT_BROWSERS_PATH=str(tmp_path / "none"),
    )
    assert result.exit_code in (0, 1), result.stderr
    assert result.stderr.count("no Chromium found") == 1
    assert "apt-get install chromium" in result.stderr
    found = links(out)
    assert all(link["evidence"]["rendering"] is None for link in found.values())
    assert all(link["evidence"]["record_id"] for link in found.values())


def test_bad_browser_options_are_one_line(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(main, ["run", "--browser", "--browser-path", str(tmp_path / "nothing")])
    assert missing.exit_code == 2 and "no such program" in missing.stderr
    (tmp_path / "bad.txt").write_text("not cookies\n")
    bad = runner.invoke(main, ["run", "--cookies", str(tmp_path / "bad.txt")])
    assert bad.exit_code == 2 and "cookies" in bad.stderr
