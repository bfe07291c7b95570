"""``kzarchive verify``: does the evidence in a folder still hold what was recorded?
``kzarchive restore``: bring back the manifest the last good seal keeps."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kzarchive.cli.context import Settings, open_output, warn
from kzarchive.cli.options import format_option, global_options, output_option
from kzarchive.errors import KzarchiveError
from kzarchive.outcome import ExitCode

if TYPE_CHECKING:
    from kzarchive.evidence.verify import Verification


@click.command(
    "verify",
    short_help="Check that the evidence in a folder is what was recorded.",
    epilog="FOLDER is archive unless given; a library's folder (one folder per document) has "
    "each document's folder verified. Exit 0: everything holds; 1: something is altered or "
    "missing; 2: nothing there can be verified.",
)
@global_options
@click.argument("folder", default="archive", type=click.Path(file_okay=False, path_type=Path))
@format_option("table", "json")
@output_option
@click.pass_obj
def verify_command(settings: Settings, /, folder: Path, fmt: str, output: str | None) -> None:
    """Recompute every hash of the evidence and check every timestamp token's signature."""
    from kzarchive import formats
    from kzarchive.evidence.verify import verify_folder
    from kzarchive.store.folder import manifests_in

    documents = [m.parent for m in manifests_in(folder)]
    if any(d != folder for d in documents):  # a library: each document's folder
        sys.exit(verify_library(settings, folder, documents, fmt, output))
    result = verify_folder(folder)
    with open_output(output) as stream:
        if fmt == "json":
            stream.write(formats.to_json(result.to_json()))
        else:
            from kzarchive.cli import views

            views.print_sheet(views.verify_table(result), stream)
    say_findings(settings, result)
    sys.exit(ExitCode.OK if result.holds else ExitCode.FINDINGS)


def say_findings(settings: Settings, result: Verification, prefix: str = "") -> None:
    """On stderr: how many findings of each status, then the files altered or missing."""
    counts = Counter(f.status for f in result.findings)
    line = prefix + ", ".join(f"{n} {status}" for status, n in counts.items())
    settings.err.print(line, markup=False, highlight=False)
    # One file can fail two checks (its own hash and its seal's line): named once
    bad = list(dict.fromkeys(f.path for f in result.findings if f.status in ("altered", "missing")))
    if bad:
        named = ", ".join(bad[:5]) + (", …" if len(bad) > 5 else "")
        warn(settings, [f"{prefix}{len(bad)} altered or missing: {named}"])


@click.command(
    "restore",
    short_help="Bring back the manifest the last seal keeps.",
    epilog="FOLDER is archive unless given. The manifest it replaces is kept beside as "
    "manifest.json.replaced-TIME. Exit 0: restored (or already as sealed); 2: no sealed "
    "manifest verifies.",
)
@global_options
@click.argument("folder", default="archive", type=click.Path(file_okay=False, path_type=Path))
@click.pass_obj
def restore_command(settings: Settings, /, folder: Path) -> None:
    """Put back the newest sealed copy of the manifest that verifies: its hash as its seal lists
    it, and its timestamp where the seal has one (a copy no token covers is restored, and said)."""
    from kzarchive.evidence.restore import restore
    from kzarchive.lock import FolderLock

    if not folder.is_dir():
        raise KzarchiveError(f"{folder}: no such folder")
    with FolderLock(folder):
        done = restore(folder)
    warn(settings, [f"passed over {why}" for why in done.passed_over])
    seal = done.seal.relative_to(folder).as_posix()
    if not done.timestamped:
        warn(settings, [f"{seal} has no timestamp token: its manifest is not timestamped"])
    if not done.changed:
        settings.err.print(f"{folder / 'manifest.json'} is already the one sealed in {seal}")
        return
    settings.err.print(
        f"restored {folder / 'manifest.json'} from {seal}"
        + (f"; the one it replaced is kept as {done.kept.name}" if done.kept else "")
    )


def verify_library(
    settings: Settings, library: Path, documents: list[Path], fmt: str, output: str | None
) -> ExitCode:
    """Each document folder of a library verified, listed by document; a folder with nothing to
    verify (an offline run's, say) is named and passed over."""
    from kzarchive import formats
    from kzarchive.evidence.verify import UnusableFolder, verify_folder

    results: list[Verification] = []
    for folder in documents:
        try:
            results.append(verify_folder(folder))
        except UnusableFolder as exc:
            warn(settings, [str(exc)])
    if not results:
        raise KzarchiveError(
            f"{library}: no document folder of this library has evidence to verify"
        )
    holds = all(r.holds for r in results)
    with open_output(output) as stream:
        if fmt == "json":
            documents_json = [r.to_json() for r in results]
            stream.write(
                formats.to_json(
                    {"folder": str(library), "holds": holds, "documents": documents_json}
                )
            )
        else:
            from kzarchive.cli import views

            views.print_sheet(views.library_verify_table(library, results), stream)
    for result in results:
        say_findings(settings, result, result.folder.relative_to(library).as_posix() + ": ")
    return ExitCode.OK if holds else ExitCode.FINDINGS
