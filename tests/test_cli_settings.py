"""``kzarchive config``: every setting with the value in force, defaults given in words included."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kzarchive.cli import main
from kzarchive.store import Store


def test_config_shows_the_store_default_in_words() -> None:
    shown = CliRunner().invoke(main, ["config"], env={"KZARCHIVE_STORE": None})
    assert shown.exit_code == 0, shown.stderr
    store = [line.split() for line in shown.stdout.splitlines() if line.startswith("--store ")]
    assert store == [["--store", "OUT/kzarchive.db", "(default)"]]
    data = CliRunner().invoke(main, ["config", "--format", "json"], env={"KZARCHIVE_STORE": None})
    settings = {s["option"]: s for s in json.loads(data.stdout)["settings"]}
    assert settings["--store"] == {
        "option": "--store",
        "value": "OUT/kzarchive.db",
        "source": "default",
    }
    assert settings["--cited-on"]["value"] is None  # no default at all: none shown


def test_the_timeout_help_says_a_link_that_times_out_is_looked_at_twice() -> None:
    shown = CliRunner().invoke(main, ["check", "--help"], terminal_width=200)
    assert shown.exit_code == 0
    line = next(ln for ln in shown.stdout.splitlines() if "--timeout" in ln)
    assert "a link that times out gets one second look at the end, so it may take twice" in line


def test_config_shows_the_policy_the_library_keeps(tmp_path: Path) -> None:
    """The --out library's stored policy is the one in force where nothing more pressing gives
    one (as every later command uses it); its store is read, not made or changed."""
    out = tmp_path / "lib"
    with Store.open(out / "kzarchive.db") as store:
        store.set_settings({"confirm_apart": "2s", "confirm_after": "2"})
    before = sorted(p.name for p in out.iterdir())
    clear = {"KZARCHIVE_CONFIRM_APART": None, "KZARCHIVE_CONFIRM_AFTER": None}
    shown = CliRunner().invoke(
        main, ["config"], env={**clear, "KZARCHIVE_OUT": str(out), "KZARCHIVE_STORE": None}
    )
    assert shown.exit_code == 0, shown.stderr
    lines = {line.split()[0]: line.split(None, 1)[1] for line in shown.stdout.splitlines()[1:]}
    stored = f"(stored in {out / 'kzarchive.db'})"
    assert lines["--confirm-apart"] == f"2s  {stored}"
    assert lines["--confirm-after"] == f"2  {stored}"
    assert lines["--recheck-after"] == "30d  (default)"
    assert lines["--out"] == f"{out}  (environment KZARCHIVE_OUT)"
    # --out on the command line; what is given still wins, and says what it replaces
    data = CliRunner().invoke(
        main,
        ["config", "--out", str(out), "--format", "json"],
        env={**clear, "KZARCHIVE_CONFIRM_APART": "1d", "KZARCHIVE_OUT": None},
    )
    assert data.exit_code == 0, data.stderr
    settings = {s["option"]: s for s in json.loads(data.stdout)["settings"]}
    assert settings["--confirm-apart"] == {
        "option": "--confirm-apart",
        "value": "1d",
        "source": f"environment KZARCHIVE_CONFIRM_APART, over the 2s stored in "
        f"{out / 'kzarchive.db'}",
    }
    assert settings["--confirm-after"]["value"] == 2
    assert settings["--out"] == {"option": "--out", "value": str(out), "source": "command line"}
    assert sorted(p.name for p in out.iterdir()) == before  # no -wal, no -shm left behind
    # No library there: the defaults, and nothing made
    shown = CliRunner().invoke(main, ["config", "--out", str(tmp_path / "none")], env=clear)
    assert shown.exit_code == 0, shown.stderr
    line = next(ln for ln in shown.stdout.splitlines() if ln.startswith("--confirm-apart "))
    assert line.split() == ["--confirm-apart", "3d", "(default)"]
    assert not (tmp_path / "none").exists()
