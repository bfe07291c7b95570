"""What the CLI draws with rich: tables on stdout, warnings and progress on stderr.

Only the CLI layer imports this module; the core returns data and never draws.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from kzarchive.cli.context import counted
from kzarchive.models import VERDICTS, ArchiveState, Check, Link

# rich takes a tenth of a second to load: it is imported where something is drawn, so that a table
# written to a pipe or a file (plain lines) never loads it.
if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import TaskID
    from rich.text import Text

    from kzarchive.diff import Change
    from kzarchive.evidence.keeper import Kept
    from kzarchive.evidence.verify import Verification
    from kzarchive.extract import Extraction
    from kzarchive.manifest import Manifest


def data_console(stream: IO[str]) -> Console:
    """A console for tables on stdout or a file: no colour codes when it is not a terminal."""
    from rich.console import Console

    is_tty = stream.isatty()
    return Console(
        file=stream,
        force_terminal=False if not is_tty else None,
        no_color=not is_tty,
        highlight=False,
        soft_wrap=False,
    )


@dataclass(frozen=True)
class Sheet:
    """A table as data: drawn with rich in a terminal, as plain aligned lines elsewhere."""

    title: str
    headers: tuple[str, ...]
    rows: list[tuple[str, ...]]
    urls: frozenset[int] = frozenset()  # columns that hold URLs: never wrapped, never cut
    styled: frozenset[int] = frozenset()  # columns whose words get VERDICT_STYLE
    right: frozenset[int] = frozenset()  # right-aligned (numbers)

    def kept(self) -> list[int]:
        """The columns with something in them (an empty column takes no room)."""
        return [i for i in range(len(self.headers)) if any(row[i] for row in self.rows)]


def print_sheet(sheet: Sheet, stream: IO[str], *, titled: bool = False) -> None:
    """The sheet on ``stream``; ``titled``, its title above it when drawn as plain lines too."""
    columns = sheet.kept()
    plain = plain_sheet(sheet, columns)
    if not stream.isatty():
        stream.write((f"{sheet.title}\n" if titled else "") + plain)
        return
    from rich.table import Table
    from rich.text import Text

    console = data_console(stream)
    widest = max((len(line) for line in plain.splitlines()), default=0)
    # A table's borders and padding take about three columns per column: a table that does not
    # fit would squeeze or cut its cells, so the terminal gets the plain lines too.
    if widest + 3 * len(columns) + 1 > console.width:
        stream.write((f"{sheet.title}\n" if titled else "") + plain)
        return
    table = Table(title=sheet.title)
    for i in columns:
        wide = i in sheet.urls
        table.add_column(
            sheet.headers[i],
            no_wrap=True,
            overflow="ignore" if wide else "fold",
            justify="right" if i in sheet.right else "left",
        )
    for row in sheet.rows:
        table.add_row(*(styled(row[i]) if i in sheet.styled else Text(row[i]) for i in columns))
    console.print(table, crop=False)


def plain_sheet(sheet: Sheet, columns: list[int]) -> str:
    """Aligned columns, two spaces apart, the last one not padded; every cell whole."""
    cells = [tuple(sheet.headers[i] for i in columns)] + [
        tuple(row[i] or "-" for i in columns) for row in sheet.rows
    ]
    widths = [max(len(line[k]) for line in cells) for k in range(len(columns))]
    lines = []
    for line in cells:
        parts = [
            cell.rjust(widths[k]) if columns[k] in sheet.right else cell.ljust(widths[k])
            for k, cell in enumerate(line)
        ]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines) + "\n"


def status_console(quiet: bool) -> Console:
    """The stderr console for warnings, errors and progress; silent with ``--quiet``."""
    from rich.console import Console

    # markup=False: messages carry URLs and note labels ("[2]"), which must print as they are
    return Console(
        stderr=True, quiet=quiet, highlight=False, soft_wrap=True, markup=False, file=sys.stderr
    )


def extraction_table(extraction: Extraction) -> Sheet:
    return Sheet(
        f"{extraction.document.path}: {counted(len(extraction.citations), 'citation')}",
        ("note", "line", "url"),
        [(c.footnote or "-", str(c.line), c.url) for c in extraction.citations],
        urls=frozenset({2}),
        right=frozenset({0, 1}),
    )


VERDICT_STYLE = {
    "alive": "green",
    "redirected": "cyan",
    "dead": "bold red",
    "dying": "red",
    "blocked": "yellow",
    "error": "magenta",
    "saved": "green",
    "existing": "green",
    "pending": "yellow",
    "failed": "red",
    "skipped": "dim",
    "excluded": "dim",
    "died": "bold red",
    "came-back": "green",
    "holds": "green",
    "altered": "bold red",
    "missing": "bold red",
    "unsealed": "yellow",
}


def styled(word: str) -> Text:
    from rich.text import Text

    return Text(word, style=VERDICT_STYLE.get(word, ""))


def _bar(phase: str) -> str:
    """The phase a progress bar is for, without the document a library run names."""
    return phase.rsplit(": ", 1)[-1]


class RichObserver:
    """Draws one progress bar per phase on stderr, with live counts per outcome."""

    def __init__(self, console: Console, verbose: bool = False) -> None:
        self.console = console
        self.verbose = verbose
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.enabled = console.is_terminal and not console.quiet
        self.progress = Progress(
            TextColumn("{task.fields[phase]:>8}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self.tasks: dict[str, TaskID] = {}
        self.counts: dict[str, Counter[str]] = {}

    def __enter__(self) -> RichObserver:
        if self.enabled:
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self.progress.stop()

    def phase_started(self, phase: str, total: int) -> None:
        # A library run names each document's phases ("reports/a.md: check"): one bar per
        # phase all the same, started afresh for each document and labelled with it
        key = _bar(phase)
        self.counts[key] = Counter()
        if key in self.tasks:
            self.progress.reset(self.tasks[key], total=total, phase=phase, counts="")
            return
        self.tasks[key] = self.progress.add_task(key, total=total, phase=phase, counts="")

    def advanced(self, phase: str, url: str, outcome: str) -> None:
        self._count(_bar(phase), outcome, advance=1)
        if self.verbose:  # printed above the bars
            self.console.print(f"{phase:>8} ", styled(outcome), f" {url}", sep="")

    def noted(self, phase: str, event: str) -> None:
        self._count(_bar(phase), event, advance=0)

    def _count(self, phase: str, outcome: str, advance: int) -> None:
        counts = self.counts.setdefault(phase, Counter())
        counts[outcome] += 1
        if phase in self.tasks:
            text = " ".join(
                f"[{VERDICT_STYLE.get(k, '')}]{k} {v}[/]" for k, v in sorted(counts.items())
            )
            self.progress.update(self.tasks[phase], advance=advance, counts=text)

    def warn(self, message: str) -> None:
        from rich.markup import escape

        self.console.print(f"[yellow]warning:[/] {escape(message)}", markup=True)


def check_table(rows: list[tuple[Link, Check]]) -> Sheet:
    return Sheet(
        "link check",
        ("notes", "url", "verdict", "reason", "http", "final url"),
        [
            (
                ", ".join(link.footnotes) or "-",
                link.url,
                check.verdict,
                check.reason,
                str(check.http_status or ""),
                check.final_url if check.final_url and check.final_url != link.url else "",
            )
            for link, check in rows
        ],
        urls=frozenset({1, 5}),
        styled=frozenset({2}),
        right=frozenset({4}),
    )


def archive_said(state: ArchiveState) -> str:
    """A link's archive state in one word, the same in every table and count: its status, or
    ``not holding`` when there are copies but none holds the page (a login wall, an error page,
    a capture the archive does not serve)."""
    if not state.withheld and state.copies() and not state.preserved:
        return "not holding"
    return state.status


def _why_not_holding(state: ArchiveState) -> str:
    judged = [s.judgement for s in state.copies() if s.judgement is not None]
    said = "; ".join(dict.fromkeys(f"{j.verdict}: {j.reason}" for j in judged))
    return "no copy holds the page" + (f" ({said})" if said else "")


def archive_table(rows: list[tuple[Link, ArchiveState]]) -> Sheet:
    """Each link's state and the snapshot to copy: the best copy (the latest if none holds the
    page), and the one from when it was cited."""
    table: list[tuple[str, ...]] = []
    for link, state in rows:
        said = archive_said(state)
        shown = state.best_copy() or state.snapshot
        note = state.error or "; ".join(state.notes)
        if said == "not holding":
            note = _why_not_holding(state) + (f"; {note}" if note else "")
        table.append(
            (
                ", ".join(link.footnotes) or "-",
                link.url,
                said,
                shown.url if shown else "",
                state.cited_snapshot.url if state.cited_snapshot else "",
                note,
            )
        )
    return Sheet(
        "Wayback Machine",
        ("notes", "url", "archive", "snapshot", "as cited", "note"),
        table,
        urls=frozenset({1, 3, 4}),
        styled=frozenset({2}),
    )


def run_summary(
    manifest: Manifest,
    written: tuple[Path, ...],
    kept: Kept | None = None,
    saved_now: int | None = None,
    cdx_requests: int | None = None,
) -> tuple[list[Sheet], list[str]]:
    """The end-of-run summary as tables (counts per verdict and archive state, dead links by
    footnote, links no copy holds) and closing lines; ``saved_now``, the links this run
    captured (the others saved were saved by earlier runs); ``cdx_requests``, what this run asked
    of the Wayback Machine's index."""
    from kzarchive.render import PRESERVED

    summary = manifest.summary()
    counts: list[tuple[str, ...]] = [
        ("citations", str(summary.citations)),
        ("unique links", str(summary.links)),
        # dying (failed, not yet confirmed: the store counts the failed checks) after dead
        *(
            (verdict, str(summary.count(verdict)))
            for verdict in (*VERDICTS[:3], "dying", *VERDICTS[3:])
            if verdict != "dying" or summary.count("dying")
        ),
        (f"preserved ({PRESERVED})", str(summary.archived)),
    ]
    if summary.not_holding:
        counts.append(("  captured, no copy holds the page", str(summary.not_holding)))
    if summary.drifted:
        counts.append(("  changed since cited", str(summary.drifted)))
    now = summary.saved if saved_now is None else saved_now
    counts.append(
        (
            "  saved now / saved before / found / pending",
            f"{now} / {summary.saved - now} / {summary.existing} / {summary.pending}",
        )
    )
    counts.append(("  as-cited snapshots", str(summary.as_cited_snapshots)))
    if summary.withheld:
        counts.append(("  kept from the archive (private, excluded)", str(summary.withheld)))
    counts.append(("not preserved", str(summary.missing_snapshots)))
    if summary.no_longer_cited:
        counts.append(("no longer cited (kept)", str(summary.no_longer_cited)))
    if cdx_requests is not None:
        counts.append(("Wayback index (CDX) requests", str(cdx_requests)))
    sheets = [Sheet("kzarchive run", ("what", "count"), counts, styled=frozenset({0}))]
    for status in ("dead", "dying"):
        listed: list[tuple[str, ...]] = [
            (", ".join(r.footnotes), r.url, r.check.explained)
            for r in manifest.links
            if r.cited and r.check and r.check.status == status
        ]
        if listed:
            sheets.append(
                Sheet(
                    f"{status} links by footnote",
                    ("notes", "url", "reason"),
                    listed,
                    urls=frozenset({1}),
                )
            )
    lost = [
        r
        for r in manifest.links
        if r.cited and r.archive and r.archive.copies() and not r.archive.preserved
    ]
    if lost:
        rows: list[tuple[str, ...]] = []
        for record in lost:
            assert record.archive is not None
            kinds = sorted(
                {s.judgement.verdict for s in record.archive.copies() if s.judgement is not None}
            )
            rows.append((", ".join(record.footnotes), record.url, ", ".join(kinds)))
        sheets.append(
            Sheet(
                "captured, but no copy holds the page",
                ("notes", "url", "copies"),
                rows,
                urls=frozenset({1}),
            )
        )
    lines = [evidence_line(kept)] if kept is not None else []
    lines.append("wrote " + ", ".join(str(p) for p in written))
    return sheets, lines


