"""``kzarchive run``: extract, check and archive into a folder that resumes."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kzarchive.cli.context import Settings
from kzarchive.cli.extract import extract_document
from kzarchive.cli.options import (
    DOCUMENT_HELP,
    all_links_option,
    archive_options,
    archive_private_option,
    archive_record,
    check_options,
    check_record,
    document_argument,
    evidence_options,
    evidence_record,
    global_options,
    keep_secrets_option,
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
    help="Folder for manifest.json, manifest.csv, citations.md and the evidence.",
)
@check_options
@archive_options
@evidence_options
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

    redacted = with_cited_on(
        extract_document(settings, document, params["all_links"], params["keep_secrets"]), params
    )
    out: Path = params["out"]
    check_opts = check_record(params)
    archive_opts = archive_record(params, redacted.extraction)
    evidence_opts = evidence_record(params)
    scope = scope_record(params)

    async def work(observer: Observer) -> RunResult:
        async with WaybackClient(settings.wayback_url, load_credentials()) as client:
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
            )

    with FolderLock(out), settings.observer() as observer:
        try:
            result = asyncio.run(work(observer))
        except KeyboardInterrupt:
            settings.err.print(f"interrupted: {out / MANIFEST_NAME} keeps what was finished")
            sys.exit(ExitCode.INTERRUPTED)
    if not settings.quiet:
        from kzarchive.cli import views

        settings.err.print(views.run_summary(result.manifest, result.written, result.kept))
    cited = [record for record in result.manifest.links if record.cited]
    sys.exit(
        run_exit(
            (r.check for r in cited if r.check),
            (r.archive for r in cited if r.archive),
            result.offline,
        )
    )
