"""``kzarchive schema`` and ``kzarchive config``: the manifest's schema, the settings in force."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import click

from kzarchive.cli.app import main
from kzarchive.cli.context import open_output
from kzarchive.cli.options import format_option, global_options, output_option

if TYPE_CHECKING:
    from kzarchive.config import Config


@click.command("schema", short_help="Print the manifest's JSON Schema.")
@global_options
@output_option
def schema_command(output: str | None) -> None:
    """Print the JSON Schema every manifest is checked against when it is read."""
    from kzarchive.manifest import schema_text

    with open_output(output) as stream:
        stream.write(schema_text())


@click.command("config", short_help="Show the settings in force and their sources.")
@global_options
@format_option("table", "json")
@click.pass_context
def config_command(ctx: click.Context, fmt: str) -> None:
    """Print the settings in force and where each comes from (file, environment, default)."""
    from kzarchive import formats

    group = ctx.parent.command if ctx.parent else main
    config: Config = ctx.find_root().meta["kzarchive.config"]
    rows: dict[str, dict[str, Any]] = {}
    commands = [group, *group.commands.values()] if isinstance(group, click.Group) else [group]
    for command in commands:
        for param in command.params:
            if (
                not isinstance(param, click.Option)
                or param.name in rows
                or param.name
                in (
                    "config",
                    "fmt",
                    "output",
                    "help",
                    "version",
                )
            ):
                continue
            key = param.opts[0].lstrip("-")
            envvar = param.envvar if isinstance(param.envvar, str) else None
            value: Any
            if envvar and os.environ.get(envvar) not in (None, ""):
                value, source = os.environ[envvar], f"environment {envvar}"
            elif config.where(key):
                value, source = config.settings[key].value, str(config.where(key))
            else:
                value, source = param.default, "default"
                if not isinstance(value, str | int | float | bool | tuple | list):
                    value = False if param.is_flag else None  # click's "unset" marker
            if isinstance(value, tuple):
                value = list(value)
            assert param.name is not None
            rows[param.name] = {"option": f"--{key}", "value": value, "source": source}
    data = {
        "config_file": str(config.path) if config.path else None,
        "settings": list(rows.values()),
    }
    if fmt == "json":
        click.echo(formats.to_json(data), nl=False)
        return
    click.echo(f"config file: {config.path or '(none)'}")
    width = max(len(row["option"]) for row in rows.values())
    for row in rows.values():
        shown = "" if row["value"] is None else str(row["value"])
        click.echo(f"{row['option']:<{width}}  {shown}  ({row['source']})")