def print_summary(sheets: list[Sheet], lines: list[str], stream: IO[str]) -> None:
    """Tables and lines on ``stream`` (stderr) by the rule of the tables on stdout: drawn only
    in a terminal wide enough, else plain aligned lines; URLs never cut, no boxes in logs."""
    for sheet in sheets:
        print_sheet(sheet, stream, titled=True)
    stream.write("".join(f"{line}\n" for line in lines))


def evidence_line(kept: Kept) -> str:
    """What evidence the run kept, in one line."""
    if not kept.captured and kept.seal is None:
        return "evidence: nothing captured"
    said = f"evidence: {counted(kept.captured, 'answer')} captured"
    if kept.wacz is not None:
        said += f" (all runs' captures in {kept.wacz})"
    if kept.media:
        said += f", media of {counted(kept.media, 'link')}"
    if kept.rendered:
        said += f", {counted(kept.rendered, 'page')} rendered in the browser (screenshot, DOM)"
    tokens = [s for s in kept.stamps if s.token is not None]
    if tokens:
        authorities = counted(len(kept.stamps), "authority", "authorities")
        said += f"; timestamped by {len(tokens)} of {authorities}"
    elif kept.seal is not None:
        said += "; sealed (SHA256SUMS), not timestamped"
    return said


def verify_table(result: Verification) -> Sheet:
    return Sheet(
        "evidence",
        ("status", "what", "path", "detail", "url"),
        [(f.status, f.kind, f.path, f.detail, f.url or "") for f in result.findings],
        urls=frozenset({2, 4}),
        styled=frozenset({0}),
    )


