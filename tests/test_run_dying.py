"""A link that failed once is dying, not dead, in every per-document output of ``run`` (the
end-of-run tables, manifest.json, manifest.csv, citations.md, report.html, ``report`` and
``cite``), alone or in a library; with ``--confirm-now`` the same outputs say dead."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from kzarchive.manifest import schema_error
from tests.servers.base import RunningServer
from tests.servers.fake_wayback import FakeState
from tests.test_cli_library import invoke, servers

__all__ = ["servers"]  # the fixture


def report(folder: Path, name: str, base: str) -> Path:
    """A report whose footnote 2 cites only a page that answers 404 (no copy anywhere)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(
        f"# Report\n\n22 February 2019\n\nClaims.[^1][^2]\n\n"
        f"[^1]: {base}/page/1\n[^2]: {base}/gone404\n"
    )
    return path


def outputs(wayback: RunningServer, folder: Path) -> dict[str, str]:
    """Every per-document output of ``folder``, as written by the run and by the commands."""
    found = {name: (folder / name).read_text("utf-8-sig") for name in ("manifest.csv",)}
    found |= {name: (folder / name).read_text() for name in ("citations.md", "report.html")}
    for fmt in ("csv", "markdown", "html", "json"):
        code, stdout, stderr = invoke(wayback, "report", str(folder), "--format", fmt)
        assert code == 0, stderr
        found[f"report {fmt}"] = stdout
    for fmt in ("wikipedia", "csl-json", "biblatex"):
        code, stdout, stderr = invoke(wayback, "cite", str(folder), "--format", fmt)
        assert code == 0, stderr
        found[f"cite {fmt}"] = stdout
    return found


def verdict_of(sheet: str, url: str) -> str:
    return next(r["verdict"] for r in csv.DictReader(io.StringIO(sheet)) if r["url"] == url)


def assert_dying(wayback: RunningServer, folder: Path, gone: str) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    assert schema_error(manifest) is None
    check = next(r["check"] for r in manifest["links"] if r["url"] == gone)
    assert check["verdict"] == "dead"  # the look itself
    assert check["rot"]["state"] == "dying" and check["rot"]["failed_checks"] == 1
    assert check["rot"]["needed"] == 3
    assert check["rot"]["detail"].startswith("1 of 3 failed checks; the next counts from ")
    alive = next(r["check"] for r in manifest["links"] if r["url"] != gone)
    assert alive["rot"]["state"] == "alive"
    summary = manifest["summary"]
    assert (summary["dead"], summary["dying"], summary["dead_footnotes"]) == (0, 1, [])
    found = outputs(wayback, folder)
    assert verdict_of(found["manifest.csv"], gone) == "dying"
    assert verdict_of(found["report csv"], gone) == "dying"
    for name in ("citations.md", "report markdown"):
        assert f"<{gone}> — **dying** (http-404" in found[name], name
        assert "1 of 3 failed checks" in found[name]
        assert "0 dead (link rot), 1 dying (failed, not yet confirmed dead)" in found[name]
        assert "lost every source" not in found[name]
        assert (
            "- footnotes every source of which is dying (not yet confirmed): footnote 2\n"
            in found[name]
        )
    for name in ("report.html", "report html"):
        assert ">dying</span>" in found[name] and ">dead</span>" not in found[name]
        assert "lost every source" not in found[name]
    assert json.loads(found["report json"])["summary"]["dying"] == 1
    assert "{{dead link" not in found["cite wikipedia"]
    assert "url-status=dead" not in found["cite wikipedia"]
    assert "link dead" not in found["cite csl-json"]
    assert "Link dead" not in found["cite biblatex"]


def assert_dead(wayback: RunningServer, folder: Path, gone: str) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    check = next(r["check"] for r in manifest["links"] if r["url"] == gone)
    assert check["rot"]["state"] == "dead" and check["rot"]["needed"] == 1
    assert manifest["summary"]["dead"] == 1 and manifest["summary"]["dead_footnotes"] == ["2"]
    assert "dying" not in manifest["summary"]
    found = outputs(wayback, folder)
    assert verdict_of(found["manifest.csv"], gone) == "dead"
    for name in ("citations.md", "report markdown"):
        assert f"<{gone}> — **dead** (http-404" in found[name]
        assert "footnotes that lost every source: footnote 2" in found[name]
        assert "is dying" not in found[name]
    assert ">dead</span>" in found["report.html"] and ">dying</span>" not in found["report.html"]
    assert "{{dead link |date=" in found["cite wikipedia"]
    assert "link dead" in found["cite csl-json"] and "Link dead" in found["cite biblatex"]


