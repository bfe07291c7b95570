"""The pre-commit hook (``.pre-commit-hooks.yaml``), run as a project would run it: ``pre-commit
try-repo`` this repository on a sample repository whose documents link to the scenario server.

pre-commit installs the hook into an environment of its own (``pip install`` of this repository).
So that the test downloads nothing, that install finds kzarchive's dependencies already there
(this environment's site-packages on ``PYTHONPATH``) and no package index (``PIP_NO_INDEX``);
the hook itself is installed and run for real.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.servers.scenario import scenario_server

GIT = shutil.which("git")


def _git(sample: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=sample, check=True, capture_output=True, timeout=60)


@pytest.mark.skipif(GIT is None, reason="git is not installed")
@pytest.mark.timeout(600)
def test_try_repo_fails_a_commit_that_adds_a_dead_link(tmp_path: Path) -> None:
    sample = tmp_path / "sample"
    sample.mkdir()
    _git(sample, "init", "-q")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "PYTHONPATH": sysconfig.get_paths()["purelib"],
        "PIP_NO_INDEX": "1",
        "PIP_NO_BUILD_ISOLATION": "0",  # pip reads its --no-* options inverted: 0 is "no isolation"
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    with scenario_server() as server:
        ok, gone = f"{server.base}/ok", f"{server.base}/gone404"
        (sample / "docs").mkdir()
        (sample / "docs" / "report.md").write_text(f"# Report\n\nSee [the ruling]({ok}).\n")
        (sample / "index.html").write_text(f'<p>Statement: <a href="{gone}">gone</a></p>\n')
        (sample / "notes.txt").write_text(f"Not a document the hook reads: {gone}\n")
        _git(sample, "add", ".")
        files = ["docs/report.md", "index.html", "notes.txt"]

        def try_repo() -> subprocess.CompletedProcess[str]:
            command = [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT)]
            return subprocess.run(
                [*command, "kzarchive-links", "--files", *files],
                cwd=sample,
                env=env,
                capture_output=True,
                text=True,
                timeout=540,
            )

        failed = try_repo()
        assert failed.returncode == 1, failed.stdout + failed.stderr
        assert f"index.html:1: dead (http-404) {gone}" in failed.stdout
        assert "notes.txt" not in failed.stdout.replace("--files", "")  # Markdown and HTML only
        assert ok not in failed.stdout  # an alive link is not named
        # The dead link fixed, the same hook (its environment kept) lets the commit through.
        (sample / "index.html").write_text(f'<p>Statement: <a href="{ok}">here</a></p>\n')
        _git(sample, "add", ".")
        passed = try_repo()
        assert passed.returncode == 0, passed.stdout + passed.stderr
        assert "kzarchive links" in passed.stdout and "Passed" in passed.stdout


def test_hook_names_each_link_not_alive_and_fails_only_on_dead(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kzarchive.cli import main

    with scenario_server() as server:
        page = tmp_path / "page.md"
        page.write_text(
            f"[a]({server.base}/ok) [b]({server.base}/forbidden)\n\n[c]({server.base}/gone410)\n"
        )
        walled = tmp_path / "walled.html"
        walled.write_text(f'<p><a href="{server.base}/forbidden">x</a></p>\n')
        empty = tmp_path / "empty.md"
        empty.write_text("")
        failed = CliRunner().invoke(main, ["hook", str(page), str(walled), str(empty)])
        assert failed.exit_code == 1
        assert failed.stdout.splitlines() == [
            f"{page}:1: blocked (http-403) {server.base}/forbidden",
            f"{page}:3: dead (http-410) {server.base}/gone410",
            f"{walled}:1: blocked (http-403) {server.base}/forbidden",
        ]
        assert "3 files: 1 dead link, 2 that could not be judged" in failed.stderr
        passed = CliRunner().invoke(main, ["hook", str(walled), str(empty)])
        assert passed.exit_code == 0
