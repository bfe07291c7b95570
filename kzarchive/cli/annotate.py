"""``kzarchive annotate``: a copy of a document with an archive link after each footnote URL."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import Any

import click

from kzarchive.cli.context import Settings, counted, warn
from kzarchive.cli.options import STDIN_NAME, global_options, manifest_path, output_option
from kzarchive.errors import KzarchiveError
from kzarchive.extract.reading import read_bytes
from kzarchive.manifest import MANIFEST_NAME


def _made_from(
    recorded: dict[str, Any], manifest_path: Path, document: Path, data: bytes
) -> tuple[str | None, bool]:
    """What to say when the manifest was not made from these bytes (another version of the
    document, or another document altogether: only the URLs they share get links), and whether
    it is of this document, in some version."""
    digest = hashlib.sha256(data).hexdigest()
    if not recorded.get("sha256") or digest == recorded["sha256"]:
        return None, bool(recorded.get("sha256"))
    if recorded.get("location"):
        there = (manifest_path.parent / str(recorded["location"])).resolve()
        same_file = there == document.resolve()
    else:
        same_file = Path(str(recorded.get("path", ""))).name == document.name
    if same_file or digest in (recorded.get("lineage") or ()):
        return f"{manifest_path} was made from another version of {document}", True
    return (
        f"{manifest_path} was made from {recorded.get('path')}, not from {document}: "
        "only the URLs they share get archive links"
    ), False


@click.command("annotate", short_help="Add archive links to a copy of a document.")
@global_options
@click.argument("document", type=click.Path(allow_dash=True, path_type=Path))
@click.option(
    "--manifest",
    "manifest_path",
    default=f"archive/{MANIFEST_NAME}",
    show_default=True,
    type=click.Path(path_type=Path),
    callback=manifest_path,
    help="The manifest (or its folder) whose snapshots are linked.",
)
@output_option
@click.option(
    "--in-place", is_flag=True, help="Rewrite DOCUMENT itself (atomically; keeps DOCUMENT.bak)."
)
@click.pass_obj
def annotate_command(
    settings: Settings, /, document: Path, manifest_path: Path, output: str | None, in_place: bool
) -> None:
    """Copy DOCUMENT with an archive link after each footnote URL (stdout unless --in-place)."""
    from kzarchive.annotate import annotate, write_copy, write_in_place
    from kzarchive.manifest import load

    if in_place and output not in (None, "-"):
        raise click.UsageError("--in-place and --output do not go together")
    from_stdin = str(document) == "-"
    if from_stdin and in_place:
        raise click.UsageError("--in-place needs a file, not standard input")
    if output not in (None, "-") and Path(output).resolve() == document.resolve():
        raise click.UsageError("--output is the document itself: use --in-place to rewrite it")
    # The document first: a missing document is what the user needs to hear of
    data = sys.stdin.buffer.read() if from_stdin else read_bytes(document)
    manifest = load(manifest_path)
    if from_stdin:
        document = Path(STDIN_NAME)
    result = annotate(document, manifest, data)
    said, same = _made_from(manifest.document, manifest_path, document, result.original)
    if not same and result.cited and len(result.absent) == len(result.cited):
        # Nothing in common: the wrong manifest, as run refuses the wrong folder
        raise KzarchiveError(
            f"{manifest_path} is the archive of {manifest.document.get('path')}, which cites none "
            f"of {document}'s URLs: give its own with --manifest (made by 'kzarchive run "
            f"{document}')"
        )
    if said:
        warn(settings, [said])
    if result.missing:
        count = counted(len(result.missing), "URL")
        left = (
            "has no snapshot yet and was left as it is"
            if len(result.missing) == 1
            else "have no snapshot yet and were left as they are"
        )
        warn(settings, [f"{count} {left}: {_listed(result.missing)}"])
    if result.absent:
        count = counted(len(result.absent), "URL")
        verb = "is" if len(result.absent) == 1 else "are"
        rerun = "(run 'kzarchive run' on the document)"
        warn(settings, [f"{count} {verb} not in {manifest_path} {rerun}: {_listed(result.absent)}"])
    if in_place:
        write_in_place(document, result)
    elif output in (None, "-"):
        sys.stdout.flush()
        sys.stdout.buffer.write(result.encoded())
        sys.stdout.buffer.flush()
    else:
        write_copy(Path(output), result)
    settings.err.print(
        f"{counted(result.added, 'archive link')} added"
        + (f", {result.already} already there" if result.already else "")
        + (f", {counted(len(result.missing), 'URL')} without a snapshot" if result.missing else "")
        + (f", {counted(len(result.absent), 'URL')} not in the manifest" if result.absent else "")
    )


def _listed(urls: tuple[str, ...]) -> str:
    return ", ".join(urls[:3]) + (", …" if len(urls) > 3 else "")
