"""The ``kzarchive`` group: global options, the configuration file, and the one exit point.

Every :class:`~kzarchive.errors.KzarchiveError` becomes one line on stderr and exit code 2; Ctrl-C
is 130 everywhere. The configuration file gives the defaults of every command's options.
"""

from __future__ import annotations

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


class _Group(click.Group):
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


def _default_map(group: click.Group, config: Config) -> dict[str, Any]:
    """click's default_map from the file's settings, each checked against its option."""
    from kzarchive.config import ConfigError

    found: dict[str, Any] = {}
    for key, setting in config.settings.items():
        flag = f"--{key}"
        places: list[tuple[dict[str, Any], click.Command, click.Parameter]] = []
        for param in group.params:
            if flag in getattr(param, "opts", ()) and param.name != "config":
                places.append((found, group, param))
        for name, command in group.commands.items():
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
                raise ConfigError(f"{setting.where}: {key}: {exc.format_message()}") from None
            assert param.name is not None
            target[param.name] = value
    return found


@click.group(
    cls=_Group,
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
    """Every option's ``KZARCHIVE_*`` twin in its ``--help``."""
    for command in [group, *group.commands.values()]:
        for param in command.params:
            if isinstance(param, click.Option) and param.envvar:
                param.show_envvar = True
