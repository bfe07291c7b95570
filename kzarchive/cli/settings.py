"""``kzarchive schema`` and ``kzarchive config``: the manifest's schema, the settings in force."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kzarchive.cli.app import LazyGroup, main
from kzarchive.cli.context import open_output
from kzarchive.cli.library import STORE_OPTION, out_option
from kzarchive.cli.options import format_option, global_options, output_option

if TYPE_CHECKING:
    from kzarchive.config import Config
    from kzarchive.wayback.memento import OtherArchive


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
@out_option("The library whose stored policy to show (it is read, never made).")
@STORE_OPTION
@click.pass_context
def config_command(ctx: click.Context, /, fmt: str, **_: Any) -> None:
    """Print the settings in force and where each comes from (command line, environment, file,
    the library's store in --out, default)."""
    from kzarchive import formats

    group = ctx.parent.command if ctx.parent else main
    parent = ctx.parent or click.Context(group)
    config: Config = ctx.find_root().meta["kzarchive.config"]
    rows: dict[str, dict[str, Any]] = {}  # by option: one row each (the first command's)
    given = _given_on_command_line(ctx)
    commands: list[click.Command] = [group]
    if isinstance(group, LazyGroup):
        commands += group.all_commands(parent)
    elif isinstance(group, click.Group):
        commands += [group.commands[name] for name in group.list_commands(parent)]
    for command in commands:
        for param in command.params:
            if (
                not isinstance(param, click.Option)
                or param.opts[0] in rows
                or (param.name or "").endswith("_here")  # the global options, given again
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
            if param.name in given:
                value, source = given[param.name], "command line"
            elif envvar and os.environ.get(envvar) not in (None, ""):
                value, source = os.environ[envvar], f"environment {envvar}"
            elif config.where(key):
                value, source = config.settings[key].value, str(config.where(key))
            else:
                value, source = param.default, "default"
                if not isinstance(value, str | int | float | bool | tuple | list):
                    value = False if param.is_flag else None  # click's "unset" marker
                if value is None and isinstance(param.show_default, str):
                    value = param.show_default  # a default in words (OUT/kzarchive.db)
            if isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, Path):
                value = str(value)
            rows[param.opts[0]] = {"option": f"--{key}", "value": value, "source": source}
    _stored_policy(rows)
    archives, where = _archives_in_force(rows)
    data = {
        "config_file": str(config.path) if config.path else None,
        "settings": list(rows.values()),
        "other_archives": {"source": where, "archives": [a.to_json() for a in archives]},
    }
    if fmt == "json":
        click.echo(formats.to_json(data), nl=False)
        return
    click.echo(f"config file: {config.path or '(none)'}")
    width = max(len(row["option"]) for row in rows.values())
    for row in rows.values():
        shown = "" if row["value"] is None else str(row["value"])
        click.echo(f"{row['option']:<{width}}  {shown}  ({row['source']})")
    click.echo(f"other web archives asked: {len(archives)} ({where})")
    named = max((len(a.id) for a in archives), default=0)
    for archive in archives:
        click.echo(f"  {archive.id:<{named}}  {archive.timemap}")


def _given_on_command_line(ctx: click.Context) -> dict[str, Any]:
    """The global options given on this command line, before the command or after it."""
    given: dict[str, Any] = {}
    for context in (ctx.find_root(), ctx):
        for name, value in context.params.items():
            if context.get_parameter_source(name) is click.core.ParameterSource.COMMANDLINE:
                given[name.removesuffix("_here")] = value
    return given


def _stored_policy(rows: dict[str, dict[str, Any]]) -> None:
    """The rot policy the --out library keeps, where nothing more pressing gives it (as every
    later run, recheck and library uses it); the store is read, never made or changed."""
    from kzarchive.cli.library import POLICY
    from kzarchive.store.db import STORE_NAME, stored_settings

    store = rows["--store"]
    out = Path(str(rows["--out"]["value"]))
    path = Path(str(store["value"])) if store["source"] != "default" else out / STORE_NAME
    stored = stored_settings(path)
    for name in POLICY:
        row = rows["--" + name.replace("_", "-")]
        if name not in stored:
            continue
        value: Any = int(stored[name]) if name == "confirm_after" else stored[name]
        if row["source"] == "default":
            row["value"], row["source"] = value, f"stored in {path}"
        elif str(row["value"]) != str(value):  # given: stored in its place by the next command
            row["source"] += f", over the {value} stored in {path}"


def _archives_in_force(rows: dict[str, dict[str, Any]]) -> tuple[list[OtherArchive], str]:
    """The archives a run would ask for copies, and where that list comes from."""
    from kzarchive.wayback.memento import (
        ArchiveListError,
        aggregator,
        default_archives,
        load_archive_list,
    )

    def value(name: str) -> Any:
        return rows.get("--" + name.replace("_", "-"), {}).get("value")

    if str(value("other_archives")).lower() in ("false", "0", "no", "off"):
        return [], "off: --no-other-archives"
    if value("memento_url"):
        return [aggregator(str(value("memento_url")))], f"the aggregator at {value('memento_url')}"
    if value("archive_list"):
        path = Path(str(value("archive_list")))
        try:
            return list(load_archive_list(path)), f"--archive-list {path}"
        except ArchiveListError as exc:
            raise click.ClickException(str(exc)) from None
    return list(default_archives()), "built in: kzarchive/wayback/archives.json"
