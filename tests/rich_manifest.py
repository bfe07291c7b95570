"""The seed manifest with what later runs add: an own copy with media, a capture that failed, a
copy in another archive (Perma.cc) and the notes' own text; for the reading formats' tests."""

from __future__ import annotations

from dataclasses import replace

from kzarchive.evidence import Evidence, MediaFile
from kzarchive.evidence.records import Rendering
from kzarchive.manifest import Manifest, load
from kzarchive.models import Judgement, Snapshot
from tests.conftest import FIXTURES

KEPT = Evidence(
    captured_at="2026-11-27T09:21:53.519879Z",
    warc="evidence/warc/kzarchive-20261127T092153Z.warc.gz",
    record_id="<urn:uuid:e8617c44-bccd-4c18-9a63-68f953a89d1e>",
    offset=398,
    http_status=200,
    sha256="0b56df345c2cb93e4858d151c0ced8c4ac42af0e61af2c9fb56632947dbda879",
    size=381,
    truncated="length",
    media=(
        MediaFile("media/www.facebook.com-1a2b/video.mp4", "ab" * 32, 10),
        MediaFile("media/www.facebook.com-1a2b/video.info.json", "cd" * 32, 2),
    ),
)
SHOT = "evidence/screenshots/www.facebook.com-1a2b"
RENDERED = Rendering(
    captured_at="2026-11-27T09:21:55Z",
    screenshot=MediaFile(f"{SHOT}/page.png", "ef" * 32, 400_000),
    thumbnail=MediaFile(f"{SHOT}/thumbnail.png", "01" * 32, 20_000),
)
PERMA = Snapshot(
    "https://perma.cc/ABCD-1234",
    "20190301120000",
    200,
    judgement=Judgement("content", "http-200", "2026-11-27T09:30:00Z"),
    archive="perma.cc",
)


def rich_manifest() -> Manifest:
    manifest = load(FIXTURES / "manifests" / "seed.json")
    links = list(manifest.links)
    links[0] = replace(links[0], evidence=replace(KEPT, rendering=RENDERED))
    links[1] = replace(links[1], evidence=Evidence(error="nothing answered (dns-nxdomain)"))
    archive = links[2].archive
    assert archive is not None
    links[2] = replace(links[2], archive=replace(archive, elsewhere=(PERMA,)))
    citations = tuple(
        replace(c, note=f"Statement of the mission, {c.url}") if c.footnote == "1" else c
        for c in manifest.citations
    )
    document = {
        **manifest.document,
        "path": "/tmp/tmpx7f3/report.md",
        "title": "Kazakhstan: a report",
    }
    return replace(manifest, document=document, citations=citations, links=tuple(links))
