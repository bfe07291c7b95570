"""``kzarchive config``: every setting with the value in force, defaults given in words included."""

from __future__ import annotations

import json

from click.testing import CliRunner

from kzarchive.cli import main


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
