"""``kzarchive report`` and ``kzarchive cite``: a manifest rendered for readers (CSV, Markdown,
HTML, JSON) and for reference managers (CSL JSON, BibLaTeX, Wikipedia templates)."""

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


CITE_FORMATS = ("csl-json", "biblatex", "wikipedia")


@click.command(
    "cite",
    short_help="Citations for reference managers (CSL JSON, BibLaTeX, Wikipedia).",
    epilog="MANIFEST is archive/manifest.json unless given; a folder means its manifest.json. "
    "Archive fields come only from copies judged to hold the page.",
)
@global_options
@manifest_argument
@format_option(*CITE_FORMATS)
@output_option
def cite_command(manifest: Path, fmt: str, output: str | None) -> None:
    """One entry per citation, with its archived copy: CSL JSON, BibLaTeX or {{cite web}}."""
    from kzarchive.cite import CITERS
    from kzarchive.manifest import load

    text = CITERS[fmt].render(load(manifest))
    with open_output(output) as stream:
        stream.write(text)
