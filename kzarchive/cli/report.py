"""``kzarchive report``: a manifest rendered as CSV, Markdown, HTML or JSON."""

from __future__ import annotations

from pathlib import Path

import click

from kzarchive.cli.context import open_output
from kzarchive.cli.options import format_option, global_options, manifest_argument, output_option
from kzarchive.render import RENDERERS


@click.command(
    "report",
    short_help="Render a manifest (CSV, Markdown, HTML, JSON).",
    epilog="MANIFEST is archive/manifest.json unless given; a folder means its manifest.json.",
)
@global_options
@manifest_argument
@format_option("markdown", *sorted(set(RENDERERS) - {"markdown"}))
@output_option
def report_command(manifest: Path, fmt: str, output: str | None) -> None:
    """Render a manifest as CSV, Markdown, standalone HTML (Robust Links) or JSON."""
    from kzarchive.manifest import load
    from kzarchive.render import file_text

    renderer, loaded = RENDERERS[fmt], load(manifest)
    to_file = output not in (None, "-")
    text = file_text(renderer, loaded) if to_file else renderer.render(loaded)
    with open_output(output) as stream:
        stream.write(text)
