"""The manifest: merging a new reading of the document, loading, and writing atomically."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from kzarchive.errors import ManifestError
from kzarchive.evidence import Evidence, MediaFile
from kzarchive.manifest import (
    SCHEMA_VERSION,
    HistoryEntry,
    LinkRecord,
    Manifest,
    load,
    merge,
    same_document,
    save,
    schema_text,
    write_atomic,
)
from kzarchive.models import ArchiveState, Check, Citation, Judgement, Snapshot


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
                evidence=Evidence(
                    captured_at="2026-11-26T10:00:00.123456Z",
                    warc="evidence/warc/kzarchive-20261126T100000Z.warc.gz",
                    record_id="<urn:uuid:e8617c44-bccd-4c18-9a63-68f953a89d1e>",
                    offset=398,
                    url="https://a.org/",
                    http_status=404,
                    sha256="b" * 64,
                    size=381,
                    truncated="time",
                    hops=1,
                    requisites=3,
                    requisite_bytes=2048,
                    media=(MediaFile("media/a/v.mp4", "c" * 64, 1493),),
                    media_error="login required: …",
                ),
            ),
            LinkRecord("https://b.org/", (), cited=False, evidence=Evidence(error="offline")),
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


def test_the_summary_counts_every_kind_of_link() -> None:
    def snap(ts: str, verdict: str | None = None) -> Snapshot:
        judged = Judgement(verdict, "r", "t") if verdict else None  # type: ignore[arg-type]
        return Snapshot(f"https://web.archive.org/web/{ts}/x", ts, 200, judgement=judged)

    records = (
        LinkRecord(
            "https://a/1", ("2",), check=check("dead"), archive=ArchiveState("saved", snap("1"))
        ),
        LinkRecord(
            "https://a/2",
            ("10",),
            check=check("dead"),
            archive=ArchiveState("existing", snap("2", "login-wall")),
        ),
        LinkRecord(
            "https://a/3",
            ("b",),
            check=check("dead"),
            archive=ArchiveState("existing", None, snap("3", "content")),
        ),
        LinkRecord(
            "https://a/4", ("2", "c"), check=check("blocked"), archive=ArchiveState("pending")
        ),
        LinkRecord(
            "https://a/5", ("3",), check=check("alive"), archive=ArchiveState("failed", drift=0.5)
        ),
        LinkRecord(
            "https://a/6",
            ("3",),
            check=check("alive"),
            archive=ArchiveState("failed", snap("6"), drift=0.49),
        ),
        LinkRecord(
            "https://a/7", ("4",), check=check("excluded"), archive=ArchiveState("excluded")
        ),
        LinkRecord(
            "https://a/8",
            ("4",),
            check=None,
            archive=ArchiveState("skipped", error="private-address"),
        ),
        LinkRecord("https://a/9", ("5",), check=check("error"), archive=None),
        LinkRecord(
            "https://a/10", ("9",), cited=False, check=check("dead"), archive=ArchiveState("saved")
        ),
    )
    citations = tuple(Citation(r.footnotes[0], r.url, 1) for r in records)
    manifest = Manifest({"path": "r.md"}, citations, records)
    summary = manifest.summary()
    assert summary.to_json() == {
        "citations": 10,
        "links": 9,
        "alive": 2,
        "redirected": 0,
        "dead": 3,
        "blocked": 1,
        "error": 1,
        "excluded": 1,
        "unchecked": 1,
        "archived": 3,  # 1 (not judged), 3 (as cited holds the page), 6 (not judged)
        "saved": 1,
        "existing": 2,
        "pending": 1,
        "failed": 2,
        "as_cited_snapshots": 1,
        "withheld": 2,
        "not_holding": 1,
        "drifted": 1,
        "missing_snapshots": 4,  # 2 (a login wall only), 4, 5, 9
        "dead_footnotes": ["2", "10", "b"],
        "no_longer_cited": 1,
    }
    assert summary.count("dead") == 3 and summary.count("nonsense") == 0
    assert manifest.to_json()["summary"] == summary.to_json()


def test_dead_footnotes_are_in_note_order() -> None:
    labels = ["10", "2", "b", "a", "1"]
    records = tuple(
        LinkRecord(f"https://a/{n}", (label,), check=check("dead"))
        for n, label in enumerate(labels)
    )
    manifest = Manifest({"path": "r.md"}, (), records)
    assert manifest.summary().dead_footnotes == ("1", "2", "10", "a", "b")


@pytest.mark.parametrize(
    ("old", "new", "same"),
    [
        ({"path": "a.md", "sha256": "1" * 64}, {"path": "b.md", "sha256": "1" * 64}, True),
        ({"path": "a.md", "sha256": "1" * 64}, {"path": "a.md", "sha256": "2" * 64}, True),
        ({"path": "a.md", "sha256": "1" * 64}, {"path": "b.md", "sha256": "2" * 64}, False),
        ({"path": "a.md"}, {"path": "b.md"}, False),
        ({"sha256": None}, {"path": "b.md"}, True),  # an old manifest that did not say
        ({"path": "a.md"}, {}, True),
        ({"path": "dir/../a.md"}, {"path": "a.md"}, True),
        ({"path": "a.md", "sha256": None}, {"path": "b.md", "sha256": None}, False),
    ],
)
def test_same_document(old: dict[str, object], new: dict[str, object], same: bool) -> None:
    assert same_document(old, new) is same


def test_saving_keeps_the_file_mode_and_makes_folders(tmp_path: Path) -> None:
    path = tmp_path / "new" / "deeper" / "m.json"
    manifest = Manifest({"path": "r.md"})
    old = os.umask(0o027)
    try:
        save(manifest, path)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640  # 0o666 under the umask
    path.chmod(0o444)
    save(manifest, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    assert [p.name for p in path.parent.iterdir()] == ["m.json"]
    assert json.loads(path.read_text(encoding="utf-8"))["schema_version"] == SCHEMA_VERSION


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "m.json"
    path.write_text("old")

    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError, match="No space"):
        write_atomic(path, "new é")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]
    monkeypatch.undo()
    write_atomic(path, "new é")
    assert path.read_bytes() == "new é".encode()


def test_history_entries_and_records_read_with_their_defaults() -> None:
    record = LinkRecord.from_json(
        {
            "url": "https://a.org/",
            "history": [
                {},
                {"checked_at": "t", "verdict": "dead", "reason": "r", "http_status": 404},
            ],
        }
    )
    assert record.cited is True and record.footnotes == () and record.evidence is None
    assert [(h.checked_at, h.verdict, h.reason, h.http_status) for h in record.history] == [
        ("", "", "", None),
        ("t", "dead", "r", 404),
    ]
    assert LinkRecord.from_json({"url": "x", "cited": False}).cited is False
    assert HistoryEntry.of(check("dead")).http_status == 200


def test_a_second_look_replaces_the_runs_entry() -> None:
    record = LinkRecord("https://a.org/").with_check(check("error"))
    record = record.with_check(check("alive"), again=True)
    assert [h.verdict for h in record.history] == ["alive"]
    record = record.with_check(check("dead"))
    assert [h.verdict for h in record.history] == ["alive", "dead"]
    again = record.with_check(check("alive"), again=True)
    assert [h.verdict for h in again.history] == ["alive", "alive"]
    assert [h.verdict for h in LinkRecord("x").with_check(check(), again=True).history] == ["alive"]


def test_the_published_schema_is_the_one_checked() -> None:
    schema = json.loads(schema_text())
    assert schema["properties"]["schema_version"] == {"const": SCHEMA_VERSION}
    assert "evidence" in schema["$defs"]


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: None, "no such manifest (run 'kzarchive run' first)"),
        (lambda p: p.mkdir(), "cannot read"),
        (lambda p: p.write_bytes(b"\xff\xfe{"), "cannot read"),
        (lambda p: p.write_text("[1"), "corrupt manifest (not JSON"),
        (lambda p: p.write_text("[]"), "m.json: not a kzarchive manifest"),
    ],
)
def test_load_names_the_file_and_the_trouble(tmp_path: Path, setup: Any, message: str) -> None:
    path = tmp_path / "m.json"
    setup(path)
    with pytest.raises(ManifestError) as raised:
        load(path)
    assert str(raised.value).startswith(str(path)) and message in str(raised.value)


def test_from_json_names_its_source() -> None:
    with pytest.raises(ManifestError, match=r"^manifest: not a kzarchive manifest"):
        Manifest.from_json({})
    with pytest.raises(ManifestError, match=r"^given: not a kzarchive manifest"):
        Manifest.from_json({"x": 1}, "given")


def test_an_empty_manifest_sums_to_zero() -> None:
    summary = Manifest({"path": "r.md"}).summary().to_json()
    assert {k: v for k, v in summary.items() if k != "dead_footnotes"} == dict.fromkeys(
        [k for k in summary if k != "dead_footnotes"], 0
    )


def test_the_tool_that_wrote_it_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    save(Manifest({"path": "r.md"}, tool={"name": "kzarchive", "version": "0.0.9"}), path)
    assert load(path).tool == {"name": "kzarchive", "version": "0.0.9"}


def test_a_version_1_manifest_with_a_broken_link_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text(
        '{"schema_version": 1, "document": {"path": "r.md"}, "citations": [], "links": [1]}'
    )
    with pytest.raises(ManifestError, match=r"\$\.links\[0\]: 1 is not of type 'object'"):
        load(path)


def test_a_new_file_gets_the_umask_mode(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        save(Manifest({"path": "r.md"}), tmp_path / "m.json")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "m.json").stat().st_mode) == 0o666


def test_the_write_goes_through_a_hidden_temporary_beside_the_file_and_is_synced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    replaced: list[tuple[str, str]] = []
    synced: list[bool] = []
    real_replace, real_fsync = os.replace, os.fsync

    def replace_(src: str, dst: str) -> None:
        replaced.append((str(src), str(dst)))
        real_replace(src, dst)

    def fsync(fd: int) -> None:
        synced.append(stat.S_ISDIR(os.fstat(fd).st_mode))
        real_fsync(fd)

    monkeypatch.setattr(os, "replace", replace_)
    monkeypatch.setattr(os, "fsync", fsync)
    path = tmp_path / "m.json"
    save(Manifest({"path": "r.md"}), path)
    [(src, dst)] = replaced
    assert Path(src).parent == tmp_path and dst == str(path)
    assert Path(src).name.startswith(".m.json.") and src.endswith(".tmp")
    assert synced == [False, True]  # the file, then its folder


def test_the_file_is_indented_utf8_for_people(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    save(Manifest({"path": "r.md"}, (Citation("1", "https://a.org/", 1, "Алматы, café"),)), path)
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[1] == '  "schema_version": 2,' and text.endswith("}\n")
    assert "Алматы, café" in text
