"""The group imports a command's module only when that command runs; what spans every command
(``--help``, the settings file, ``kzarchive config``) still sees them all."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import kzarchive.cli
from kzarchive.cli import main
from kzarchive.cli.app import COMMANDS
from tests.conftest import ROOT


def _defined_commands() -> dict[str, click.Command]:
    """Every click command the modules of kzarchive.cli define, by name."""
    found: dict[str, click.Command] = {}
    for module in pkgutil.iter_modules(kzarchive.cli.__path__, "kzarchive.cli."):
        for value in vars(importlib.import_module(module.name)).values():
            if isinstance(value, click.Command) and value is not main and value.name:
                found[value.name] = value
    return found


def test_the_table_names_every_command_with_its_module_and_short_help() -> None:
    defined = _defined_commands()
    assert sorted(COMMANDS) == sorted(defined)
    for name, (module, attribute, short_help) in COMMANDS.items():
        command = getattr(importlib.import_module(module), attribute)
        assert command is defined[name]
        assert command.get_short_help_str(1_000) == short_help, name
        assert not command.hidden


def test_help_lists_every_command_with_its_short_help() -> None:
    done = CliRunner().invoke(main, ["--help"])
    assert done.exit_code == 0
    listed = done.output.split("Commands:\n", 1)[1]
    rows = [" ".join(line.split()) for line in listed.splitlines()]
    assert rows == [f"{name} {COMMANDS[name][2]}" for name in sorted(COMMANDS)]


def test_every_command_shows_its_environment_variables() -> None:
    for name in COMMANDS:
        done = CliRunner().invoke(main, [name, "--help"], terminal_width=200)
        assert done.exit_code == 0, name
        command = main.get_command(click.Context(main), name)
        assert command is not None
        twins = [p for p in command.params if isinstance(p, click.Option) and p.envvar]
        for param in twins:
            assert f"env var: {param.envvar}" in " ".join(done.output.split()), (name, param.name)


PROBE = textwrap.dedent(
    """
    import sys
    import click
    from kzarchive.cli import main
    assert main.get_command(click.Context(main), sys.argv[1]) is not None
    {run}
    others = sorted(
        m for m in sys.modules
        if m.startswith("kzarchive.cli.") and m.rsplit(".", 1)[1] in {{
            "annotate", "archive", "diff", "hook", "library", "report", "run", "settings",
            "verify",
        }}
    )
    loaded = " ".join(sorted(m for m in {heavy!r} if m in sys.modules))
    print("PROBE", " ".join(others), "|", loaded, file=sys.__stderr__)
    """
)
# Modules only other commands use: annotate's office reader, the manifest and its schema, the
# renderers of a manifest, the store.
HEAVY = (
    "kzarchive.annotate_office",
    "kzarchive.manifest",
    "jsonschema",
    "kzarchive.render",
    "kzarchive.store",
)


def _probe(command: str, run: str = "") -> tuple[set[str], set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(run=run, heavy=HEAVY), command],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stderr.splitlines() if x.startswith("PROBE"))
    others, heavy = line.removeprefix("PROBE").split("|")
    return set(others.split()), set(heavy.split())


def test_resolving_check_imports_no_other_command() -> None:
    others, heavy = _probe("check")
    assert others == set()
    assert "kzarchive.annotate_office" not in heavy


def test_running_check_imports_no_other_command(tmp_path: Path) -> None:
    doc = tmp_path / "one.md"
    doc.write_text("A claim.[^1]\n\n[^1]: http://127.0.0.1:9/gone\n")
    run = (
        f"try:\n    main(['check', '--timeout', '0.5', {str(doc)!r}])\nexcept SystemExit:\n    pass"
    )
    others, heavy = _probe("check", run)
    assert others == set()
    assert heavy == set()


def test_a_settings_file_is_checked_against_every_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A setting only `annotate` has is still known when `check` runs; an unknown one is an error
    # found before any command runs.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KZARCHIVE_CONFIG", raising=False)
    Path("kzarchive.toml").write_text("in-place = true\n")
    known = CliRunner().invoke(main, ["check", "--help"])
    Path("kzarchive.toml").write_text("no-such-option = 1\n")
    unknown = CliRunner().invoke(main, ["check", "--help"])
    assert known.exit_code == 0, known.output
    assert unknown.exit_code == 2
    assert "no-such-option: not an option of kzarchive" in unknown.output
