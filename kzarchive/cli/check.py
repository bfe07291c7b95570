"""``kzarchive check``: does every cited URL still resolve?"""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import click

from kzarchive.cli.context import Settings, open_output
from kzarchive.cli.extract import extract_document
from kzarchive.cli.options import (
    DOCUMENT_HELP,
    all_links_option,
    check_options,
    check_record,
    document_argument,
    format_option,
    global_options,
    keep_secrets_option,
    output_option,
    scope_options,
    scope_record,
)
from kzarchive.outcome import check_exit


@click.command(
    "check", short_help="Check that every cited URL still resolves.", epilog=DOCUMENT_HELP
)
@global_options
@document_argument
@check_options
@format_option("table", "json")
@scope_options
@all_links_option
@keep_secrets_option
@output_option
@click.pass_obj
def check_command(settings: Settings, /, document: Path, **params: Any) -> None:
    """Check whether every footnoted URL still resolves; exit 1 if any is dead."""
    from kzarchive import formats
    from kzarchive.models import VERDICTS
    from kzarchive.steps import check_links

    redacted = extract_document(settings, document, params["all_links"], params["keep_secrets"])
    links = redacted.extraction.links
    with settings.observer() as observer:
        run = asyncio.run(
            check_links(redacted, scope_record(params), check_record(params), observer)
        )
    rows = [(link, run.checks[link.url]) for link in links]
    with open_output(params["output"]) as stream:
        if params["fmt"] == "json":
            stream.write(formats.to_json(formats.check_json(rows, run.offline)))
        elif rows:
            from kzarchive.cli import views

            views.print_sheet(views.check_table(rows), stream)
    counts = Counter(check.verdict for _, check in rows)
    settings.err.print(
        ", ".join(f"{counts[v]} {v}" for v in VERDICTS if counts[v]) or "nothing to check"
    )
    sys.exit(check_exit((check for _, check in rows), run.offline))
