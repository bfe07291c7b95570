"""``kzarchive extract``, and the reading of a document every link command starts with."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kzarchive.cli.context import Settings, counted, open_output, warn
from kzarchive.cli.options import (
    DOCUMENT_HELP,
    STDIN_NAME,
    all_links_option,
    document_argument,
    format_option,
    global_options,
    keep_secrets_option,
    output_option,
)
from kzarchive.errors import KzarchiveError

if TYPE_CHECKING:
    from kzarchive.scope import Redacted


def extract_document(
    settings: Settings, document: Path, all_links: bool, keep_secrets: bool = False
) -> Redacted:
    """The document's citations, with the secrets in their URLs hidden unless kept."""
    from kzarchive.extract import extract
    from kzarchive.scope import redact_extraction

    if str(document) == "-":
        document = Path(STDIN_NAME)
        found = extract(document, all_links=all_links, data=sys.stdin.buffer.read())
    else:
        found = extract(document, all_links=all_links)
    redacted = redact_extraction(found, keep_secrets)
    extraction = redacted.extraction
    warn(settings, extraction.warnings)
    if not extraction.citations:
        # One rule for input that gives nothing to work on (this, or an empty document from a
        # file or standard input): one line, exit 2, nothing written.
        raise KzarchiveError(
            f"{document}: no footnoted URLs found"
            + ("" if all_links else " (try --all-links to list every URL in it)")
        )
    return redacted


@click.command("extract", short_help="List the footnoted URLs of a document.", epilog=DOCUMENT_HELP)
@global_options
@document_argument
@format_option("table", "json", "csv", "urls")
@all_links_option
@keep_secrets_option
@output_option
@click.pass_obj
def extract_command(
    settings: Settings,
    document: Path,
    fmt: str,
    all_links: bool,
    keep_secrets: bool,
    output: str | None,
) -> None:
    """List the document's footnoted URLs."""
    from kzarchive import formats

    extraction = extract_document(settings, document, all_links, keep_secrets).extraction
    with open_output(output) as stream:
        if fmt == "json":
            stream.write(formats.to_json(formats.extraction_json(extraction)))
        elif fmt == "csv":
            # One rule for CSV: a byte-order mark in files (for spreadsheets), none on stdout.
            bom = "" if output in (None, "-") else "\ufeff"
            stream.write(bom + formats.extraction_csv(extraction))
        elif fmt == "urls":
            stream.write(formats.extraction_urls(extraction))
        elif extraction.citations:
            from kzarchive.cli import views

            views.print_sheet(views.extraction_table(extraction), stream)
            settings.err.print(
                f"{counted(len(extraction.footnotes), 'footnote')}, "
                f"{counted(len(extraction.citations), 'citation')}, "
                f"{counted(len(extraction.links), 'unique URL')}"
            )
