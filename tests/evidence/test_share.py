"""A link's evidence copied from another document's folder: every record of the link, byte for
byte, the files beside them, and the manifest's evidence pointing at the copies."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from kzarchive.evidence.mediawarc import MediaWarc
from kzarchive.evidence.records import Evidence, MediaFile, Rendering
from kzarchive.evidence.share import Sharer, record_id_at
from kzarchive.evidence.warc import WarcRecorder

CITED, OTHER = "https://example.org/post", "https://example.org/elsewhere"
WHEN = "2026-12-05T10:00:00.000000Z"


def _exchange(recorder: WarcRecorder, url: str, cited: str | None, body: bytes) -> tuple[str, int]:
    return recorder.write_exchange(
        url,
        started_at=WHEN,
        status_line="200 OK",
        version="1.1",
        headers=[("Content-Type", "text/html")],
        body=io.BytesIO(body),
        size=len(body),
        sha256=hashlib.sha256(body).hexdigest(),
        request_line="GET / HTTP/1.1",
        request_headers=[("Host", "example.org")],
        cited=cited,
    )


def _file(folder: Path, path: str, data: bytes) -> MediaFile:
    (folder / path).parent.mkdir(parents=True, exist_ok=True)
    (folder / path).write_bytes(data)
    return MediaFile(path, hashlib.sha256(data).hexdigest(), len(data))


def _records(path: Path) -> list[tuple[str, str, bytes]]:
    with path.open("rb") as stream:
        return [
            (r.rec_type, str(r.rec_headers.get_header("WARC-Record-ID")), r.content_stream().read())
            for r in ArchiveIterator(stream)
            if r.rec_type != "warcinfo"
        ]


def _source(folder: Path, cited: str | None) -> Evidence:
    """A document folder that captured CITED (and OTHER): the page, a requisite, a screenshot
    and a video; ``cited`` None writes records as before they named their link."""
    recorder = WarcRecorder(folder, "20261205T100000Z")
    record_id, offset = _exchange(recorder, CITED, cited, b"<html>the post</html>")
    _exchange(recorder, OTHER, OTHER if cited else None, b"another document's page")
    _exchange(recorder, "https://example.org/photo.jpg", cited, b"jpeg")  # a requisite
    shot = _file(folder, "evidence/browser/20261205T100000Z/post/screenshot.png", b"png")
    shot_id, shot_at = recorder.write_resource(f"urn:fullPage:{CITED}", "image/png", b"png", WHEN)
    recorder.close()
    page = {"url": CITED, "ts": WHEN, "title": "The post", "status": 200}
    recorder.pages_path.write_text(json.dumps(page) + "\n")
    media = MediaWarc(folder, "20261205T100000Z")
    video = media.add(CITED, _file(folder, "media/post/video.mp4", b"mp4 bytes"))
    media.close()
    shot = MediaFile(
        shot.path, shot.sha256, shot.size, warc=recorder.name, record_id=shot_id, offset=shot_at
    )
    return Evidence(
        captured_at=WHEN,
        warc=recorder.name,
        record_id=record_id,
        offset=offset,
        url=CITED,
        rendering=Rendering(warc=recorder.name, screenshot=shot),
        media=(video,),
    )


def test_every_record_of_the_link_is_copied_with_its_files(tmp_path: Path) -> None:
    alpha, beta = tmp_path / "alpha", tmp_path / "beta"
    evidence = _source(alpha, CITED)
    recorder = WarcRecorder(beta, "20261205T110000Z")
    sharer = Sharer(beta, recorder, [alpha, beta])
    copy = sharer.bring(CITED, evidence)
    recorder.close()

    assert copy is not None and copy.warc == recorder.name
    copied = _records(beta / recorder.name)
    kept = {rid: body for _, rid, body in _records(alpha / str(evidence.warc))}
    kept |= {rid: body for _, rid, body in _records(alpha / str(evidence.media[0].warc))}
    # the page, its request, the requisite and its request, the screenshot, the video
    assert [t for t, _, _ in copied] == ["response", "request"] * 2 + ["resource"] * 2
    assert all(kept[rid] == body for _, rid, body in copied)  # the same records, the same bytes
    assert b"another document's page" not in b"".join(body for _, _, body in copied)
    assert copy.offset is not None and copy.record_id == evidence.record_id
    assert record_id_at(beta / copy.warc, copy.offset) == evidence.record_id
    assert copy.rendering is not None and copy.rendering.screenshot is not None
    shot = copy.rendering.screenshot
    assert (beta / shot.path).read_bytes() == b"png" and shot.offset is not None
    assert record_id_at(beta / str(shot.warc), shot.offset) == shot.record_id
    video = copy.media[0]
    assert (beta / video.path).read_bytes() == b"mp4 bytes" and video.offset is not None
    assert record_id_at(beta / str(video.warc), video.offset) == video.record_id
    assert sorted(p.relative_to(beta).as_posix() for p in sharer.files) == [
        "evidence/browser/20261205T100000Z/post/screenshot.png",
        "media/post/video.mp4",
    ]
    pages = (beta / recorder.name).with_name("kzarchive-20261205T110000Z.pages.jsonl")
    assert json.loads(pages.read_text())["title"] == "The post"

    # A later run finds the copies in the folder and copies nothing again
    again = WarcRecorder(beta, "20261205T120000Z")
    assert Sharer(beta, again, [alpha]).bring(CITED, evidence) == copy
    again.close()
    assert not again.path.exists()
    # Evidence the folder made itself is its own
    assert Sharer(alpha, again, [beta]).bring(CITED, evidence) is None


def test_records_from_before_they_named_their_link_are_copied_as_the_manifest_names_them(
    tmp_path: Path,
) -> None:
    alpha, beta = tmp_path / "alpha", tmp_path / "beta"
    evidence = _source(alpha, None)
    (alpha / "evidence/warc/kzarchive-20261205T100000Z.pages.jsonl").unlink()
    recorder = WarcRecorder(beta, "20261205T110000Z")
    copy = Sharer(beta, recorder, [alpha]).bring(CITED, evidence)
    recorder.close()
    assert copy is not None
    # the answer and its request, the screenshot, the video (no requisite: nothing names it)
    assert [t for t, _, _ in _records(beta / recorder.name)] == [
        "response",
        "request",
        "resource",
        "resource",
    ]
    page = json.loads(recorder.pages_path.read_text())  # from the manifest, lacking a pages line
    assert (page["url"], page["ts"]) == (CITED, WHEN)


def test_evidence_no_folder_holds_is_left_as_it_is(tmp_path: Path) -> None:
    alpha, beta = tmp_path / "alpha", tmp_path / "beta"
    evidence = _source(alpha, CITED)
    (alpha / str(evidence.warc)).unlink()
    recorder = WarcRecorder(beta, "20261205T110000Z")
    assert Sharer(beta, recorder, [alpha]).bring(CITED, evidence) is None
    recorder.close()
    assert not recorder.path.exists()
