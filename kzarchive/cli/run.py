"""``kzarchive run``: extract, check and archive into a folder that resumes."""

from __future__ import annotations

import asyncio
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kzarchive.cli.context import Settings, open_output, report_text
from kzarchive.cli.extract import extract_document
from kzarchive.cli.options import (
    DOCUMENT_HELP,
    all_links_option,
    archive_options,
    archive_private_option,
    archive_record,
    browser_options,
    browser_record,
    check_options,
    check_record,
    document_argument,
    evidence_options,
    evidence_record,
    global_options,
    keep_secrets_option,
    output_option,
    pacing_record,
    perma_options,
    perma_record,
    scope_options,
    scope_record,
    verify_record,
    with_cited_on,
)
from kzarchive.manifest import MANIFEST_NAME
from kzarchive.outcome import ExitCode, run_exit
from kzarchive.progress import Observer

if TYPE_CHECKING:
    from kzarchive.pipeline import RunResult


@click.command("run", short_help="Extract, check and archive into a folder.", epilog=DOCUMENT_HELP)
@global_options
@document_argument
@click.option(
    "--out",
    envvar="KZARCHIVE_OUT",
    default="archive",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for manifest.json, manifest.csv, citations.md, report.html and the evidence.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "junit", "csv", "json"]),
    help="Also write the links' results in this format to stdout or --output (for CI).",
)
@output_option
@click.option(
    "--adopt",
    is_flag=True,
    help="Take over a folder that holds another document's archive (an edited copy, say), "
    "keeping all it knew; its old manifest is kept beside as manifest.json.adopted-TIME.",
)
@check_options
@archive_options
@perma_options
@evidence_options
@browser_options
@scope_options
@archive_private_option
@all_links_option
@keep_secrets_option
@click.pass_obj
def run_command(settings: Settings, /, document: Path, **params: Any) -> None:
    """Extract, check and archive; write the manifest and its renderings into --out."""
    from kzarchive.lock import FolderLock
    from kzarchive.pipeline import run_pipeline
    from kzarchive.wayback.client import WaybackClient
    from kzarchive.wayback.credentials import load_credentials

    if params["output"] and not params["fmt"]:
        raise click.UsageError("--output is where --format writes: give --format too")
    redacted = with_cited_on(
        extract_document(settings, document, params["all_links"], params["keep_secrets"]), params
    )
    out: Path = params["out"]
    check_opts = check_record(params)
    archive_opts = archive_record(params, redacted.extraction)
    evidence_opts = replace(evidence_record(params), browser=browser_record(params))
    scope = scope_record(params)

    async def work(observer: Observer) -> RunResult:
        async with WaybackClient(
            settings.wayback_url, load_credentials(), pacing=pacing_record(params)
        ) as client:
            return await run_pipeline(
                redacted,
                out,
                client,
                check_opts,
                archive_opts,
                observer,
                scope=scope,
                verify_options=verify_record(params),
                evidence_options=evidence_opts,
                adopt=params["adopt"],
                perma_options=perma_record(params),
            )

    with FolderLock(out), settings.observer() as observer:
        try:
            result = asyncio.run(work(observer))
        except KeyboardInterrupt:
            settings.err.print(f"interrupted: {out / MANIFEST_NAME} keeps what was finished")
            sys.exit(ExitCode.INTERRUPTED)
    cited = [record for record in result.manifest.links if record.cited]
    if params["fmt"]:
        from kzarchive.reporters import LinkResult, Results, document_name

        results = Results(
            document_name(redacted.extraction.document.path),
            tuple(LinkResult(r.url, r.footnotes, r.check, r.archive) for r in cited),
            result.offline,
        )
        with open_output(params["output"]) as stream:
            stream.write(report_text(params["fmt"], results, params["output"]))
    if not settings.quiet:
        from kzarchive.cli import views

        sheets, lines = views.run_summary(
            result.manifest, result.written, result.kept, result.saved_now, result.cdx_requests
        )
        views.print_summary(sheets, lines, sys.stderr)
    sys.exit(
        run_exit(
            (r.check for r in cited if r.check),
            (r.archive for r in cited if r.archive),
            result.offline,
        )
    )
