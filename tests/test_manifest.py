"""The manifest: merging a new reading of the document, loading, and writing atomically."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from kzarchive.errors import ManifestError
from kzarchive.manifest import SCHEMA_VERSION, LinkRecord, Manifest, load, merge, save
from kzarchive.models import ArchiveState, Check, Citation, Snapshot


def check(verdict: str = "alive") -> Check:
    return Check(verdict, "http-200", "2026-11-26T10:00:00Z", 200)  # type: ignore[arg-type]


def test_merge_keeps_what_was_known_and_marks_dropped_links() -> None:
    snapshot = Snapshot(
        "https://web.archive.org/web/20260101000000/https://a.org/", "20260101000000"
    )
    old = merge(
        None,
        {"path": "r.md"},
        [Citation("1", "https://a.org/", 3), Citation("2", "https://b.org/", 4)],
    )
    old = Manifest(
        old.document,
        old.citations,
        (
            LinkRecord("https://a.org/", ("1",)).with_check(check()),
            LinkRecord("https://b.org/", ("2",), archive=ArchiveState("existing", snapshot)),
        ),
    )
    new = merge(
        old,
        {"path": "r.md"},
        [Citation("7", "https://a.org/", 9), Citation("8", "https://c.org/", 10)],
    )
    assert [(r.url, r.footnotes, r.cited) for r in new.links] == [
        ("https://a.org/", ("7",), True),
        ("https://c.org/", ("8",), True),
        ("https://b.org/", ("2",), False),
    ]
    assert new.links[0].check == check() and len(new.links[0].history) == 1
    assert new.links[2].archive is not None and new.links[2].archive.snapshot == snapshot
    assert new.summary().links == 2 and new.summary().no_longer_cited == 1


def test_round_trip_keeps_the_whole_manifest(tmp_path: Path) -> None:
    # Every kind of field filled in: what is saved must come back equal, field for field.
    snapshot = Snapshot(
        "https://web.archive.org/web/20190220083000/https://a.org/", "20190220083000", 200
    )
    saved = Snapshot(
        "https://web.archive.org/web/20261126100500/https://a.org/", "20261126100500", 200, "saved"
    )
    manifest = merge(
        None,
        {"path": "r.md", "sha256": "a" * 64, "cited_on": "2019-02-22", "cited_on_source": "option"},
        [Citation("1", "https://a.org/", 3, "ctx"), Citation(None, "https://b.org/", 5)],
    )
    manifest = Manifest(
        manifest.document,
        manifest.citations,
        (
            replace(
                LinkRecord("https://a.org/", ("1",)).with_check(check()).with_check(check("dead")),
                archive=ArchiveState(
                    "saved",
                    saved,
                    snapshot,
                    job_id="spn2-x",
                    error=None,
                    attempts=2,
                    updated_at="2026-11-26T10:00:00Z",
                    submitted_at="2026-11-26T09:59:00Z",
                    notes=("look-up failed: cdx-error: HTTP 503",),
                ),
            ),
            LinkRecord("https://b.org/", (), cited=False),
        ),
        generated_at="2026-11-26T10:00:00Z",
    )
    path = tmp_path / "m.json"
    save(manifest, path)
    loaded = load(path)
    assert loaded == manifest
    assert loaded.to_json() == manifest.to_json()
    assert not list(tmp_path.glob(".m.json.*"))  # no temporary file left behind


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "corrupt manifest"),
        ("[]", "not a kzarchive manifest"),
        ('{"schema_version": 3}', "schema version 3"),
        ('{"schema_version": 1}', "not a valid manifest: $: 'document' is a required property"),
        (
            '{"schema_version": 1, "document": {"path": "r.md"}, "citations": [], '
            '"links": [{"nourl": 1}]}',
            "not a valid manifest: $.links[0]: 'url' is a required property",
        ),
        (
            '{"schema_version": 1, "document": {"path": "r.md"}, "citations": [], "links": '
            '[{"url": "x", "check": {"verdict": "fine", "reason": "x", "checked_at": "t"}}]}',
            "$.links[0].check.verdict: 'fine' is not one of",
        ),
        (
            '{"schema_version": 1, "document": {"path": "r.md"}, "citations": "nope", "links": []}',
            "$.citations: 'nope' is not of type 'array'",
        ),
    ],
    ids=["not-json", "not-an-object", "too-new", "bare", "no-url", "bad-verdict", "bad-type"],
)
def test_bad_manifests_are_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "m.json"
    path.write_text(text)
    with pytest.raises(ManifestError) as raised:
        load(path)
    assert message in str(raised.value) and "\n" not in str(raised.value)
    assert path.read_text() == text


def test_an_older_schema_version_is_refused_not_read_as_current(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text(
        '{"schema_version": 0, "document": {"path": "r.md"}, "citations": [], "links": []}'
    )
    with pytest.raises(ManifestError, match="schema version 0"):
        load(path)


FIXTURES = Path(__file__).parent / "fixtures" / "manifests"


def test_a_version_1_manifest_is_upgraded_not_broken(tmp_path: Path) -> None:
    # Written by kzarchive 0.1.0 at commit 9e17f25 (schema version 1), offline, on sources.txt.
    old = FIXTURES / "v1-offline-run.json"
    path = tmp_path / "manifest.json"
    path.write_bytes(old.read_bytes())
    data = json.loads(old.read_text())
    manifest = load(path)
    assert path.read_bytes() == old.read_bytes()  # reading never rewrites
    assert [r.url for r in manifest.links] == [link["url"] for link in data["links"]]
    assert all(r.evidence is None for r in manifest.links)
    assert [r.check.verdict for r in manifest.links if r.check] == ["error"] * 21
    upgraded = manifest.to_json()
    assert upgraded["schema_version"] == SCHEMA_VERSION == 2
    for before, after in zip(data["links"], upgraded["links"], strict=True):
        assert after == {**before, "evidence": None}
    assert upgraded["citations"] == data["citations"]
    save(manifest, path)
    assert load(path).to_json() == upgraded


def test_a_version_1_manifest_may_not_claim_evidence(tmp_path: Path) -> None:
    data = json.loads((FIXTURES / "v1-offline-run.json").read_text())
    data["links"][0]["evidence"] = {"sha256": "0" * 64, "warc": "x.warc.gz", "record_id": "x"}
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(data))
    assert load(path).links[0].evidence is None


def test_a_link_cited_again_after_being_dropped_is_cited() -> None:
    first = merge(None, {"path": "r.md"}, [Citation("1", "https://a.org/", 1)])
    dropped = merge(first, {"path": "r.md"}, [Citation("1", "https://b.org/", 1)])
    assert [(r.url, r.cited) for r in dropped.links] == [
        ("https://b.org/", True),
        ("https://a.org/", False),
    ]
    again = merge(dropped, {"path": "r.md"}, [Citation("1", "https://a.org/", 1)])
    assert [(r.url, r.cited) for r in again.links] == [
        ("https://a.org/", True),
        ("https://b.org/", False),
    ]
