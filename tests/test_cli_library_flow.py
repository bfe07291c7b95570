"""How ``run DOC...``, ``recheck``, ``library`` and ``verify`` meet a library's folder: inputs
checked before any work, documents with nothing to archive skipped, one folder per document for a
folder or glob (and for a lone document the library already knows), folders of the old layout
kept working, exit codes from what the run did."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kzarchive.cli import main
from tests.servers.base import RunningServer
from tests.servers.fake_wayback import FakeState, fake_wayback
from tests.servers.scenario import scenario_server
from tests.test_run import ACCESS, SECRET, env_for

Servers = tuple[RunningServer, RunningServer, FakeState]


@pytest.fixture
def servers() -> Iterator[Servers]:
    wayback, state = fake_wayback()
    state.keys = {ACCESS: SECRET}
    with scenario_server() as web, wayback:
        yield web, wayback, state


def invoke(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    env = {**env, "KZARCHIVE_SECOND_LOOK": "0", "KZARCHIVE_TIMESTAMP": "0"}
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def report(path: Path, base: str, *links: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    notes = "".join(f"[^{n}]" for n in range(1, len(links) + 1))
    body = "\n".join(f"[^{n}]: {base}{link}" for n, link in enumerate(links, 1))
    path.write_text(f"# Report\n\n3 March 2021\n\nClaims.{notes}\n\n{body}\n")
    return path


def top_level(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir())


def test_format_with_several_documents_is_refused_before_any_work(
    servers: Servers, tmp_path: Path
) -> None:
    web, wayback, _ = servers
    a = report(tmp_path / "docs" / "a.md", web.base, "/page/1")
    b = report(tmp_path / "docs" / "b.md", web.base, "/page/2")
    out = tmp_path / "out"
    for given in ([str(a), str(b)], [str(tmp_path / "docs")], [str(tmp_path / "docs" / "*.md")]):
        code, stdout, stderr = invoke(
            env_for(wayback), "run", *given, "--out", str(out), "--format", "json"
        )
        assert code == 2, stderr
        assert stdout == ""
        assert stderr.startswith(
            "kzarchive: error: --format is for one document (a library has library.csv) (see"
        )
        assert not out.exists()
    assert web.server.state.requests == []


def test_every_document_is_checked_before_any_work(servers: Servers, tmp_path: Path) -> None:
    web, wayback, _ = servers
    a = report(tmp_path / "a.md", web.base, "/page/1")
    out = tmp_path / "out"
    missing, gone = tmp_path / "nonexistent.md", tmp_path / "gone.pdf"
    code, stdout, stderr = invoke(
        env_for(wayback), "run", str(a), str(missing), str(gone), "--out", str(out)
    )
    assert code == 2
    assert (stdout, stderr) == (
        "",
        f"kzarchive: error: {missing}: no such file; {gone}: no such file\n",
    )
    assert not out.exists()
    assert web.server.state.requests == []


def test_a_document_with_no_footnoted_url_is_skipped_in_a_library(
    servers: Servers, tmp_path: Path
) -> None:
    web, wayback, _ = servers
    docs = tmp_path / "nest"
    report(docs / "a.md", web.base, "/page/1")
    (docs / "notes.txt").write_text("Nothing cited here.\n")
    out = tmp_path / "out"
    code, _, stderr = invoke(env_for(wayback), "run", str(docs), "--out", str(out))
    assert code == 0, stderr
    assert f"warning: {docs / 'notes.txt'}: no footnoted URLs found" in stderr
    assert "; skipped" in stderr
    assert "1 document (1 run, 0 up to date, 1 skipped), 1 link worked on" in stderr
    assert (out / "a" / "manifest.json").is_file() and (out / "library.html").is_file()
    assert not (out / "notes").exists()

    # When no document has a URL: one line, exit 2, nothing left behind (no store either).
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("Nothing cited here.\n")
    (empty / "more.md").write_text("# Nothing here either\n")
    code, _, stderr = invoke(env_for(wayback), "run", str(empty), "--out", str(tmp_path / "o2"))
    assert code == 2
    assert (
        stderr.splitlines()[-1] == "kzarchive: error: no footnoted URL in any document (2 skipped)"
    )
    assert not (tmp_path / "o2").exists()
    # An existing folder keeps what it had, and gets no store it did not have.
    (tmp_path / "o3").mkdir()
    code, _, _ = invoke(env_for(wayback), "run", str(empty), "--out", str(tmp_path / "o3"))
    assert code == 2 and top_level(tmp_path / "o3") == [".lock"]


def test_a_folder_of_one_document_is_a_library_that_can_grow(
    servers: Servers, tmp_path: Path
) -> None:
    web, wayback, _ = servers
    docs = tmp_path / "one"
    report(docs / "gamma.md", web.base, "/page/1")
    out = tmp_path / "out6"
    code, _, stderr = invoke(env_for(wayback), "run", str(docs), "--out", str(out))
    assert code == 0, stderr
    assert not (out / "manifest.json").exists()  # nothing of gamma's at the top
    assert (out / "gamma" / "manifest.json").is_file() and (out / "library.html").is_file()
    report(docs / "kazakh.md", web.base, "/page/2")
    code, _, stderr = invoke(env_for(wayback), "run", str(docs), "--out", str(out))
    assert code == 0, stderr
    assert top_level(out) == [
        ".lock", "gamma", "kazakh", "kzarchive.db", "library.csv", "library.html"
    ]  # fmt: skip
    for name in ("gamma", "kazakh"):
        code, _, stderr = invoke({}, "verify", str(out / name))
        assert code == 0, stderr


def test_one_document_run_into_a_library_updates_its_folder(
    servers: Servers, tmp_path: Path
) -> None:
    web, wayback, _ = servers
    docs = tmp_path / "reports"
    gamma = report(docs / "gamma.md", web.base, "/page/1")
    report(docs / "alpha.md", web.base, "/page/2")
    out = tmp_path / "out2b"
    code, _, stderr = invoke(env_for(wayback), "run", str(docs), "--out", str(out))
    assert code == 0, stderr
    before = (out / "gamma" / "manifest.json").stat().st_mtime_ns

    web.server.state.requests.clear()
    code, _, stderr = invoke(env_for(wayback), "run", str(gamma), "--out", str(out))
    assert code == 0, stderr
    assert not (out / "manifest.json").exists()  # no second copy at the top
    fetched = {r[1] for r in web.server.state.requests}
    assert "/page/1" in fetched and "/page/2" not in fetched  # gamma checked again, alone
    assert (out / "gamma" / "manifest.json").stat().st_mtime_ns != before  # gamma's, updated
    assert "wrote " in stderr and "library.html" in stderr  # the library's report kept current

    # A document new to the library gets its own folder too.
    kazakh = report(tmp_path / "kazakh.txt", web.base, "/page/3")
    code, _, stderr = invoke(env_for(wayback), "run", str(kazakh), "--out", str(out))
    assert code == 0, stderr
    assert (out / "kazakh" / "manifest.json").is_file() and not (out / "manifest.json").exists()


def test_a_folder_made_by_a_one_document_run_keeps_its_document_at_the_top(
    servers: Servers, tmp_path: Path
) -> None:
    web, wayback, _ = servers
    first = report(tmp_path / "docs" / "first.md", web.base, "/page/1")
    report(tmp_path / "docs" / "second.md", web.base, "/page/2")
    out = tmp_path / "archive"
    code, _, stderr = invoke(env_for(wayback), "run", str(first), "--out", str(out))
    assert code == 0, stderr
    assert (out / "manifest.json").is_file()

    code, _, stderr = invoke(env_for(wayback), "run", str(tmp_path / "docs"), "--out", str(out))
    assert code == 0, stderr
    top = json.loads((out / "manifest.json").read_text())
    assert top["document"]["path"].endswith("first.md")  # stays where it is
    assert not (out / "first").exists()
    assert (out / "second" / "manifest.json").is_file()

    # verify: the folder itself is the first document's; the library has both.
    code, stdout, stderr = invoke({}, "verify", str(out), "--format", "json")
    assert code == 0, stderr
    verified = json.loads(stdout)
    assert [Path(d["folder"]).name for d in verified["documents"]] == ["archive", "second"]
    assert verified["holds"] is True
    assert stderr.splitlines()[0].startswith(".: ") and stderr.splitlines()[1].startswith(
        "second: "
    )
    code, _, stderr = invoke({}, "verify", str(out / "second"))
    assert code == 0, stderr
    # recheck keeps both where they are
    code, _, stderr = invoke(env_for(wayback), "recheck", "--out", str(out))
    assert code == 0, stderr
    assert not (out / "first").exists() and (out / "manifest.json").is_file()

    # The lone document again: still at the top, not duplicated.
    code, _, stderr = invoke(env_for(wayback), "run", str(first), "--out", str(out))
    assert code == 0, stderr
    assert not (out / "first").exists()


def test_verify_a_library_names_each_document(servers: Servers, tmp_path: Path) -> None:
    web, wayback, _ = servers
    docs = tmp_path / "reports"
    report(docs / "alpha.md", web.base, "/page/1")
    report(docs / "beta.md", web.base, "/page/2")
    out = tmp_path / "out1"
    code, _, stderr = invoke(env_for(wayback), "run", str(docs), "--out", str(out))
    assert code == 0, stderr

    code, stdout, stderr = invoke({}, "verify", str(out))
    assert code == 0, stderr
    lines = stdout.splitlines()
    assert lines[0].split()[:3] == ["document", "status", "what"]
    assert {line.split()[0] for line in lines[1:]} == {"alpha", "beta"}
    assert [line.split(":")[0] for line in stderr.splitlines()] == ["alpha", "beta"]

    for warc in (out / "beta" / "evidence" / "warc").glob("*.warc.gz"):
        warc.unlink()
    code, stdout, stderr = invoke({}, "verify", str(out))
    assert code == 1
    assert "warning: beta: 1 altered or missing: evidence/warc/" in stderr
    assert any(line.split()[:2] == ["beta", "missing"] for line in stdout.splitlines())
    assert not any(line.split()[:2] == ["alpha", "missing"] for line in stdout.splitlines())


def test_library_and_recheck_need_a_library_and_create_nothing(tmp_path: Path) -> None:
    for command in ("library", "recheck"):
        out = tmp_path / f"nonexist-{command}"
        code, stdout, stderr = invoke({}, command, "--out", str(out))
        assert code == 2
        assert (stdout, stderr) == (
            "",
            f"kzarchive: error: {out}: no library here yet (run 'kzarchive run DOC...' first)\n",
        )
        assert not out.exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, _ = invoke({}, "recheck", "--out", str(empty))
    assert code == 2 and list(empty.iterdir()) == []


def test_a_recheck_with_nothing_due_exits_by_the_librarys_state(
    servers: Servers, tmp_path: Path
) -> None:
    web, wayback, _ = servers
    docs = tmp_path / "reports"
    report(docs / "a.md", web.base, "/page/1", "/gone404")
    out = tmp_path / "out"
    # The Wayback Machine does not answer (nothing listens on its address): nothing decided.
    down = {**env_for(wayback), "KZARCHIVE_WAYBACK_URL": "http://127.0.0.1:9"}
    code, _, stderr = invoke(down, "run", str(docs), "--out", str(out))
    assert code == 3, stderr
    web.server.state.requests.clear()
    # Nothing is due: this run decides nothing, so it exits by what the library holds (a dying
    # link), whether the archive answers or not.
    for env in (down, env_for(wayback)):
        code, _, stderr = invoke(env, "recheck", "--out", str(out))
        assert "0 links re-checked; outputs rewritten for 0 of 1 document (1 had nothing due)" in (
            stderr
        )
        assert code == 4, stderr
    assert web.server.state.requests == []
    code, _, stderr = invoke(down, "recheck", "--out", str(out), "--confirm-now")
    assert code == 1, stderr  # confirmed dead by the library's rule now
