"""``kzarchive archive``: find or make a Wayback snapshot of every link."""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kzarchive.cli.context import Settings, open_output
from kzarchive.cli.extract import extract_document
from kzarchive.cli.options import (
    DOCUMENT_HELP,
    all_links_option,
    archive_options,
    archive_private_option,
    archive_record,
    document_argument,
    format_option,
    global_options,
    keep_secrets_option,
    output_option,
    pacing_record,
    scope_options,
    scope_record,
    verify_record,
    with_cited_on,
)
from kzarchive.outcome import archive_exit
from kzarchive.progress import Observer

if TYPE_CHECKING:
    from kzarchive.models import ArchiveState


@click.command(
    "archive", short_help="Find or make a Wayback snapshot of every link.", epilog=DOCUMENT_HELP
)
@global_options
@document_argument
@archive_options
@format_option("table", "json")
@scope_options
@archive_private_option
@all_links_option
@keep_secrets_option
@output_option
@click.pass_obj
def archive_command(settings: Settings, /, document: Path, **params: Any) -> None:
    """Find or make a Wayback snapshot of every link; exit 1 if any is left without one."""
    from kzarchive import formats
    from kzarchive.steps import archive_links
    from kzarchive.wayback.client import WaybackClient
    from kzarchive.wayback.credentials import load_credentials

    redacted = with_cited_on(
        extract_document(settings, document, params["all_links"], params["keep_secrets"]), params
    )
    links = redacted.extraction.links
    options = archive_record(params, redacted.extraction)

    asked = 0

    async def work(observer: Observer) -> dict[str, ArchiveState]:
        nonlocal asked
        async with WaybackClient(
            settings.wayback_url, load_credentials(), pacing=pacing_record(params)
        ) as client:
            try:
                return await archive_links(
                    redacted, scope_record(params), client, options, observer, verify_record(params)
                )
            finally:
                asked = client.cdx_requests

    with settings.observer() as observer:
        states = asyncio.run(work(observer))
    rows = [(link, states[link.url]) for link in links]
    with open_output(params["output"]) as stream:
        if params["fmt"] == "json":
            stream.write(formats.to_json(formats.archive_json(rows)))
        elif rows:
            from kzarchive.cli import views

            views.print_sheet(views.archive_table(rows), stream)
    from kzarchive.cli.views import archive_said

    # The words of the table's archive column, counted; then what the exit code says
    counts = Counter(archive_said(state) for _, state in rows)
    missing = sum(1 for _, state in rows if not (state.preserved or state.withheld))
    settings.err.print(
        ", ".join(f"{n} {status}" for status, n in counts.items())
        + (f"; {missing} not preserved" if missing else "")
        + f"; {asked} request{'s' if asked != 1 else ''} to the Wayback index"
    )
    sys.exit(archive_exit(state for _, state in rows))
