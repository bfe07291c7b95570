"""``kzarchive run``: extract, check and archive into a folder that resumes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from kzarchive.cli.context import Settings
from kzarchive.cli.library import documents_argument, run_documents, work_options
from kzarchive.cli.options import (
    global_options,
    output_option,
)

DOCUMENTS_HELP = (
    "DOCUMENT is sources.txt unless given; '-' reads standard input; a FOLDER means every "
    "document in it; a GLOB ('reports/*.pdf') every document it matches."
)


@click.command("run", short_help="Extract, check and archive into a folder.", epilog=DOCUMENTS_HELP)
@global_options
@documents_argument
@click.option(
    "--out",
    envvar="KZARCHIVE_OUT",
    default="archive",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for manifest.json, manifest.csv, citations.md, report.html and the evidence "
    "(for several documents, a folder or a glob: one folder each inside it, and library.html).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "junit", "csv", "json"]),
    help="Also write the links' results in this format to stdout or --output (for CI; one "
    "document).",
)
@output_option
@click.option(
    "--adopt",
    is_flag=True,
    help="Take over a folder that holds another document's archive (an edited copy, say), "
    "keeping all it knew; its old manifest is kept beside as manifest.json.adopted-TIME.",
)
@work_options
@click.pass_obj
def run_command(settings: Settings, /, documents: tuple[str, ...], **params: Any) -> None:
    """Extract, check and archive; write the manifest and its renderings into --out.

    With several documents (or a folder, or a glob), each unique URL is worked on once whoever
    cites it, each document gets its own folder inside --out, the library gets library.html and
    library.csv, and a run again picks up only what changed or is due; a document with no
    footnoted URL is skipped with a warning. One document the --out library already holds
    updates its folder there."""
    if params["output"] and not params["fmt"]:
        raise click.UsageError("--output is where --format writes: give --format too")
    run_documents(settings, documents, params)
