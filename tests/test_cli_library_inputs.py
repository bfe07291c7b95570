"""What a library run takes as its documents, and how it names them: a folder scan passes over
kzarchive's own outputs, one document given twice is one, standard input is a document that
cannot be read again, and every line names a document as the user gave it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kzarchive.cli import main
from tests.test_cli_library_flow import Servers, invoke, report, servers
from tests.test_run import env_for

__all__ = ["servers"]  # the fixture, shared with the library's other tests


def test_a_folder_scan_passes_over_the_out_folder_and_kzarchives_outputs(
    servers: Servers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    web, wayback, _ = servers
    monkeypatch.chdir(tmp_path)
    report(Path("reports/alpha.md"), web.base, "/page/1")
    report(Path("beta.md"), web.base, "/page/2")
    # an earlier lone run's folder elsewhere in the input: kzarchive's, not a document
    code, _, stderr = invoke(env_for(wayback), "run", "beta.md", "--out", "old")
    assert code == 0, stderr
    for attempt in (1, 2):  # the layout the cron line suggests, run twice
        code, stdout, stderr = invoke(env_for(wayback), "run", ".", "--out", "archive")
        assert code == 0, stderr
        assert stdout == ""
        assert "warning" not in stderr
        ran = "2 run, 0 up to date" if attempt == 1 else "0 run, 2 up to date"
        assert f"2 documents ({ran}), " in stderr
        assert sorted(p.name for p in Path("archive").iterdir() if p.is_dir()) == [
            "alpha",
            "beta",
        ]
    # a glob passes over them too
    code, _, stderr = invoke(env_for(wayback), "run", "**/*.md", "--out", "archive")
    assert code == 0, stderr
    assert "2 documents (0 run, 2 up to date), " in stderr and "warning" not in stderr
    # `--out .`: the folder's own documents, not the files kzarchive wrote beside them
    code, _, stderr = invoke(env_for(wayback), "run", "reports", "--out", "reports")
    assert code == 0, stderr
    code, _, stderr = invoke(env_for(wayback), "run", "reports", "--out", "reports")
    assert code == 0, stderr
    assert "1 document (0 run, 1 up to date), " in stderr and "warning" not in stderr


def test_one_document_given_by_two_paths_is_one_document(
    servers: Servers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    web, wayback, _ = servers
    monkeypatch.chdir(tmp_path)
    report(Path("reports/alpha.md"), web.base, "/page/1", "/missing")
    report(Path("reports/beta.md"), web.base, "/page/2")
    code, stdout, stderr = invoke(
        env_for(wayback),
        "run",
        "reports/alpha.md",
        str(tmp_path / "reports" / "alpha.md"),
        "./reports/beta.md",
        "reports",
        "--out",
        "out",
    )
    assert code == 1, stderr  # the missing page has no copy
    assert stdout == ""
    assert "2 documents (2 run, 0 up to date), 3 links worked on" in stderr
    dying = [line for line in stderr.splitlines() if line.startswith("dying:")]
    assert dying == [
        f"dying: reports/alpha.md [2] {web.base}/missing (1 of 3 failed checks; the next counts "
        + dying[0].split("the next counts ", 1)[1]
    ]


def test_a_document_from_standard_input_is_rechecked_from_the_store_and_never_gone(
    servers: Servers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    web, wayback, _ = servers
    monkeypatch.chdir(tmp_path)
    gamma = report(Path("gamma.md"), web.base, "/page/3").read_text()
    report(Path("reports/alpha.md"), web.base, "/page/1")
    env = {**env_for(wayback), "KZARCHIVE_RECHECK_AFTER": "1s"}
    result = CliRunner().invoke(
        main,
        ["run", "-", "reports/alpha.md", "--out", "outstd"],
        input=gamma,
        env={**env, "KZARCHIVE_SECOND_LOOK": "0", "KZARCHIVE_TIMESTAMP": "0"},
    )
    assert result.exit_code == 0, result.stderr
    assert "2 documents (2 run, 0 up to date), 2 links worked on" in result.stderr
    time.sleep(1.1)  # both links are due again
    seen = len(web.server.state.requests)
    code, stdout, stderr = invoke(env, "recheck", "--out", "outstd")
    assert code == 0, stderr
    assert stdout == ""
    assert "warning" not in stderr and "no longer there" not in stderr
    assert "<stdin>: check: 1 link" in stderr and "reports/alpha.md: check: 1 link" in stderr
    assert "2 links re-checked; outputs rewritten for 2 of 2 documents (0 had nothing due)" in (
        stderr
    )
    assert stderr.splitlines()[-1] == (
        "0 confirmed dead, 0 dying, 2 alive, 0 could not tell (2 unique links)"
    )
    asked = {path for _, path, _ in web.server.state.requests[seen:]}
    assert {"/page/1", "/page/3"} <= asked
    code, stdout, stderr = invoke(env, "library", "--out", "outstd", "--format", "json")
    assert code == 0, stderr
    assert "no longer there" not in stderr
    assert json.loads(stdout)["total"]["links"] == 2
    # A new `run -` reads standard input again (its bytes may have changed), the stored one not
    changed = gamma.replace("Claims.[^1]", "Claims.[^1][^2]") + f"[^2]: {web.base}/page/4\n"
    result = CliRunner().invoke(
        main,
        ["run", "-", "reports/alpha.md", "--out", "outstd", "--recheck-after", "30d"],
        input=changed,
        env={**env, "KZARCHIVE_SECOND_LOOK": "0", "KZARCHIVE_TIMESTAMP": "0"},
    )
    assert result.exit_code == 0, result.stderr
    # standard input read afresh (its one new link); alpha's outputs are rewritten too, as the
    # --recheck-after given here changes the library's stored policy
    assert "2 documents (2 run, 0 up to date), 1 link worked on" in result.stderr


def test_a_lone_documents_run_always_ends_with_the_count_of_links_by_state(
    servers: Servers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    web, wayback, _ = servers
    monkeypatch.chdir(tmp_path)
    report(Path("alive.md"), web.base, "/page/1")
    report(Path("dying.md"), web.base, "/page/2", "/missing")
    code, stdout, stderr = invoke(env_for(wayback), "run", "alive.md", "--out", "a")
    assert (code, stdout) == (0, "")
    assert stderr.splitlines()[-1] == (
        "0 confirmed dead, 0 dying, 1 alive, 0 could not tell (1 unique link)"
    )
    code, stdout, stderr = invoke(env_for(wayback), "run", "dying.md", "--out", "d")
    assert (code, stdout) == (1, "")
    assert stderr.splitlines()[-2].startswith(f"dying: dying.md [2] {web.base}/missing (1 of 3")
    assert stderr.splitlines()[-1] == (
        "0 confirmed dead, 1 dying, 1 alive, 0 could not tell (2 unique links)"
    )


def test_a_forgotten_document_stays_forgotten(
    servers: Servers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    web, wayback, _ = servers
    monkeypatch.chdir(tmp_path)
    report(Path("mv/alpha.md"), web.base, "/page/1")
    gamma = report(Path("mv/gamma.md"), web.base, "/page/2")
    code, _, stderr = invoke(env_for(wayback), "run", "mv", "--out", "out9")
    assert code == 0, stderr
    gamma.rename("gamma-renamed.txt")
    code, _, stderr = invoke({}, "library", "--out", "out9")
    assert code == 0 and "1 document no longer there, not counted: mv/gamma.md (" in stderr
    code, _, stderr = invoke({}, "library", "--out", "out9", "--forget", "mv/gamma.md")
    assert code == 0, stderr
    assert stderr.startswith("forgot mv/gamma.md (its folder out9/gamma is")
    assert "no longer there" not in stderr
    assert (tmp_path / "out9" / "gamma" / "manifest.json").is_file()  # left on disk
    for command in (("library",), ("recheck",), ("run", "mv")):
        code, stdout, stderr = invoke(env_for(wayback), *command, "--out", "out9")
        assert code == 0, stderr
        assert "gamma" not in stdout + stderr
    code, stdout, stderr = invoke({}, "library", "--out", "out9", "--forget", "mv/gamma.md")
    assert (code, stdout) == (2, "")
    assert stderr == "kzarchive: error: mv/gamma.md: not a document of the library in out9\n"
    # Back where it was, it is a new document, in a folder of its own: the kept one is left alone
    Path("gamma-renamed.txt").rename(gamma)
    code, _, stderr = invoke(env_for(wayback), "run", "mv", "--out", "out9")
    assert code == 0, stderr
    assert "2 documents (1 run, 1 up to date), " in stderr
    assert (tmp_path / "out9" / "gamma-2" / "manifest.json").is_file()
