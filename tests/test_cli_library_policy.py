"""The library's rot policy is kept in its store: every command judges its links alike.

The looks are written into the store by the test, at times it chooses (the clock the test holds);
``kzarchive library`` then reports them as the policy in force says.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from kzarchive.cli import main
from kzarchive.models import Check, Citation
from kzarchive.store import Store
from tests.servers.base import RunningServer
from tests.servers.fake_wayback import FakeState
from tests.test_cli_library import invoke, servers

__all__ = ["servers"]  # the fixture

URL = "https://gone.example/page"
# Three failed looks a day apart: dead if one day apart is enough, dying if three days must be
LOOKS = ("2026-12-01T09:00:00Z", "2026-12-02T09:00:00Z", "2026-12-03T09:00:00Z")


def library_of(out: Path) -> Path:
    out.mkdir()
    doc = out.parent / "r.md"
    doc.write_text(f"A claim.[^1]\n\n[^1]: {URL}\n")
    with Store.open(out / "kzarchive.db") as store:
        store.put_document(
            {"path": "r.md", "cited_on": "2019-02-22"},
            [Citation("1", URL, 3)],
            "r",
            key=str(doc.resolve()),
        )
        for at in LOOKS:
            store.record(URL, check=Check("dead", "http-404", at, 404))
    return out


def library(out: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        main, ["library", "--out", str(out), "--no-chart", *args], env=env or {}
    )
    return result.exit_code, result.stdout, result.stderr


def counts(stdout: str) -> list[str]:
    """The row of the document r.md: links, alive, dying, dead, unknown, preserved (after its
    name, folder and year)."""
    row = next(line for line in stdout.splitlines() if line.split("  ")[0].endswith("/r.md"))
    return row.split()[3:]


def test_a_policy_given_once_is_kept_for_every_later_command(tmp_path: Path) -> None:
    out = library_of(tmp_path / "archive")
    code, stdout, stderr = library(out)  # nothing given, nothing stored: the defaults
    assert code == 0, stderr
    assert counts(stdout) == ["1", "0", "1", "0", "0", "0"]
    assert "policy:" not in stderr

    code, stdout, stderr = library(out, "--confirm-apart", "1d")
    assert code == 0, stderr
    assert counts(stdout) == ["1", "0", "0", "1", "0", "0"]
    assert (
        "policy: dead after 3 failed checks at least 1 day apart, due again after 30 days "
        "(was: dead after 3 failed checks at least 3 days apart, due again after 30 days); "
        f"kept in {out / 'kzarchive.db'} for later runs"
    ) in stderr.splitlines()

    # Not given again: the stored policy, not the built-in default; said nothing.
    code, stdout, stderr = library(out)
    assert code == 0, stderr
    assert counts(stdout) == ["1", "0", "0", "1", "0", "0"]
    assert "policy:" not in stderr
    sheet = (out / "library.csv").read_text("utf-8-sig")
    assert ",dead,3," in sheet and "confirmed by 3 failed checks at least 1 day apart" in sheet

    # The same again: no line. The environment gives it too, and changes it back.
    code, _, stderr = library(out, "--confirm-apart", "1d")
    assert "policy:" not in stderr
    code, stdout, stderr = library(out, env={"KZARCHIVE_CONFIRM_APART": "3d"})
    assert counts(stdout) == ["1", "0", "1", "0", "0", "0"]
    assert "policy: dead after 3 failed checks at least 3 days apart" in stderr


def test_a_policy_from_the_settings_file_is_kept_and_its_errors_name_the_file(
    tmp_path: Path, monkeypatch: object
) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    out = library_of(tmp_path / "archive")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "kzarchive.toml").write_text("confirm-after = 2\nconfirm-apart = '1d'\n")
    code, stdout, stderr = library(out)
    assert code == 0, stderr
    assert counts(stdout) == ["1", "0", "0", "1", "0", "0"]
    assert "policy: dead after 2 failed checks at least 1 day apart" in stderr
    (tmp_path / "kzarchive.toml").unlink()
    code, stdout, stderr = library(out)
    assert counts(stdout) == ["1", "0", "0", "1", "0", "0"]  # kept

    # A value out of range names the file and its line, not an environment variable.
    (tmp_path / "kzarchive.toml").write_text("\nconfirm-after = 0\n")
    code, stdout, stderr = library(out)
    assert code == 2 and stdout == ""
    assert stderr == (
        f"kzarchive: error: {tmp_path / 'kzarchive.toml'}:2: confirm-after: 0 is not in the range "
        "1<=x<=100.\n"
    )


def test_a_store_of_the_previous_version_gains_the_settings_table(tmp_path: Path) -> None:
    out = library_of(tmp_path / "archive")
    db = sqlite3.connect(out / "kzarchive.db")
    db.execute("DROP TABLE settings")
    db.execute("PRAGMA user_version=1")
    db.commit()
    db.close()
    code, stdout, stderr = library(out, "--confirm-after", "1")
    assert code == 0, stderr
    assert counts(stdout) == ["1", "0", "0", "1", "0", "0"]
    with Store.open(out / "kzarchive.db") as store:
        assert store.settings() == {
            "confirm_after": "1",
            "policy_changed_at": store.settings()["policy_changed_at"],
        }
        assert store.connection.execute("PRAGMA user_version").fetchone()[0] == 2


def test_confirm_now_confirms_once_and_later_runs_keep_it(
    servers: tuple[RunningServer, RunningServer, FakeState], tmp_path: Path
) -> None:
    web, wayback, state = servers
    doc = tmp_path / "r.md"
    doc.write_text(f"# R\n\nClaims.[^1][^2]\n\n[^1]: {web.base}/gone404\n[^2]: {web.base}/page/1\n")
    state.add_capture(f"{web.base}/gone404", "20180101000000")
    out = tmp_path / "archive"
    code, _, stderr = invoke(wayback, "run", str(doc), "--out", str(out), "--confirm-now")
    assert code == 1, stderr
    assert f"dead: {doc.resolve()} [1] {web.base}/gone404 (confirmed by 1 failed check" in stderr
    # A plain run after it: the link stays dead (the store keeps the confirmation).
    code, _, stderr = invoke(wayback, "run", str(doc), "--out", str(out))
    assert code == 1, stderr
    assert "0 confirmed dead" not in stderr and "1 confirmed dead, 0 dying" in stderr
    assert "changed:" not in stderr
    code, stdout, stderr = invoke(wayback, "library", "--out", str(out), "--no-chart")
    assert code == 0, stderr
    assert counts(stdout) == ["2", "1", "0", "1", "0", "2"]
    # The document's own outputs say the same.
    manifest = json.loads((out / "manifest.json").read_text())
    gone = next(link for link in manifest["links"] if link["url"].endswith("/gone404"))
    assert gone["check"]["rot"]["state"] == "dead"


def test_confirm_now_in_a_library_looks_again_at_the_dying_links_and_confirms_them(
    servers: tuple[RunningServer, RunningServer, FakeState], tmp_path: Path
) -> None:
    web, wayback, state = servers
    docs = tmp_path / "reports"
    docs.mkdir()
    for name, link in (("a.md", "/gone404"), ("b.md", "/page/1")):
        (docs / name).write_text(f"# R\n\nClaim.[^1]\n\n[^1]: {web.base}{link}\n")
    out = tmp_path / "archive"
    state.add_capture(f"{web.base}/gone404", "20180101000000")  # preserved: only dying is left
    code, _, stderr = invoke(wayback, "run", str(docs), "--out", str(out))
    assert code == 4, stderr  # dying
    web.server.state.requests.clear()
    code, _, stderr = invoke(wayback, "recheck", "--out", str(out), "--confirm-now")
    assert code == 1, stderr
    assert [r[1] for r in web.server.state.requests] == ["/gone404"]  # looked at again, today
    assert f"changed: {web.base}/gone404: dying → dead" in stderr
    manifest = json.loads((out / "a" / "manifest.json").read_text())
    assert manifest["links"][0]["check"]["rot"]["state"] == "dead"
    code, _, stderr = invoke(wayback, "recheck", "--out", str(out))
    assert code == 1, stderr
    assert "1 confirmed dead, 0 dying" in stderr


def reports(folder: Path, base: str) -> Path:
    """Two reports: a.md cites a page that answers 404 (a copy of it is in the archive), b.md a
    live one."""
    folder.mkdir()
    for name, link in (("a.md", "/gone404"), ("b.md", "/page/1")):
        (folder / name).write_text(f"# R\n\nClaim.[^1]\n\n[^1]: {base}{link}\n")
    return folder


def rot_in(folder: Path) -> str:
    """The gone link's state as the document's own manifest says it."""
    manifest = json.loads((folder / "manifest.json").read_text())
    return str(manifest["links"][0]["check"]["rot"]["state"])


def test_a_death_a_run_confirmed_survives_a_later_policy(
    servers: tuple[RunningServer, RunningServer, FakeState], tmp_path: Path
) -> None:
    from datetime import UTC, datetime, timedelta

    web, wayback, state = servers
    docs = reports(tmp_path / "reports", web.base)
    gone = f"{web.base}/gone404"
    state.add_capture(gone, "20180101000000")
    out = tmp_path / "archive"
    # Two failed looks, three and two days ago (the clock the test holds); today's is the third.
    now = datetime.now(UTC)
    with Store.open(out / "kzarchive.db") as store:
        for days in (3, 2):
            stamp = (now - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
            store.record(gone, check=Check("dead", "http-404", stamp, 404))
    code, _, stderr = invoke(wayback, "run", str(docs), "--out", str(out), "--confirm-apart", "1d")
    assert code == 1, stderr
    assert "confirmed by 3 failed checks at least 1 day apart" in stderr
    assert rot_in(out / "a") == "dead"

    # A stricter rule afterwards: the death the run confirmed stands, everywhere.
    code, _, stderr = invoke(
        wayback, "library", "--out", str(out), "--no-chart", "--confirm-apart", "3d"
    )
    assert code == 0, stderr
    sheet = (out / "library.csv").read_text("utf-8-sig")
    row = next(line for line in sheet.splitlines() if gone in line)
    assert ",dead," in row and "by the rule then in force" in row
    assert rot_in(out / "a") == "dead"
    assert "dead → dying" not in stderr
    assert (
        "policy: in library.csv, no link's state; each document's own outputs (manifest, "
        "citations, reports) follow at its next run or recheck "
        f"('kzarchive recheck --out {out}'); a link a run confirmed dead stays dead"
    ) in stderr.splitlines()
    code, _, stderr = invoke(wayback, "recheck", "--out", str(out))
    assert code == 1, stderr
    assert "1 confirmed dead, 0 dying" in stderr and "changed:" not in stderr


def test_a_policy_given_to_library_reaches_the_documents_at_the_next_recheck(
    servers: tuple[RunningServer, RunningServer, FakeState], tmp_path: Path
) -> None:
    web, wayback, state = servers
    docs = reports(tmp_path / "reports", web.base)
    state.add_capture(f"{web.base}/gone404", "20180101000000")
    out = tmp_path / "archive"
    code, _, stderr = invoke(wayback, "run", str(docs), "--out", str(out))
    assert code == 4, stderr  # dying
    code, _, stderr = invoke(
        wayback, "library", "--out", str(out), "--no-chart", "--confirm-after", "1"
    )
    assert code == 0, stderr
    said = stderr
    assert rot_in(out / "a") == "dying"  # said: at its next run or recheck
    web.server.state.requests.clear()
    code, _, stderr = invoke(wayback, "recheck", "--out", str(out))
    assert code == 1, stderr
    assert web.server.state.requests == []  # nothing due: nothing looked at, outputs rewritten
    assert f"{web.base}/gone404 (confirmed by 1 failed check)" in stderr
    assert "outputs rewritten for 2 of 2 documents" in stderr
    assert rot_in(out / "a") == "dead"
    assert "dead" in (out / "a" / "citations.md").read_text()
    assert "policy: in library.csv, 1 link dying → dead; each document's own outputs" in said
    # That recheck confirmed it under the rule then in force: going back does not undo it.
    code, _, stderr = invoke(
        wayback, "library", "--out", str(out), "--no-chart", "--confirm-after", "3"
    )
    assert "policy: in library.csv, no link's state" in stderr
    code, _, stderr = invoke(wayback, "recheck", "--out", str(out))
    assert code == 1, stderr
    assert "1 confirmed dead, 0 dying" in stderr
    assert rot_in(out / "a") == "dead"
