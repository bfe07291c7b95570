"""The manifest: merging a new reading of the document, loading, and writing atomically."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kzarchive.errors import ManifestError
from kzarchive.manifest import LinkRecord, Manifest, load, merge, save
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
    assert new.summary()["links"] == 2 and new.summary()["no_longer_cited"] == 1


def test_round_trip(tmp_path: Path) -> None:
    manifest = merge(
        None,
        {"path": "r.md", "cited_on": "2019-02-22"},
        [Citation("1", "https://a.org/", 3, "ctx")],
    )
    path = tmp_path / "m.json"
    save(manifest, path)
    assert load(path) == Manifest.from_json(json.loads(path.read_text()))
    assert load(path).citations == manifest.citations
    assert not list(tmp_path.glob(".m.json.*"))  # no temporary file left behind


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "corrupt manifest"),
        ("[]", "not a kzarchive manifest"),
        ('{"schema_version": 2}', "schema version 2"),
        ('{"schema_version": 1, "links": [{"nourl": 1}]}', "malformed manifest"),
        (
            '{"schema_version": 1, "links": [{"url": "x", "check": {"verdict": "fine"}}]}',
            "malformed",
        ),
    ],
)
def test_bad_manifests_are_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "m.json"
    path.write_text(text)
    with pytest.raises(ManifestError, match=message):
        load(path)
    assert path.read_text() == text
