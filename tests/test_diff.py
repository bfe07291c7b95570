"""``diff`` on hand-made manifest pairs: one kind of change each."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from click.testing import CliRunner

from kzarchive.cli import main
from kzarchive.diff import diff, newly_dead
from kzarchive.manifest import LinkRecord, Manifest, load
from kzarchive.models import ArchiveState, Check, Citation, Snapshot
from tests.conftest import FIXTURES

SEED = FIXTURES / "manifests" / "seed.json"


def with_link(manifest: Manifest, index: int, **changes: object) -> Manifest:
    links = list(manifest.links)
    links[index] = replace(links[index], **changes)  # type: ignore[arg-type]
    return replace(manifest, links=tuple(links))


def check(verdict: str, **kw: object) -> Check:
    return Check(verdict, f"{verdict}-reason", "2026-12-26T10:00:00Z", **kw)  # type: ignore[arg-type]


def kinds(old: Manifest, new: Manifest) -> list[tuple[str, str]]:
    return [(c.kind, c.url) for c in diff(old, new)]


def test_no_changes() -> None:
    assert diff(load(SEED), load(SEED)) == []


def test_died_and_came_back() -> None:
    old = load(SEED)
    alive, dead = old.links[0], old.links[1]
    new = with_link(old, 0, check=check("dead", http_status=404))
    new = with_link(new, 1, check=check("alive", http_status=200))
    changes = diff(old, new)
    assert [(c.kind, c.url, c.old, c.new) for c in changes] == [
        ("died", alive.url, "alive", "dead"),
        ("came-back", dead.url, "dead", "alive"),
    ]
    assert changes[0].footnotes == ("1",)
    assert newly_dead(changes)


def test_final_url_and_content_changed() -> None:
    old = load(SEED)
    first = old.links[0]
    assert first.check is not None
    moved = replace(first.check, final_url="https://elsewhere.example/", sha256="0" * 64)
    changes = kinds(old, with_link(old, 0, check=moved))
    assert changes == [("final-url-changed", first.url), ("content-changed", first.url)]


def test_snapshots_gained_lost_and_renewed() -> None:
    old = load(SEED)
    failed_index = 2  # archive state "failed": no snapshot
    snap = Snapshot("https://web.archive.org/web/20261201000000/x", "20261201000000")
    new = with_link(old, failed_index, archive=ArchiveState("saved", snap))
    new = with_link(new, 0, archive=None)
    new = with_link(new, 4, archive=ArchiveState("saved", snap))
    assert kinds(old, new) == [
        ("lost-snapshot", old.links[0].url),
        ("gained-snapshot", old.links[2].url),
        ("new-snapshot", old.links[4].url),
    ]
    assert not newly_dead(diff(old, new))


def test_citations_and_links_added_and_removed() -> None:
    old = load(SEED)
    added = Citation("20", "https://new.example/", 200)
    new = replace(
        old,
        citations=(*old.citations[1:], added),
        links=(*old.links[2:], LinkRecord("https://new.example/", ("20",), check=check("dead"))),
    )
    changes = kinds(old, new)
    assert ("link-added", "https://new.example/") in changes
    assert ("link-removed", old.links[0].url) in changes
    assert ("citation-added", "https://new.example/") in changes
    assert ("citation-removed", old.citations[0].url) in changes
    assert newly_dead(diff(old, new))  # a new citation of a dead link


def test_diff_command_json_and_exit_code(tmp_path: Path) -> None:
    old = load(SEED)
    new = with_link(old, 0, check=check("dead", http_status=410))
    old_path, new_path = tmp_path / "old.json", tmp_path / "new.json"
    old_path.write_text(json.dumps(old.to_json()))
    new_path.write_text(json.dumps(new.to_json()))
    result = CliRunner().invoke(main, ["diff", str(old_path), str(new_path), "--format", "json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["changes"][0]["kind"] == "died"
    assert "1 died" in result.stderr
    result = CliRunner().invoke(main, ["diff", str(old_path), str(old_path)])
    assert result.exit_code == 0 and "no changes" in result.stderr
    result = CliRunner().invoke(main, ["diff", str(new_path), str(old_path)])
    assert result.exit_code == 0 and "came-back" in result.stdout


def test_dead_to_redirected_is_came_back() -> None:
    old = load(SEED)
    dead = old.links[1]
    new = with_link(old, 1, check=check("redirected", http_status=200))
    assert kinds(old, new) == [("came-back", dead.url)]


def test_content_changes_only_for_pages_that_answered() -> None:
    old = load(SEED)
    first = old.links[0]
    assert first.check is not None
    # The page now answers 404 with another body: that is a death, not a content change.
    gone = replace(first.check, verdict="dead", reason="http-404", sha256="0" * 64)
    assert [k for k, _ in kinds(old, with_link(old, 0, check=gone))] == ["died"]


def test_every_field_of_every_kind_of_change() -> None:
    # One change of each kind on links with footnotes, compared whole: the kinds, the notes, the
    # values before and after, and the reasons.
    from kzarchive.diff import Change
    from kzarchive.models import Judgement

    old = load(SEED)
    links = old.links
    assert links[0].check and links[3].check and links[2].check and links[6].check
    assert links[0].archive and links[6].archive and links[4].archive and links[1].archive
    new = with_link(old, 0, check=replace(links[0].check, verdict="dead", reason="http-404"))
    new = with_link(new, 2, check=replace(links[2].check, verdict="error", reason="timeout"))
    moved = replace(links[3].check, final_url="https://elsewhere.example/", sha256="0" * 64)
    new = with_link(new, 3, check=moved)
    gone = links[6].archive
    assert gone.snapshot is not None
    walled = replace(
        gone.snapshot, judgement=Judgement("login-wall", "the capture is a login page", "t")
    )
    new = with_link(new, 6, archive=replace(gone, snapshot=walled, drift=0.9))
    new = with_link(new, 4, archive=replace(links[4].archive, snapshot=None))
    fresh = Snapshot("https://web.archive.org/web/20270101000000/x", "20270101000000")
    new = with_link(new, 1, archive=replace(links[1].archive, snapshot=fresh))
    found = {(c.kind, c.url): c for c in diff(old, new)}
    u = [link.url for link in links]
    expected = [
        Change("died", u[0], ("1",), "alive", "dead", "http-200", "http-404"),
        Change("verdict-changed", u[2], ("3",), "blocked", "error", "login-wall", "timeout"),
        Change(
            "final-url-changed",
            u[3],
            ("4", "10"),
            links[3].check.final_url,
            "https://elsewhere.example/",
        ),
        Change("content-changed", u[3], ("4", "10"), links[3].check.sha256, "0" * 64),
        Change(
            "copy-not-holding",
            u[6],
            ("6",),
            walled.url,
            "login-wall",
            None,
            "the capture is a login page",
        ),
        Change("not-preserved", u[6], ("6",)),
        Change("drifted", u[6], ("6",), None, "90%"),
        Change("lost-snapshot", u[4], ("5",), links[4].archive.snapshot.url, None),  # type: ignore[union-attr]
        Change("new-snapshot", u[1], ("2",), links[1].archive.snapshot.url, fresh.url),  # type: ignore[union-attr]
    ]
    for change in expected:
        assert found[(change.kind, change.url)] == change
    assert found[("died", u[0])].to_json() == {
        "kind": "died",
        "url": u[0],
        "footnotes": ["1"],
        "old": "alive",
        "new": "dead",
        "old_reason": "http-200",
        "new_reason": "http-404",
    }
    # A link added dead and a link removed carry their verdicts and reasons too.
    fewer = Manifest(old.document, old.citations, (*links[:1],))
    added = {(c.kind, c.url): c for c in diff(fewer, old)}
    assert added[("link-added", u[1])] == Change(
        "link-added", u[1], ("2",), None, "dead", None, "http-404"
    )
    removed = {(c.kind, c.url): c for c in diff(old, fewer)}
    assert removed[("link-removed", u[1])] == Change(
        "link-removed", u[1], ("2",), "dead", None, "http-404"
    )


def test_each_change_is_told_exactly() -> None:
    # Small manifests built for the purpose: every branch whose outcome a reader relies on.
    from kzarchive.diff import Change
    from kzarchive.models import Judgement

    def snap(ts: str, verdict: str | None = None) -> Snapshot:
        judged = Judgement(verdict, f"{verdict} reason", "t") if verdict else None  # type: ignore[arg-type]
        return Snapshot(f"https://web.archive.org/web/{ts}/x", ts, 200, judgement=judged)

    def manifest(*records: LinkRecord, citations: tuple[Citation, ...] = ()) -> Manifest:
        return Manifest({"path": "r.md"}, citations, records)

    def one(old: LinkRecord, new: LinkRecord) -> list[Change]:
        return diff(manifest(old), manifest(new))

    url = "https://a.org/"
    # dead -> error is a change of verdict, not a return; blocked -> alive neither
    assert [
        c.kind
        for c in one(LinkRecord(url, check=check("dead")), LinkRecord(url, check=check("error")))
    ] == ["verdict-changed"]
    assert [
        c.kind
        for c in one(LinkRecord(url, check=check("blocked")), LinkRecord(url, check=check("alive")))
    ] == ["verdict-changed"]
    # notes from the new reading, else the old one
    died = one(
        LinkRecord(url, (), check=check("alive")), LinkRecord(url, ("3",), check=check("dead"))
    )
    assert died == [Change("died", url, ("3",), "alive", "dead", "alive-reason", "dead-reason")]
    kept = one(
        LinkRecord(url, ("4",), check=check("alive")), LinkRecord(url, (), check=check("dead"))
    )
    assert kept[0].footnotes == ("4",)
    # a check on one side only compares nothing
    assert (
        one(LinkRecord(url), LinkRecord(url, check=check("alive", final_url=url, sha256="1" * 64)))
        == []
    )
    # a link added unchecked, and its reason
    added = diff(manifest(), manifest(LinkRecord(url, ("1",))))
    assert added == [Change("link-added", url, ("1",), None, None, None, None)]
    assert not newly_dead(added)
    assert not newly_dead([Change("link-added", url, (), None, "alive")])
    assert newly_dead([Change("link-added", url, (), None, "dead")])
    # snapshots gained, with the notes and the new snapshot
    gained = one(
        LinkRecord(url, ("2",)), LinkRecord(url, ("2",), archive=ArchiveState("saved", snap("1")))
    )
    assert gained == [Change("gained-snapshot", url, ("2",), None, snap("1").url)]
    lost = one(
        LinkRecord(url, ("2",), archive=ArchiveState("saved", snap("1"))),
        LinkRecord(url, ("2",), archive=ArchiveState("failed")),
    )
    assert lost == [
        Change("not-preserved", url, ("2",)),
        Change("lost-snapshot", url, ("2",), snap("1").url, None),
    ]
    # a copy already known not to hold the page is not news; a copy that holds it never is
    walled = ArchiveState("existing", snap("1", "login-wall"))
    assert [
        c.kind for c in one(LinkRecord(url, archive=walled), LinkRecord(url, archive=walled))
    ] == []
    new_wall = one(LinkRecord(url), LinkRecord(url, archive=walled))
    assert [c.kind for c in new_wall] == ["copy-not-holding", "gained-snapshot"]
    assert new_wall[0] == Change(
        "copy-not-holding", url, (), snap("1").url, "login-wall", None, "login-wall reason"
    )
    good = ArchiveState("existing", snap("1", "content"))
    assert one(LinkRecord(url, archive=good), LinkRecord(url, archive=good)) == []
    assert [c.kind for c in one(LinkRecord(url), LinkRecord(url, archive=good))] == [
        "gained-snapshot"
    ]
    # drift: from nothing to exactly the threshold is news; from the threshold up is not
    drifting = ArchiveState("existing", snap("1"), drift=0.5)
    assert [
        c for c in one(LinkRecord(url), LinkRecord(url, archive=drifting)) if c.kind == "drifted"
    ] == [Change("drifted", url, (), None, "50%")]
    more = ArchiveState("existing", snap("1"), drift=0.9)
    assert [
        c.kind for c in one(LinkRecord(url, archive=drifting), LinkRecord(url, archive=more))
    ] == []
    # citations added and removed, with their note or none
    cited = (Citation("7", url, 1), Citation(None, "https://b.org/", 2))
    record = LinkRecord(url)
    changes = diff(manifest(record), manifest(record, citations=cited))
    assert changes == [
        Change("citation-added", url, ("7",)),
        Change("citation-added", "https://b.org/", ()),
    ]
    changes = diff(manifest(record, citations=cited), manifest(record))
    assert changes == [
        Change("citation-removed", url, ("7",)),
        Change("citation-removed", "https://b.org/", ()),
    ]


def _diff_cli(tmp_path: Path, old: Manifest, new: Manifest) -> tuple[int, str]:
    from kzarchive.manifest import save

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    save(old, tmp_path / "a" / "manifest.json")
    save(new, tmp_path / "b" / "manifest.json")
    result = CliRunner().invoke(main, ["diff", str(tmp_path / "a"), str(tmp_path / "b")])
    return result.exit_code, result.stderr


def test_two_documents_manifests_are_said_to_be_of_different_documents(tmp_path: Path) -> None:
    seed = load(SEED)
    other = replace(seed, document={**seed.document, "path": "other.md", "sha256": "9" * 64})
    code, stderr = _diff_cli(tmp_path, seed, other)
    assert code == 0
    assert "the two manifests are of different documents (sources.txt and other.md)" in stderr


def test_two_versions_of_one_document_are_compared_without_a_word(tmp_path: Path) -> None:
    seed = load(SEED)
    lineage = [seed.document["sha256"], "9" * 64]
    edited = replace(seed, document={**seed.document, "sha256": "9" * 64, "lineage": lineage})
    _, stderr = _diff_cli(tmp_path, seed, edited)
    assert "different documents" not in stderr