def test_one_document_run_tells_a_dying_link_from_a_dead_one(
    servers: tuple[RunningServer, RunningServer, FakeState], tmp_path: Path
) -> None:
    web, wayback, _ = servers
    doc = report(tmp_path / "docs", "alpha.md", web.base)
    gone = f"{web.base}/gone404"
    out = tmp_path / "out"
    code, stdout, stderr = invoke(
        wayback, "run", str(doc), "--out", str(out), "--format", "markdown"
    )
    assert code == 1, stderr  # the dying link has no copy at all (README "Exit codes")
    assert "| dead | 0 |" in stdout and "| dying | 1 |" in stdout  # run --format, for CI
    assert "## Dying (1)" in stdout and "## Dead" not in stdout
    assert "dying links by footnote" in stderr and "dead links by footnote" not in stderr
    rows = {w[0]: w[1] for line in stderr.splitlines() if len(w := line.split()) == 2}
    assert (rows["dead"], rows["dying"]) == ("0", "1")
    assert "0 confirmed dead, 1 dying" in stderr
    assert "check: 2/2 (1 alive, 1 dying) done" in stderr  # progress too
    assert_dying(wayback, out, gone)

    now = tmp_path / "now"
    code, _, stderr = invoke(wayback, "run", str(doc), "--out", str(now), "--confirm-now")
    assert code == 1, stderr
    assert "dead links by footnote" in stderr and "dying links by footnote" not in stderr
    assert "1 confirmed dead, 0 dying" in stderr
    assert "check: 2/2 (1 alive, 1 dead) done" in stderr
    assert_dead(wayback, now, gone)


def test_a_library_run_writes_dying_into_each_document(
    servers: tuple[RunningServer, RunningServer, FakeState], tmp_path: Path
) -> None:
    web, wayback, _ = servers
    docs = tmp_path / "reports"
    report(docs, "alpha.md", web.base)
    report(docs, "beta.md", web.base)
    gone = f"{web.base}/gone404"
    out = tmp_path / "out"
    code, _, stderr = invoke(wayback, "run", str(docs), "--out", str(out))
    assert code == 1, stderr
    for name in ("alpha", "beta"):  # beta's links were worked on in alpha's run
        assert_dying(wayback, out / name, gone)
    out_now = tmp_path / "now"
    code, _, stderr = invoke(wayback, "run", str(docs), "--out", str(out_now), "--confirm-now")
    assert code == 1, stderr
    for name in ("alpha", "beta"):
        assert_dead(wayback, out_now / name, gone)


def test_a_manifest_without_rot_states_keeps_the_one_look_dead(
    servers: tuple[RunningServer, RunningServer, FakeState], tmp_path: Path
) -> None:
    """A manifest written before the store (no ``rot`` on its checks) is read as it was."""
    web, wayback, _ = servers
    doc = report(tmp_path / "docs", "alpha.md", web.base)
    out = tmp_path / "out"
    code, _, stderr = invoke(wayback, "run", str(doc), "--out", str(out))
    assert code == 1, stderr
    manifest = json.loads((out / "manifest.json").read_text())
    for link in manifest["links"]:
        del link["check"]["rot"]
    del manifest["summary"]["dying"]
    assert schema_error(manifest) is None
    (out / "manifest.json").write_text(json.dumps(manifest))
    code, stdout, stderr = invoke(wayback, "report", str(out), "--format", "markdown")
    assert code == 0, stderr
    assert f"<{web.base}/gone404> — **dead** (http-404)" in stdout
    assert "footnotes that lost every source: footnote 2" in stdout


