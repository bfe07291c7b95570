"""A folder belongs to one document, known by where it is and by the versions it had, not by its
file name; ``--adopt`` takes a folder over on purpose and keeps the old manifest beside the new."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from kzarchive.cli import main
from tests.servers.base import RunningServer
from tests.servers.documents import footnoted_report
from tests.servers.fake_wayback import FakeState, cli_env

RunIn = Callable[..., Result]


@pytest.fixture
def run_in(
    site: RunningServer, wayback: tuple[RunningServer, FakeState], monkeypatch: pytest.MonkeyPatch
) -> RunIn:
    """``kzarchive run ARGS --no-capture`` from the folder ``cwd``, against the fake archive."""

    def run(cwd: Path, *args: str) -> Result:
        monkeypatch.chdir(cwd)
        return CliRunner().invoke(main, ["run", *args, "--no-capture"], env=cli_env(wayback[0]))

    return run


def _report(path: Path, site: RunningServer, *pages: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return footnoted_report(path, [f"{site.base}{page}" for page in pages])


def _manifest(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "manifest.json").read_text())
    return data


def test_another_report_of_the_same_name_cannot_take_a_folder_over(
    run_in: RunIn, site: RunningServer, tmp_path: Path
) -> None:
    a, b = tmp_path / "projA", tmp_path / "projB"
    _report(a / "report.md", site, "/page/1", "/page/3")
    _report(b / "report.md", site, "/page/4")
    assert run_in(a, "report.md", "--out", "archive").exit_code == 0
    before = (a / "archive" / "manifest.json").read_text()
    result = run_in(b, "report.md", "--out", "../projA/archive")
    assert result.exit_code == 2, result.stderr
    assert "holds the archive of report.md" in result.stderr and "--adopt" in result.stderr
    assert (a / "archive" / "manifest.json").read_text() == before
    # The folder remembers where its report is, relative to itself: from anywhere, it is known
    document = _manifest(a / "archive")["document"]
    assert document["location"] == "../report.md"
    assert run_in(b, "../projA/report.md", "--out", "../projA/archive").exit_code == 0


def test_the_same_bytes_under_another_name_or_place_are_the_same_report(
    run_in: RunIn, site: RunningServer, tmp_path: Path
) -> None:
    doc = _report(tmp_path / "report.md", site, "/page/1")
    assert run_in(tmp_path, "report.md", "--out", "archive").exit_code == 0
    (tmp_path / "sent").mkdir()
    shutil.copy(doc, tmp_path / "sent" / "report-final.md")
    result = run_in(tmp_path, "sent/report-final.md", "--out", "archive")
    assert result.exit_code == 0, result.stderr
    # The folder is still the original's: an edit of it is the same report
    assert _manifest(tmp_path / "archive")["document"]["location"] == "../report.md"
    doc.write_text(doc.read_text() + "\nA closing line.\n")
    assert run_in(tmp_path, "report.md", "--out", "archive").exit_code == 0
    # A document moved away is followed: its renamed copy, edited, is the same report
    moved = tmp_path / "report-renamed.md"
    doc.rename(moved)
    assert run_in(tmp_path, "report-renamed.md", "--out", "archive").exit_code == 0
    moved.write_text(moved.read_text() + "\nAnother line.\n")
    assert run_in(tmp_path, "report-renamed.md", "--out", "archive").exit_code == 0


def test_adopt_takes_a_folder_over_and_keeps_the_old_manifest(
    run_in: RunIn, site: RunningServer, tmp_path: Path
) -> None:
    doc = _report(tmp_path / "report.md", site, "/page/1", "/page/3")
    assert run_in(tmp_path, "report.md", "--out", "archive").exit_code == 0
    old = (tmp_path / "archive" / "manifest.json").read_text()
    _report(tmp_path / "report-v2.md", site, "/page/1", "/page/4")  # an edited copy
    refused = run_in(tmp_path, "report-v2.md", "--out", "archive")
    assert refused.exit_code == 2 and "--adopt" in refused.stderr
    adopted = run_in(tmp_path, "report-v2.md", "--out", "archive", "--adopt")
    assert adopted.exit_code == 0, adopted.stderr
    kept = list((tmp_path / "archive").glob("manifest.json.adopted-*"))
    assert len(kept) == 1 and kept[0].read_text() == old
    assert kept[0].name in adopted.stderr
    manifest = _manifest(tmp_path / "archive")
    document = manifest["document"]
    assert document["path"] == "report-v2.md"
    assert len(document["lineage"]) == 2
    # What the folder knew stays: /page/3 is no longer cited, /page/1 keeps its history
    links = {link["url"].removeprefix(site.base): link for link in manifest["links"]}
    assert links["/page/3"]["cited"] is False and len(links["/page/1"]["history"]) == 2
    # From now on the folder is report-v2.md's, and any version it had is known
    assert run_in(tmp_path, "report-v2.md", "--out", "archive").exit_code == 0
    assert run_in(tmp_path, os.fspath(doc), "--out", "archive").exit_code == 0
