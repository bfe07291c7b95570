"""The user docs against the CLI they describe: every option and its environment twin in
docs/configuration.md, every command in the README's table and its exit codes, and the few
statements a new user found untrue."""

from __future__ import annotations

import re
from pathlib import Path

import click
from click.testing import CliRunner

from kzarchive.cli import main

ROOT = Path(__file__).resolve().parent.parent
OPTION = re.compile(r"--[a-z][a-z0-9-]*")


def _rows(text: str) -> list[list[str]]:
    """The cells of every Markdown table row in ``text``."""
    return [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in text.splitlines()
        if line.lstrip().startswith("|") and not set(line) <= set("|-: ")
    ]


def _section(text: str, heading: str) -> str:
    start = text.index(f"\n## {heading}")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def _commands() -> list[str]:
    return main.list_commands(click.Context(main))


def _options() -> list[tuple[str, click.Option]]:
    found = [(name, p) for name in ["", *_commands()] for p in _command(name).params]
    return [(name, p) for name, p in found if isinstance(p, click.Option)]


def _command(name: str) -> click.Command:
    if not name:
        return main
    command = main.get_command(click.Context(main), name)  # loaded on demand (lazy group)
    assert command is not None, name
    return command


def _long(param: click.Option) -> str:
    return next(flag for flag in param.opts if flag.startswith("--"))


def test_every_option_is_in_the_configuration_table() -> None:
    rows = _rows((ROOT / "docs/configuration.md").read_text(encoding="utf-8"))
    named = {option: row for row in rows for option in OPTION.findall(row[0])}
    missing = sorted(
        f"{command or 'kzarchive'} {flag}"
        for command, param in _options()
        for flag in param.opts + param.secondary_opts
        if flag.startswith("--") and flag != "--help" and flag not in named
    )
    assert missing == [], missing
    wrong_env = sorted(
        f"{command or 'kzarchive'} {_long(param)}: {param.envvar}"
        for command, param in _options()
        if isinstance(param.envvar, str) and f"`{param.envvar}`" not in named[_long(param)][1]
    )
    assert wrong_env == [], wrong_env


def test_no_default_names_the_closed_timetravel_aggregator() -> None:
    assert _command("run").params  # the options exist to be described
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for line in page.read_text(encoding="utf-8").splitlines():
            if "memento-url" in line:
                assert "timetravel" not in line.lower(), (page.name, line)


def _listed_commands() -> list[str]:
    """The commands ``kzarchive --help`` lists."""
    shown = CliRunner().invoke(main, ["--help"]).output
    return re.findall(r"^  ([a-z][a-z-]*) ", shown.split("Commands:", 1)[1], re.M)


def test_every_command_is_in_the_readme_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = _rows(_section(readme, "Commands"))
    table = {name for row in rows for name in re.findall(r"`kzarchive ([a-z-]+)", row[0])}
    assert sorted(_listed_commands()) == sorted(_commands())
    assert sorted(set(_listed_commands()) - table) == []


def test_every_command_has_its_exit_codes_in_the_readme() -> None:
    codes = _section((ROOT / "README.md").read_text(encoding="utf-8"), "Exit codes")
    rows = _rows(codes)
    said = {name for row in rows for name in re.findall(r"`([a-z-]+)`", " ".join(row[1:]))}
    assert sorted(set(_listed_commands()) - said) == []
    # Two codes a new user could not find: diff's findings and a document with nothing in it
    assert any("`diff`" in row[1] for row in rows if row[0].startswith("1"))
    assert any("no footnoted URL" in row[1] for row in rows if row[0] == "2")


def test_the_evidence_page_describes_the_browser_capture() -> None:
    evidence = (ROOT / "docs/evidence.md").read_text(encoding="utf-8")
    assert "scripts are not run" not in evidence.lower()
    assert "`--no-browser`" in evidence
    folder = (ROOT / "archive/README.md").read_text(encoding="utf-8")
    assert "`evidence/browser/" in folder
    assert "`report.html`" in folder


def test_the_privacy_page_says_where_cookies_go() -> None:
    privacy = (ROOT / "docs/privacy.md").read_text(encoding="utf-8")
    cookies = next(p for p in privacy.split("\n- ") if p.startswith("**Cookies"))
    for said in ("--cookies", "yt-dlp", "never written", "archive"):
        assert said in cookies
    browser = next(p for p in privacy.split("\n- ") if p.startswith("**The browser"))
    assert "`--exclude-private`" in browser


def _blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, re.DOTALL)


def _parses(argv: list[str]) -> None:
    """The kzarchive command line ``argv`` (after the program) is one the CLI accepts."""
    at = next(n for n, word in enumerate(argv) if word in _commands())
    with main.make_context("kzarchive", [*argv[: at + 1]]) as context:
        _command(argv[at]).make_context(argv[at], argv[at + 1 :], parent=context).close()


def _kzarchive_argv(line: str) -> list[str]:
    words = line.split()
    start = next(n for n, w in enumerate(words) if w.endswith("/kzarchive"))
    end = next((n for n, w in enumerate(words) if n > start and w.startswith(">")), len(words))
    return words[start + 1 : end]


def test_the_schedules_people_copy_run_a_real_command() -> None:
    """The README's cron line and systemd units (and docs/library.md's) start a `recheck` the CLI
    accepts, at a valid time, and count only real findings as success."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    exits = {row[0] for row in _rows(_section(readme, "Exit codes"))}
    for text in (readme, (ROOT / "docs" / "library.md").read_text(encoding="utf-8")):
        [cron] = _blocks(text, "cron")
        schedule, command = cron.split(None, 5)[:5], cron.split(None, 5)[5]
        assert all(re.fullmatch(r"[0-9*/,-]+", field) for field in schedule), cron
        argv = _kzarchive_argv(command)
        assert "recheck" in argv and "--quiet" not in argv  # the log gets dead:/dying:/changed:
        _parses(argv)
        units = "\n".join(_blocks(text, "ini"))
        [exec_start] = re.findall(r"^ExecStart=(.*)$", units, re.MULTILINE)
        argv = _kzarchive_argv(exec_start)
        assert "recheck" in argv and "--quiet" not in argv
        _parses(argv)
        # cron's empty environment: the line reads the keys file the unit's EnvironmentFile names
        [keys] = re.findall(r"^EnvironmentFile=-%h/(.*)$", units, re.MULTILINE)
        assert f'set -a && . "$HOME/{keys}" && set +a && ' in command, command
        assert "loginctl enable-linger" in text  # else a user timer stops at logout
        [success] = re.findall(r"^SuccessExitStatus=(.*)$", units, re.MULTILINE)
        assert set(success.split()) == {"1", "4"} and set(success.split()) <= exits
        for key in ("OnCalendar=", "Persistent=true", "WantedBy=timers.target", "Type=oneshot"):
            assert key in units, key
        # keys in a file of their own, not in a unit anyone can read with `systemctl show`
        assert not re.search(r"^Environment=.*IA_SECRET_KEY", units, re.MULTILINE)
