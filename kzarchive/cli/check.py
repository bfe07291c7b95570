"""``kzarchive check``: does every cited URL still resolve?"""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import click

from kzarchive.cli.context import Settings, counted, open_output, report_text
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
from kzarchive.outcome import ExitCode, check_exit


@click.command(
    "check", short_help="Check that every cited URL still resolves.", epilog=DOCUMENT_HELP
)
@global_options
@document_argument
@check_options
@format_option("table", "json", "markdown", "junit", "csv")
@scope_options
@all_links_option
@keep_secrets_option
@output_option
@click.pass_obj
def check_command(settings: Settings, /, document: Path, **params: Any) -> None:
    """Check whether every footnoted URL still resolves; exit 1 if any is dead."""
    from kzarchive.models import VERDICTS, Check
    from kzarchive.steps import check_links, finished_checks

    redacted = extract_document(settings, document, params["all_links"], params["keep_secrets"])
    links = redacted.extraction.links
    scope = scope_record(params)
    finished: dict[str, Check] = {}
    interrupted = False
    with settings.observer() as observer:
        try:
            run = asyncio.run(
                check_links(redacted, scope, check_record(params), observer, finished=finished)
            )
        except KeyboardInterrupt:  # what was finished is shown all the same
            interrupted = True
            run = finished_checks(redacted, scope, finished)
    rows = [(link, run.checks[link.url]) for link in links if link.url in run.checks]
    with open_output(params["output"]) as stream:
        if params["fmt"] != "table":
            from kzarchive.reporters import LinkResult, Results, document_name

            results = Results(
                document_name(redacted.extraction.document.path),
                tuple(LinkResult(link.url, link.footnotes, check) for link, check in rows),
                run.offline,
            )
            stream.write(report_text(params["fmt"], results, params["output"]))
        elif rows:
            from kzarchive.cli import views

            views.print_sheet(views.check_table(rows), stream)
    counts = Counter(check.verdict for _, check in rows)
    settings.err.print(
        ", ".join(f"{counts[v]} {v}" for v in VERDICTS if counts[v]) or "nothing to check"
    )
    if interrupted:
        settings.err.print(
            f"interrupted: {len(rows)} of {counted(len(links), 'link')} checked; those are listed"
        )
        sys.exit(ExitCode.INTERRUPTED)
    sys.exit(check_exit((check for _, check in rows), run.offline))
