"""``kzarchive diff``: what changed between two manifests."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click

from kzarchive.cli.context import Settings, open_output, warn
from kzarchive.cli.options import format_option, global_options, manifest_path, output_option
from kzarchive.outcome import ExitCode


@click.command("diff", short_help="What changed between two manifests.")
@global_options
@click.argument("old", type=click.Path(path_type=Path), callback=manifest_path)
@click.argument("new", type=click.Path(path_type=Path), callback=manifest_path)
@format_option("table", "json")
@output_option
@click.pass_obj
def diff_command(settings: Settings, /, old: Path, new: Path, fmt: str, output: str | None) -> None:
    """What changed between two manifests; exit 1 if a link newly died."""
    from kzarchive import formats
    from kzarchive.diff import diff, newly_dead, other_document
    from kzarchive.manifest import load

    before, after = load(old), load(new)
    warn(
        settings, [said] if (said := other_document(before, after, old.parent, new.parent)) else []
    )
    changes = diff(before, after)
    with open_output(output) as stream:
        if fmt == "json":
            stream.write(formats.to_json({"changes": [c.to_json() for c in changes]}))
        elif changes:
            from kzarchive.cli import views

            views.print_sheet(views.diff_table(changes), stream)
    counts = Counter(c.kind for c in changes)
    settings.err.print(", ".join(f"{n} {kind}" for kind, n in counts.items()) or "no changes")
    sys.exit(ExitCode.FINDINGS if newly_dead(changes) else ExitCode.OK)
