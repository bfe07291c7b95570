"""``kzarchive verify``: does the evidence in a folder still hold what was recorded?"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click

from kzarchive.cli.context import Settings, open_output, warn
from kzarchive.cli.options import format_option, global_options, output_option
from kzarchive.outcome import ExitCode


@click.command(
    "verify",
    short_help="Check that the evidence in a folder is what was recorded.",
    epilog="FOLDER is archive unless given. Exit 0: everything holds; 1: something is altered "
    "or missing; 2: nothing there can be verified.",
)
@global_options
@click.argument("folder", default="archive", type=click.Path(file_okay=False, path_type=Path))
@format_option("table", "json")
@output_option
@click.pass_obj
def verify_command(settings: Settings, /, folder: Path, fmt: str, output: str | None) -> None:
    """Recompute every hash of the evidence and check every timestamp token's signature."""
    from kzarchive import formats
    from kzarchive.evidence.verify import verify_folder

    result = verify_folder(folder)
    with open_output(output) as stream:
        if fmt == "json":
            stream.write(formats.to_json(result.to_json()))
        else:
            from kzarchive.cli import views

            views.print_sheet(views.verify_table(result), stream)
    counts = Counter(f.status for f in result.findings)
    settings.err.print(", ".join(f"{n} {status}" for status, n in counts.items()))
    bad = [f for f in result.findings if f.status in ("altered", "missing")]
    if bad:
        named = ", ".join(f.path for f in bad[:5]) + (", …" if len(bad) > 5 else "")
        warn(settings, [f"{len(bad)} altered or missing: {named}"])
    sys.exit(ExitCode.OK if result.holds else ExitCode.FINDINGS)
