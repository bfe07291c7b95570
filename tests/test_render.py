"""Renderings of a fixed manifest, compared with golden files; escaping; the report command.

The golden files are written by ``python tests/fixtures/update_golden.py`` after a deliberate
change (review the diff); this test only reads them.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kzarchive.cli import main
from kzarchive.manifest import LinkRecord, Manifest, load
from kzarchive.models import ArchiveState, Check, Citation, Snapshot
from kzarchive.render import RENDERERS
from tests.conftest import FIXTURES

SEED = FIXTURES / "manifests" / "seed.json"
GOLDEN = FIXTURES / "golden"


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_golden(fmt: str) -> None:
    renderer = RENDERERS[fmt]
    text = renderer.render(load(SEED))
    golden = GOLDEN / f"seed{renderer.suffix}"
    assert text == golden.read_bytes().decode("utf-8")


def test_csv_round_trips_one_row_per_citation() -> None:
    manifest = load(SEED)
    rows = list(csv.DictReader(io.StringIO(RENDERERS["csv"].render(manifest))))
    assert len(rows) == 23
    assert [r["footnote"] for r in rows][:6] == ["1", "2", "3", "4", "5", "5"]
    assert [r["url"] for r in rows] == [c.url for c in manifest.citations]
    second = rows[1]
    assert (second["verdict"], second["reason"], second["http_status"]) == (
        "dead",
        "http-404",
        "404",
    )
    assert second["archive_status"] == "existing" and second["snapshot_date"] == "2026-11-01"
    assert rows[0]["cited_snapshot_date"] == "2019-02-20"
    assert "," in rows[1]["url"]  # a comma inside a URL survives quoting


def test_the_evidence_kept_is_in_the_csv_and_markdown() -> None:
    from tests.rich_manifest import KEPT as kept
    from tests.rich_manifest import SHOT, rich_manifest

    manifest = rich_manifest()  # the first link's own copy kept, the second's failed
    rows = list(csv.DictReader(io.StringIO(RENDERERS["csv"].render(manifest))))
    assert rows[0]["evidence_sha256"] == kept.sha256
    assert rows[0]["evidence_captured_at"] == kept.captured_at
    assert rows[0]["evidence_record"] == f"{kept.warc}#{kept.record_id}"
    media = "media/www.facebook.com-1a2b"
    assert rows[0]["evidence_media"] == f"{media}/video.mp4 {media}/video.info.json"
    assert rows[1]["evidence_error"] == "nothing answered (dns-nxdomain)"
    assert rows[1]["evidence_sha256"] == "" and rows[2]["evidence_error"] == ""
    text = RENDERERS["markdown"].render(manifest)
    line = next(t for t in text.splitlines() if t.startswith("  - Own copy: captured"))
    assert line == (
        "  - Own copy: captured: 2026-11-27T09:21:53Z; answer: HTTP 200, 381 bytes, cut short "
        f"(length); SHA-256: `{kept.sha256}`; [WARC file: {kept.warc}](<{kept.warc}>); "
        f"WARC record: `{kept.record_id}`; [screenshot: page.png](<{SHOT}/page.png>); "
        f"screenshot SHA-256: `{'ef' * 32}`; [media: video.mp4](<{media}/video.mp4>); "
        f"[media metadata: video.info.json](<{media}/video.info.json>)"
    )
    assert "  - Own copy: not kept: nothing answered (dns-nxdomain)" in text
    assert text.count("Own copy") == 2


def test_markdown_summary_and_lost_footnotes() -> None:
    text = RENDERERS["markdown"].render(load(SEED))
    assert ", 3 dead (link rot)," in text
    assert "- footnotes that lost every source: footnotes 2, 13" in text
    assert "[as cited: 2019-02-20, not verified](<https://web.archive.org/web/20190220083000/" in (
        text
    )


def test_json_is_the_manifest_normalised() -> None:
    data = json.loads(RENDERERS["json"].render(load(SEED)))
    assert data["schema_version"] == 2
    assert data["summary"]["citations"] == 23
    assert Manifest.from_json(data) == load(SEED)


def test_html_has_robust_links_on_every_link() -> None:
    text = RENDERERS["html"].render(load(SEED))
    assert text.count('data-originalurl="') == 23
    assert 'data-versionurl="https://web.archive.org/web/20190220083000/' in text
    assert 'data-versiondate="2019-02-22"' in text
    assert "<link" not in text and "<script" not in text and "src=" not in text


def test_html_escapes_hostile_urls() -> None:
    evil = 'https://evil.example/"><script>alert(1)</script>'
    snapshot = Snapshot(f"https://web.archive.org/web/20260101000000/{evil}", "20260101000000", 200)
    manifest = Manifest(
        document={"path": '<img src=x onerror="alert(2)">.md', "cited_on": None},
        citations=(Citation("1<b>", evil, 3, "ctx"),),
        links=(
            LinkRecord(
                evil,
                ("1<b>",),
                check=Check("dead", "http-404", "2026-01-01T00:00:00Z", 404),
                archive=ArchiveState("failed", snapshot, None, error="<script>x</script>"),
            ),
        ),
    )
    text = RENDERERS["html"].render(manifest)
    assert "<script" not in text and "<img" not in text and "<b>" not in text
    assert "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in text
    markdown = RENDERERS["markdown"].render(manifest)
    assert "<script>" not in markdown.replace("%3Cscript%3E", "")


def test_report_command(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["report", str(SEED), "--format", "csv"])
    assert result.exit_code == 0
    assert result.stdout_bytes == (GOLDEN / "seed.csv").read_bytes()
    target = tmp_path / "seed.csv"
    result = CliRunner().invoke(main, ["report", str(SEED), "--format", "csv", "-o", str(target)])
    # A CSV file starts with a byte-order mark so that spreadsheet programs read it as UTF-8.
    assert target.read_bytes() == b"\xef\xbb\xbf" + (GOLDEN / "seed.csv").read_bytes()
    with target.open(encoding="utf-8-sig", newline="") as stream:
        assert len(list(csv.DictReader(stream))) == 23
    target = tmp_path / "seed.html"
    result = CliRunner().invoke(main, ["report", str(SEED), "--format", "html", "-o", str(target)])
    assert result.exit_code == 0 and result.stdout == ""
    assert target.read_text().startswith("<!DOCTYPE html>")


def test_report_on_missing_or_corrupt_manifest(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["report", str(tmp_path / "none.json")])
    assert result.exit_code == 2 and "no such manifest" in result.stderr
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    result = CliRunner().invoke(main, ["report", str(bad)])
    assert result.exit_code == 2 and "corrupt manifest" in result.stderr
    assert bad.read_text() == "{"


def test_summary_counts_read_plainly_and_alike_in_every_output() -> None:
    from kzarchive.cli.views import run_summary

    manifest = load(SEED)
    text = RENDERERS["markdown"].render(manifest)
    page = RENDERERS["html"].render(manifest)
    preserved = "preserved: 17 of 21 links (a copy holds the page, or was not verified)"
    for said in (
        "citations: 23 (21 unique)",
        "checked: 9 alive, 3 redirected, 3 dead (link rot), 3 blocked to robots, "
        "3 could not be checked",
        preserved,
        "with a copy from when the document cited them: 9 of 21 links",
        "not preserved at all: 4 of 21 links",
    ):
        assert f"- {said}\n" in text
        assert f"<li>{said}</li>" in page
    sheets, _ = run_summary(manifest, ())
    labels = [row[0] for sheet in sheets for row in sheet.rows]
    assert "preserved (a copy holds the page, or was not verified)" in labels


def test_the_facts_labels_fit_their_column() -> None:
    page = RENDERERS["html"].render(load(SEED))
    assert ".facts dt{font-weight:600;font-size:.9rem;color:#424a53;white-space:nowrap}" in page