def library_verify_table(library: Path, results: list[Verification]) -> Sheet:
    """Each document folder's findings, the folder (within the library) first."""
    return Sheet(
        "evidence",
        ("document", "status", "what", "path", "detail", "url"),
        [
            (
                r.folder.relative_to(library).as_posix(),
                f.status,
                f.kind,
                f.path,
                f.detail,
                f.url or "",
            )
            for r in results
            for f in r.findings
        ],
        urls=frozenset({3, 5}),
        styled=frozenset({1}),
    )


SHORT_HASH = 12


def _side(value: str | None, reason: str | None, kind: str) -> str:
    """One side of a change: a verdict with its reason, a short hash, or a URL."""
    if value is None:
        return ""
    if kind == "content-changed":
        return value[:SHORT_HASH]
    return f"{value} ({reason})" if reason else value


def diff_table(changes: list[Change]) -> Sheet:
    return Sheet(
        "changes",
        ("change", "notes", "url", "before", "after"),
        [
            (
                change.kind,
                ", ".join(change.footnotes) or "-",
                change.url,
                _side(change.old, change.old_reason, change.kind),
                _side(change.new, change.new_reason, change.kind),
            )
            for change in changes
        ],
        urls=frozenset({2, 3, 4}),
        styled=frozenset({0}),
    )
