"""The ``kzarchive`` group: global options, the configuration file, and the one exit point.

Every :class:`~kzarchive.errors.KzarchiveError` becomes one line on stderr and exit code 2; Ctrl-C
is 130 everywhere. The configuration file gives the defaults of every command's options.

Each command's module is imported only when that command runs (click's "lazy loading
subcommands"): ``kzarchive check`` does not wait for the modules of ``annotate`` or ``library``.
:data:`COMMANDS` names them, with the short help ``--help`` lists without importing them.
"""

from __future__ import annotations

import importlib
import os
import sys
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from kzarchive import __version__
from kzarchive.cli.context import Settings
from kzarchive.cli.options import valid_base_url
from kzarchive.errors import KzarchiveError
from kzarchive.outcome import ExitCode

if TYPE_CHECKING:
    from kzarchive.config import Config


class Failure(click.ClickException):
    exit_code = ExitCode.USAGE

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"kzarchive: error: {self.format_message()}", err=True)


# name -> (module, attribute, short help), in the order ``kzarchive config`` lists their settings.
# tests/test_cli_lazy.py checks this table against the commands themselves.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "extract": (
        "kzarchive.cli.extract",
        "extract_command",
        "List the footnoted URLs of a document.",
    ),
    "check": ("kzarchive.cli.check", "check_command", "Check that every cited URL still resolves."),
    "archive": (
        "kzarchive.cli.archive",
        "archive_command",
        "Find or make a Wayback snapshot of every link.",
    ),
    "run": ("kzarchive.cli.run", "run_command", "Extract, check and archive into a folder."),
    "recheck": (
        "kzarchive.cli.library",
        "recheck_command",
        "Check again the library's links that are due.",
    ),
    "library": (
        "kzarchive.cli.library",
        "library_command",
        "The library's rot over time: library.html and .csv.",
    ),
    "report": (
        "kzarchive.cli.report",
        "report_command",
        "Render a manifest (CSV, Markdown, HTML, JSON).",
    ),
    "cite": (
        "kzarchive.cli.report",
        "cite_command",
        "Citations for reference managers (CSL JSON, BibLaTeX, Wikipedia).",
    ),
    "annotate": (
        "kzarchive.cli.annotate",
        "annotate_command",
        "Add archive links to a copy of a document.",
    ),
    "diff": ("kzarchive.cli.diff", "diff_command", "What changed between two manifests."),
    "verify": (
        "kzarchive.cli.verify",
        "verify_command",
        "Check that the evidence in a folder is what was recorded.",
    ),
    "restore": (
        "kzarchive.cli.verify",
        "restore_command",
        "Bring back the manifest the last seal keeps.",
    ),
    "schema": ("kzarchive.cli.settings", "schema_command", "Print the manifest's JSON Schema."),
    "config": (
        "kzarchive.cli.settings",
        "config_command",
        "Show the settings in force and their sources.",
    ),
    "hook": (
        "kzarchive.cli.hook",
        "hook_command",
        "Check the links of changed documents (for pre-commit).",
    ),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command, its module imported now if it was not yet."""
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module, attribute, _ = COMMANDS[cmd_name]
            command = getattr(importlib.import_module(module), attribute)
            assert isinstance(command, click.Command), f"{module}.{attribute}"
            _show_envvars(command)
            self.add_command(command, cmd_name)
        return self.commands.get(cmd_name)

    def all_commands(self, ctx: click.Context) -> list[click.Command]:
        """Every command, imported, in :data:`COMMANDS`' order (for what spans them all)."""
        names = [*COMMANDS, *(n for n in self.commands if n not in COMMANDS)]
        found = (self.get_command(ctx, name) for name in names)
        return [command for command in found if command is not None]

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # The table's short help, so that --help imports no command's module.
        rows = []
        for name in self.list_commands(ctx):
            if name in COMMANDS and name not in self.commands:
                rows.append((name, COMMANDS[name][2]))
            elif (command := self.commands.get(name)) is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(1_000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        # The configuration file gives the defaults of every command's options; click puts the
        # command line first, then the environment, then these, then the built-in defaults.
        try:
            config = _load_config(args)
            if config.settings:  # without a settings file, no command's module need load
                extra.setdefault("default_map", _default_map(self, config))
        except KzarchiveError as exc:
            Failure(str(exc)).show()
            sys.exit(ExitCode.USAGE)
        context = super().make_context(info_name, args, parent, **extra)
        context.meta["kzarchive.config"] = config
        return context

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KzarchiveError as exc:
            raise Failure(str(exc)) from None

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """The one exit point: every error is one line on stderr; Ctrl-C is 130 everywhere."""
        if kwargs.get("standalone_mode") is False:
            return super().main(*args, **kwargs)
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except click.exceptions.Exit as done:
            sys.exit(done.exit_code)
        except click.UsageError as exc:
            Failure(_usage_message(exc)).show()
            sys.exit(ExitCode.USAGE)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except (click.Abort, KeyboardInterrupt):
            click.echo("kzarchive: interrupted", err=True)
            sys.exit(ExitCode.INTERRUPTED)
        sys.exit(int(code) if isinstance(code, int) else ExitCode.OK)


def _usage_message(exc: click.UsageError) -> str:
    """A usage error as one line, naming the option and where its bad value came from (the
    command line, an environment variable, the settings file)."""
    ctx = exc.ctx
    if isinstance(exc, click.BadParameter) and isinstance(exc.param, click.Option) and ctx:
        exc.param_hint = " / ".join(f"'{o}'" for o in exc.param.opts) + _origin(ctx, exc.param)
    message = exc.format_message()
    if ctx is not None:
        message += f" (see '{ctx.command_path} --help')"
    return " ".join(message.split())


def _origin(ctx: click.Context, param: click.Option) -> str:
    """Where ``param``'s value came from, as the error says it ("" for the command line)."""
    from click.core import ParameterSource

    source = ctx.get_parameter_source(param.name) if param.name else None
    if source == ParameterSource.ENVIRONMENT:
        names = [param.envvar] if isinstance(param.envvar, str) else list(param.envvar or ())
        given = next((n for n in names if os.environ.get(n)), names[0] if names else "")
        return f" (from the environment variable {given})"
    if source == ParameterSource.DEFAULT_MAP:
        config = ctx.find_root().meta.get("kzarchive.config")
        where = getattr(config, "path", None)
        return f" (from {where})" if where else " (from the settings file)"
    return ""


def _load_config(args: list[str]) -> Config:
    from kzarchive.config import load_config

    chosen = os.environ.get("KZARCHIVE_CONFIG") or None
    for i, arg in enumerate(args):
        if arg == "--config" and i + 1 < len(args):
            chosen = args[i + 1]
        elif arg.startswith("--config="):
            chosen = arg.split("=", 1)[1]
    return load_config(Path(chosen) if chosen else None, Path.cwd())


def _default_map(group: LazyGroup, config: Config) -> dict[str, Any]:
    """click's default_map from the file's settings, each checked against its option."""
    from kzarchive.config import ConfigError

    found: dict[str, Any] = {}
    for key, setting in config.settings.items():
        flag = f"--{key}"
        places: list[tuple[dict[str, Any], click.Command, click.Parameter]] = []
        for param in group.params:
            if flag in getattr(param, "opts", ()) and param.name != "config":
                places.append((found, group, param))
        for command in group.all_commands(click.Context(group)):
            name = command.name or ""
            for param in command.params:
                if isinstance(param, click.Option) and flag in param.opts:
                    places.append((found.setdefault(name, {}), command, param))
        if not places:
            raise ConfigError(f"{setting.where}: {key}: not an option of kzarchive")
        value = setting.value
        if isinstance(value, date):
            value = value.isoformat()
        for target, command, param in places:
            if getattr(param, "multiple", False) and not isinstance(value, list):
                value = [value]
            try:
                context = click.Context(command)
                converted = param.type_cast_value(context, value)
                if param.callback is not None:
                    param.callback(context, param, converted)
            except click.BadParameter as exc:
                # the message alone: click's hint would name the option's environment variable
                raise ConfigError(f"{setting.where}: {key}: {exc.message}") from None
            assert param.name is not None
            target[param.name] = value
    return found


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "show_default": True},
)
@click.option(
    "--wayback-url",
    envvar="KZARCHIVE_WAYBACK_URL",
    default="https://web.archive.org",
    show_default=True,
    callback=valid_base_url,
    help="Base URL of every Wayback Machine endpoint used.",
)
@click.option(
    "--quiet", "-q", is_flag=True, envvar="KZARCHIVE_QUIET", help="Print only errors on stderr."
)
@click.option(
    "--verbose",
    "-v",
    is_flag=True,
    envvar="KZARCHIVE_VERBOSE",
    help="A line on stderr per finished link (else, in a log, a progress line every 5 s).",
)
@click.option(
    "--config",
    envvar="KZARCHIVE_CONFIG",
    type=click.Path(dir_okay=False),
    help="Settings file (default: kzarchive.toml, else [tool.kzarchive] in pyproject.toml).",
)
@click.version_option(__version__, prog_name="kzarchive")
@click.pass_context
def main(
    ctx: click.Context, wayback_url: str, quiet: bool, verbose: bool, config: str | None
) -> None:
    """Keep a report's footnoted sources alive: extract, check and archive every cited URL."""
    ctx.obj = Settings(wayback_url=wayback_url, quiet=quiet, verbose=verbose)


def show_environment_variables(group: click.Group) -> None:
    """Every option's ``KZARCHIVE_*`` twin in its ``--help`` (the group's and its commands'
    loaded so far; :class:`LazyGroup` does the same for each command it loads later)."""
    for command in [group, *group.commands.values()]:
        _show_envvars(command)


def _show_envvars(command: click.Command) -> None:
    for param in command.params:
        if isinstance(param, click.Option) and param.envvar:
            param.show_envvar = True
