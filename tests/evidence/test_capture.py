"""Capture: every answer a check received kept as WARC records, packaged as a valid WACZ."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.evidence.conftest import CAPTURE_MAX, CITED, Servers, links, run


def records(out: Path) -> list[Any]:
    """Every record of every WARC file, with its payload read (warcio checks the digests)."""
    found = []
    for path in sorted((out / "evidence" / "warc").glob("*.warc.gz")):
        with path.open("rb") as stream:
            iterator = ArchiveIterator(stream, check_digests=True)
            for record in iterator:
                payload = record.raw_stream.read()
                assert record.digest_checker.passed is not False, record.digest_checker.problems
                found.append((record, payload, path.name))
    return found


def payload_at(out: Path, warc: str, offset: int) -> tuple[Any, bytes]:
    with (out / warc).open("rb") as stream:
        stream.seek(offset)
        record = next(iter(ArchiveIterator(stream)))
        return record, record.raw_stream.read()


def wacz_valid(path: Path) -> tuple[int, str]:
    from wacz.main import main as wacz_main

    said = io.StringIO()
    with contextlib.redirect_stdout(said):
        code = wacz_main(["validate", "-f", str(path)])
    return code, said.getvalue()


def test_every_answer_is_kept_with_one_request_per_link(servers: Servers, tmp_path: Path) -> None:
    servers.web.server.state.hits.clear()  # type: ignore[attr-defined]
    # (yt-dlp reads a player page again for its media: that is the media's own fetch)
    result, out = run(servers, tmp_path, CITED, "--no-media")
    assert result.exit_code == 1, result.stderr  # /gone404 is dead
    hits = servers.web.server.state.hits  # type: ignore[attr-defined]
    # The check's own GET is the capture: no cited page was fetched twice.
    assert {path: hits[path] for path in CITED} == dict.fromkeys(CITED, 1)
    found = links(out)
    for path in CITED:
        evidence = found[path]["evidence"]
        check = found[path]["check"]
        assert evidence["http_status"] == check["http_status"], path
        assert evidence["url"] == check["final_url"], path
        record, payload = payload_at(out, evidence["warc"], evidence["offset"])
        assert record.rec_headers.get_header("WARC-Record-ID") == evidence["record_id"]
        assert record.rec_headers.get_header("WARC-Type") == "response"
        assert hashlib.sha256(payload).hexdigest() == evidence["sha256"], path
        assert len(payload) == evidence["size"]
    # A dead page and a login wall are evidence of the page's state too.
    assert found["/gone404"]["evidence"]["http_status"] == 404
    assert found["/fb-video"]["evidence"]["url"].endswith("/login.php?next=%2Ffb-video")
    # The redirect chain: each hop is a record; the evidence points at the answer.
    chain = found["/two-hops"]["evidence"]
    assert chain["hops"] == 2 and chain["url"].endswith("/new-home-of-the-article")
    assert b"Aktau City Court" in payload_at(out, chain["warc"], chain["offset"])[1]
    assert chain["title"] == "Moved article"  # the page's own <title>, for `cite`
    assert found["/report.pdf"]["evidence"]["title"] is None
    # The PDF's bytes, whole.
    pdf = found["/report.pdf"]["evidence"]
    assert payload_at(out, pdf["warc"], pdf["offset"])[1].startswith(b"%PDF-1.4")


def test_records_hold_each_hop_request_and_requisite(servers: Servers, tmp_path: Path) -> None:
    _, out = run(servers, tmp_path, ["/with-requisites", "/two-hops", "/big/300000"])
    kept = records(out)
    kinds = [r.rec_headers.get_header("WARC-Type") for r, _, _ in kept]
    assert kinds[0] == "warcinfo"
    responses = {
        r.rec_headers.get_header("WARC-Target-URI").split("/", 3)[3]: (r, p)
        for r, p, _ in kept
        if r.rec_headers.get_header("WARC-Type") == "response"
    }
    requests = [r for r, _, _ in kept if r.rec_headers.get_header("WARC-Type") == "request"]
    assert len(requests) == len(responses)  # a request record beside every response
    ids = {r.rec_headers.get_header("WARC-Record-ID") for r, _ in responses.values()}
    assert {r.rec_headers.get_header("WARC-Concurrent-To") for r in requests} == ids
    # Each hop of 302 -> 301 -> 200, with its status line and Location
    assert responses["two-hops"][0].http_headers.get_statuscode() == "302"
    assert responses["moved"][0].http_headers.get_header("Location") == "/new-home-of-the-article"
    # The page's requisites, a missing one (404) included; the probe for soft 404s is not one.
    for asset in ("style.css", "app.js", "photo.jpg", "frame.html", "missing.png"):
        assert f"assets/{asset}" in responses
    assert responses["assets/missing.png"][0].http_headers.get_statuscode() == "404"
    assert not [u for u in responses if "-missing" in u]
    assert links(out)["/with-requisites"]["evidence"]["requisites"] == 5
    # Over --capture-max: cut there, and said so; the original length kept beside the real one
    big, body = responses["big/300000"]
    assert len(body) == CAPTURE_MAX and big.rec_headers.get_header("WARC-Truncated") == "length"
    assert big.http_headers.get_header("Content-Length") == str(CAPTURE_MAX)
    assert big.http_headers.get_header("X-Kzarchive-Original-Content-Length") == "300000"
    assert links(out)["/big/300000"]["evidence"]["truncated"] == "length"
    # The check itself still judged the page as it always has
    assert links(out)["/big/300000"]["check"]["verdict"] == "alive"


def test_a_compressed_answer_is_stored_decoded_and_says_so(
    servers: Servers, tmp_path: Path
) -> None:
    _, out = run(servers, tmp_path, ["/gzip"])
    evidence = links(out)["/gzip"]["evidence"]
    record, payload = payload_at(out, evidence["warc"], evidence["offset"])
    assert payload.startswith(b"<html><head><title>Compressed")
    assert record.http_headers.get_header("Content-Encoding") is None
    assert record.http_headers.get_header("X-Kzarchive-Original-Content-Encoding") == "gzip"
    assert record.http_headers.get_header("Content-Length") == str(len(payload))


def test_the_wacz_validates_and_lists_the_cited_pages(servers: Servers, tmp_path: Path) -> None:
    _, out = run(servers, tmp_path, CITED)
    code, said = wacz_valid(out / "evidence.wacz")
    assert code == 0, said
    with zipfile.ZipFile(out / "evidence.wacz") as wacz:
        pages = [json.loads(line) for line in wacz.read("pages/pages.jsonl").splitlines()]
        names = wacz.namelist()
    assert pages[0]["format"] == "json-pages-1.0"
    by_url = {p["url"]: p for p in pages[1:]}
    cited = {servers.web.base + p for p in CITED}
    assert set(by_url) == cited
    assert by_url[servers.web.base + "/with-requisites"]["title"] == "An article with pictures"
    assert all(p["ts"].endswith("Z") for p in pages[1:])
    warcs = [n for n in names if n.startswith("archive/")]
    # the run's WARC and its media WARC (the player page's video)
    kept = sorted(f"archive/{p.name}" for p in (out / "evidence" / "warc").glob("*.warc.gz"))
    assert sorted(warcs) == kept and len(kept) == 2


def test_a_second_run_adds_to_the_evidence(servers: Servers, tmp_path: Path) -> None:
    _, out = run(servers, tmp_path, ["/page/1", "/gone404"])
    first = links(out)["/page/1"]["evidence"]
    result, _ = run(servers, tmp_path, ["/page/1", "/gone404"])
    assert result.exit_code == 1
    second = links(out)["/page/1"]["evidence"]
    warcs = sorted((out / "evidence" / "warc").glob("*.warc.gz"))
    assert len(warcs) == 2 and first["warc"] != second["warc"]
    assert len(list((out / "evidence" / "seals").iterdir())) == 2
    with zipfile.ZipFile(out / "evidence.wacz") as wacz:
        assert sorted(n for n in wacz.namelist() if n.startswith("archive/")) == [
            f"archive/{w.name}" for w in warcs
        ]
        pages = wacz.read("pages/pages.jsonl").decode().splitlines()
    assert len(pages) == 1 + 4  # both runs' pages
    assert payload_at(out, first["warc"], first["offset"])[1]  # the first capture is kept


def test_no_capture_keeps_nothing(servers: Servers, tmp_path: Path) -> None:
    result, out = run(servers, tmp_path, ["/page/1"], "--no-capture")
    assert result.exit_code == 0, result.stderr
    assert not (out / "evidence").exists() and not (out / "evidence.wacz").exists()
    assert links(out)["/page/1"]["evidence"] is None
    assert "evidence:" not in result.stderr


def test_a_url_with_secrets_is_not_captured(servers: Servers, tmp_path: Path) -> None:
    result, out = run(servers, tmp_path, ["/page/1?access_token=SECRETTOKEN42", "/page/2"])
    assert result.exit_code == 0, result.stderr
    found = json.loads((out / "manifest.json").read_text())["links"]
    by_path = {link["url"].split("/", 3)[3].split("?")[0]: link["evidence"] for link in found}
    assert "secrets" in by_path["page/1"]["error"] and by_path["page/1"]["record_id"] is None
    assert by_path["page/2"]["record_id"]
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            data = gzip.decompress(data) if path.suffix == ".gz" else data
            assert b"SECRETTOKEN42" not in data, path


def test_a_body_that_stalls_past_the_check_is_cut_short_by_time(
    servers: Servers, tmp_path: Path
) -> None:
    # /stall sends 1,000 bytes of 100,000 and stops: the check needs 500 and is done; the
    # capture waits to the deadline and keeps what came, marked WARC-Truncated: time.
    result, out = run(servers, tmp_path, ["/stall"], "--max-body", "500", "--timeout", "1")
    found = links(out)["/stall"]
    assert found["check"]["verdict"] == "alive", result.stderr
    assert found["evidence"]["truncated"] == "time"
    assert found["evidence"]["size"] == len(b"<html><body>") + 1000


def test_a_disk_that_fills_up_stops_the_capture_not_the_check(
    servers: Servers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kzarchive.evidence.warc import WarcRecorder

    written = WarcRecorder._write
    calls = []

    def fill_up(self: WarcRecorder, exchange: Any) -> None:
        calls.append(exchange.url)
        if len(calls) > 1:
            raise OSError(28, "No space left on device")
        written(self, exchange)

    monkeypatch.setattr(WarcRecorder, "_write", fill_up)
    result, out = run(servers, tmp_path, ["/page/1", "/page/2", "/gone404"])
    assert result.exit_code == 1, result.stderr  # /gone404 is still found dead
    assert result.stderr.count("could not all be written") == 1
    assert "No space left on device" in result.stderr
    found = links(out)
    verdicts = {path: link["check"]["verdict"] for path, link in found.items()}
    assert verdicts == {"/page/1": "alive", "/page/2": "alive", "/gone404": "dead"}
    kept = [p for p, link in found.items() if link["evidence"]["record_id"]]
    assert len(kept) == 1
    for path, link in found.items():
        if path not in kept:
            assert "No space left on device" in link["evidence"]["error"]


@pytest.mark.parametrize(
    ("limits", "expected"),
    [
        ({"requisites": 2}, ["assets/style.css", "assets/app.js"]),
        # style.css is 28 bytes: the budget is spent after it, and nothing more is fetched
        ({"requisite_bytes": 20}, ["assets/style.css"]),
        ({"requisites": 0}, []),
    ],
    ids=["count", "bytes", "none"],
)
def test_requisites_are_bounded_per_page(
    servers: Servers, tmp_path: Path, limits: dict[str, int], expected: list[str]
) -> None:
    import asyncio

    from kzarchive.check.checker import CaptureLimits, LinkChecker
    from kzarchive.evidence.warc import WarcRecorder

    async def check() -> WarcRecorder:
        recorder = WarcRecorder(tmp_path, "bounded")
        async with LinkChecker() as checker:
            checker.capture(recorder, CaptureLimits(**limits))
            await checker.check(servers.web.base + "/with-requisites")
            await checker.captures_done()
        recorder.close()
        return recorder

    recorder = asyncio.run(check())
    fetched = [
        r.rec_headers.get_header("WARC-Target-URI").split("/", 3)[3]
        for r, _, _ in records(tmp_path)
        if r.rec_headers.get_header("WARC-Type") == "response"
    ]
    assert fetched == ["with-requisites", *expected]
    evidence = recorder.evidence(servers.web.base + "/with-requisites")
    assert evidence is not None and evidence.requisites == len(expected)
    if "requisite_bytes" in limits:
        assert evidence.requisite_bytes == limits["requisite_bytes"]  # cut at the budget


def test_a_body_cut_off_past_the_check_is_marked_disconnect(
    servers: Servers, tmp_path: Path
) -> None:
    result, out = run(servers, tmp_path, ["/cut"], "--max-body", "500")
    found = links(out)["/cut"]
    assert found["check"]["verdict"] == "alive", result.stderr
    assert found["evidence"]["truncated"] == "disconnect"
    assert found["evidence"]["size"] == 1000