def test_diff_says_died_only_when_the_death_is_confirmed() -> None:
    from kzarchive.diff import diff, newly_dead
    from kzarchive.manifest import LinkRecord, Manifest
    from kzarchive.models import Check, Citation, Rot

    url = "https://example.org/gone"

    def manifest(verdict: str, rot: Rot | None) -> Manifest:
        check = Check(verdict, "http-404", "2026-12-05T00:00:00Z", rot=rot)  # type: ignore[arg-type]
        return Manifest(
            {"path": "r.md"}, (Citation("1", url, 1),), (LinkRecord(url, ("1",), check=check),)
        )

    alive = manifest("alive", Rot("alive", 0, 3, "answered"))
    dying = manifest("dead", Rot("dying", 1, 3, "1 of 3 failed checks"))
    dead = manifest("dead", Rot("dead", 3, 3, "confirmed by 3 failed checks"))
    failing = diff(alive, dying)
    assert [(c.kind, c.old, c.new) for c in failing] == [("verdict-changed", "alive", "dying")]
    assert not newly_dead(failing)
    confirmed = diff(dying, dead)
    assert [(c.kind, c.old, c.new) for c in confirmed] == [("died", "dying", "dead")]
    assert newly_dead(confirmed)
    assert [c.kind for c in diff(dying, alive)] == ["came-back"]


def test_junit_skips_a_dying_link_and_fails_a_dead_one() -> None:
    from kzarchive.models import Check, Rot
    from kzarchive.reporters import REPORTERS, LinkResult, Results

    def link(url: str, rot: Rot) -> LinkResult:
        return LinkResult(url, ("1",), Check("dead", "http-404", "2026-12-05T00:00:00Z", rot=rot))

    xml = REPORTERS["junit"].render(
        Results(
            "r.md",
            (
                link("https://a.org/", Rot("dying", 1, 3, "1 of 3 failed checks")),
                link("https://b.org/", Rot("dead", 3, 3, "confirmed by 3 failed checks")),
            ),
        )
    )
    assert 'failures="1"' in xml and 'skipped="1"' in xml
    assert 'type="dying" message="failed, not yet confirmed dead: http-404; 1 of 3' in xml


def test_a_recheck_updates_every_document_that_cites_a_link_it_confirmed(
    servers: tuple[RunningServer, RunningServer, FakeState], tmp_path: Path
) -> None:
    """The link is checked once, in the first document's run; the other document citing it
    gets its outputs written again all the same, so no folder still calls it dying."""
    import time

    web, wayback, _ = servers
    docs = tmp_path / "reports"
    report(docs, "alpha.md", web.base)
    report(docs, "beta.md", web.base)
    gone = f"{web.base}/gone404"
    out = tmp_path / "out"
    rules = ("--confirm-after", "2", "--confirm-apart", "1")
    code, _, stderr = invoke(wayback, "run", str(docs), "--out", str(out), *rules)
    assert code == 1, stderr
    time.sleep(1.1)
    web.server.state.requests.clear()
    code, _, stderr = invoke(wayback, "recheck", "--out", str(out), *rules)
    assert code == 1, stderr
    assert [r[1] for r in web.server.state.requests] == ["/gone404"]  # once, for both
    for name in ("alpha", "beta"):
        manifest = json.loads((out / name / "manifest.json").read_text())
        check = next(r["check"] for r in manifest["links"] if r["url"] == gone)
        assert (check["rot"]["state"], check["rot"]["failed_checks"]) == ("dead", 2), name
        assert f"<{gone}> — **dead**" in (out / name / "citations.md").read_text()


def test_a_look_that_could_not_tell_keeps_the_count_of_failed_checks() -> None:
    """As the library counts it: a timeout after a failed check leaves the link dying, a
    bot wall after a confirmed death leaves it dead; a live answer is alive."""
    from kzarchive.models import Check, Rot

    def check(verdict: str, rot: Rot) -> Check:
        return Check(verdict, "timeout", "2026-12-05T00:00:00Z", rot=rot)  # type: ignore[arg-type]

    dying, dead = Rot("dying", 1, 3, "1 of 3 failed checks"), Rot("dead", 3, 3, "confirmed")
    assert check("error", dying).status == "dying"
    assert check("error", dying).explained == "timeout; 1 of 3 failed checks"
    assert check("blocked", dead).status == "dead"
    assert check("dead", dead).status == "dead"
    assert check("error", Rot("unknown", 0, 3, "could not tell (error)")).status == "error"
    assert check("alive", Rot("alive", 0, 3, "answered")).explained == "timeout"
    assert check("dead", dying).rot is not None and Check.from_json(
        check("dead", dying).to_json()
    ) == check("dead", dying)
