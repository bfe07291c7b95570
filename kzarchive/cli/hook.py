"""``kzarchive hook FILE...``: the links of the documents a commit changes, for pre-commit.

pre-commit passes the changed Markdown and HTML files (``.pre-commit-hooks.yaml``). Every http(s)
link in them is checked, in notes or not; a dead one fails the commit, named as
``file:line: dead (reason) url``. A link that could not be judged (blocked to robots, an error,
this machine offline) is said but fails nothing: a commit should not wait for the network.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import click

from kzarchive.cli.context import Settings, counted, warn
from kzarchive.cli.options import (
    check_options,
    check_record,
    global_options,
    scope_options,
    scope_record,
)
from kzarchive.outcome import ExitCode


@click.command("hook", short_help="Check the links of changed documents (for pre-commit).")
@global_options
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@check_options
@scope_options
@click.pass_obj
def hook_command(settings: Settings, /, files: tuple[Path, ...], **params: Any) -> None:
    """Check every link of each FILE; exit 1 if any is dead (one line per link not alive)."""
    from kzarchive.extract import extract
    from kzarchive.scope import redact_extraction
    from kzarchive.steps import check_links

    dead = unjudged = 0
    offline = False
    for path in files:
        if path.is_file() and not path.read_bytes().strip():
            continue  # an empty file links to nothing
        redacted = redact_extraction(extract(path, all_links=True))
        warn(settings, redacted.extraction.warnings)
        citations = redacted.extraction.citations
        if not citations:
            continue
        with settings.observer() as observer:
            run = asyncio.run(
                check_links(redacted, scope_record(params), check_record(params), observer)
            )
        offline = offline or run.offline
        for url, check in run.checks.items():
            if check.verdict in ("alive", "redirected", "excluded"):
                continue
            line = min(c.line for c in citations if c.url == url)
            click.echo(f"{path}:{line}: {check.verdict} ({check.reason}) {url}")
            if check.verdict == "dead":
                dead += 1
            else:
                unjudged += 1
    if offline:
        warn(settings, ["this machine looks offline: no link could be judged"])
    settings.err.print(
        f"{counted(len(files), 'file')}: {counted(dead, 'dead link')}"
        + (f", {unjudged} that could not be judged" if unjudged else "")
    )
    sys.exit(ExitCode.FINDINGS if dead else ExitCode.OK)
