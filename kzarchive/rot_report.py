"""Rot over time: what a library's links have become, per document and per year of citation.

Published link-rot figures are given per year of citation (Klein et al. 2014; Zittrain, Albert
and Lessig 2014; Pew Research Center 2024: 38% of pages from 2013 gone); a library owner wants the
same curve for their own reports. Each link of each document counts once for that document, under
the year the document cites its sources (its dateline, or ``--cited-on``); its status is the rot
rules' (:mod:`kzarchive.store.rot`), and it is *preserved* when some archived copy holds the page.

The CSV has one row per (document, link); the HTML page has the shares per year as a chart (an SVG
drawn by matplotlib, imported here only) and as tables, the shares per document, and the links
that changed state in the last run.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from kzarchive.models import ArchiveState
from kzarchive.store.db import DocumentRow, Store
from kzarchive.store.rot import RotState

SHOWN = ("alive", "dying", "dead", "unknown")
COLOURS = {"alive": "#4c9a2a", "dying": "#e0a100", "dead": "#c0392b", "unknown": "#9e9e9e"}


@dataclass(frozen=True)
class LinkRow:
    document: str
    folder: str  # where its outputs are, in the library's folder (report, report-2...)
    year: str  # of citation, or "undated"
    footnotes: str
    url: str
    status: str
    failures: int
    last_checked: str
    next_due: str
    detail: str
    preserved: bool
    copy: str  # the copy to point readers to


@dataclass
class Tally:
    """Counts of one group of links (a document, or a year of citation)."""

    name: str
    year: str
    folder: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    links: int = 0
    preserved: int = 0

    def add(self, row: LinkRow) -> None:
        self.links += 1
        status = row.status if row.status in SHOWN else "unknown"
        self.counts[status] = self.counts.get(status, 0) + 1
        self.preserved += row.preserved

    def share(self, status: str) -> float:
        if not self.links:
            return 0.0
        if status == "preserved":
            return self.preserved / self.links
        return self.counts.get(status, 0) / self.links


@dataclass(frozen=True)
class StateChange:
    url: str
    before: str
    after: str
    documents: tuple[str, ...]


def _year(info: Mapping[str, object]) -> str:
    cited = info.get("cited_on")
    return str(cited)[:4] if cited else "undated"


def link_rows(
    store: Store, states: Mapping[str, RotState], documents: Iterable[DocumentRow]
) -> list[LinkRow]:
    """Every (document, cited link) of these documents, with its status and its best copy."""
    rows: list[LinkRow] = []
    for document in documents:
        year = _year(document.info)
        for url, footnotes, archive_json in store.connection.execute(
            "SELECT d.url, d.footnotes, l.archive_json FROM document_links d JOIN links l "
            "ON l.url = d.url WHERE d.document_id = ? AND d.cited = 1 ORDER BY d.position",
            (document.id,),
        ):
            state = states.get(url)
            archive = ArchiveState.from_json(json.loads(archive_json)) if archive_json else None
            best = archive.best_copy() if archive else None
            rows.append(
                LinkRow(
                    document=document.path,
                    folder=document.folder or ".",
                    year=year,
                    footnotes=", ".join(json.loads(footnotes)),
                    url=url,
                    status=state.status if state else "unchecked",
                    failures=state.failures if state else 0,
                    last_checked=_stamp(state.last_look if state else None),
                    next_due=_stamp(state.next_due if state else None),
                    detail=state.detail if state else "never checked",
                    preserved=bool(archive and archive.preserved),
                    copy=best.url if best else "",
                )
            )
    return rows


def _stamp(when: object) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ") if when is not None else ""  # type: ignore[attr-defined]


def tallies(rows: Iterable[LinkRow]) -> tuple[list[Tally], list[Tally]]:
    """(per document, per year of citation), each in order."""
    documents: dict[str, Tally] = {}
    years: dict[str, Tally] = {}
    for row in rows:
        documents.setdefault(row.document, Tally(row.document, row.year, row.folder)).add(row)
        years.setdefault(row.year, Tally(row.year, row.year)).add(row)
    return list(documents.values()), [years[y] for y in sorted(years)]


def total(rows: Iterable[LinkRow], name: str = "all") -> Tally:
    """Every (document, link) counted once."""
    whole = Tally(name, "")
    for row in rows:
        whole.add(row)
    return whole


def library_data(
    rows: list[LinkRow], changes: list[StateChange], gone: Iterable[DocumentRow]
) -> dict[str, object]:
    """The report's figures as data (``kzarchive library --format json``): the counts per
    document, per year of citation and in all, the documents no longer there, the changes."""

    def counts(t: Tally) -> dict[str, int]:
        shown = {s: t.counts.get(s, 0) for s in SHOWN}
        return {"links": t.links, **shown, "preserved": t.preserved}

    documents, years = tallies(rows)
    return {
        "documents": [
            {"document": t.name, "folder": t.folder, "year": t.year, **counts(t)} for t in documents
        ],
        "years": [{"year": t.year, **counts(t)} for t in years],
        "total": counts(total(rows)),
        "gone": [{"document": d.path, "folder": d.folder or "."} for d in gone],
        "changed": [
            {"url": c.url, "before": c.before, "after": c.after, "documents": list(c.documents)}
            for c in changes
        ],
    }


def library_csv(rows: Iterable[LinkRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    names = list(LinkRow.__dataclass_fields__)
    writer.writerow(names)
    for row in rows:
        writer.writerow(
            ["yes" if v is True else "no" if v is False else v for v in _values(row, names)]
        )
    return "\ufeff" + out.getvalue()  # a BOM, so that spreadsheets read UTF-8


def _values(row: LinkRow, names: list[str]) -> list[object]:
    return [getattr(row, name) for name in names]


def chart_svg(years: list[Tally]) -> str:
    """Stacked bars per year of citation: the share of links alive, dying, dead and unknown,
    with the share preserved by a copy that holds the page as a line. matplotlib (the plotting
    library everyone knows; SVG without a display) is imported here, and only here."""
    import matplotlib

    matplotlib.use("svg")
    from matplotlib import pyplot
    from matplotlib.ticker import PercentFormatter

    matplotlib.rcParams["svg.hashsalt"] = "kzarchive"  # the same figures give the same file
    matplotlib.rcParams["svg.fonttype"] = "none"
    figure, axes = pyplot.subplots(figsize=(7.5, 3.6), dpi=100)
    try:
        labels = [f"{t.year}\n({t.links})" for t in years]
        positions = list(range(len(years)))
        bottom = [0.0] * len(years)
        for status in SHOWN:
            shares = [t.share(status) for t in years]
            axes.bar(
                positions,
                shares,
                bottom=bottom,
                color=COLOURS[status],
                label=status,
                width=0.6,
            )
            bottom = [b + s for b, s in zip(bottom, shares, strict=True)]
        axes.plot(
            positions,
            [t.share("preserved") for t in years],
            color="#1f4e8c",
            marker="o",
            linewidth=2,
            label="preserved",
        )
        axes.set_xticks(positions, labels)
        axes.set_ylim(0, 1.05)
        axes.yaxis.set_major_formatter(PercentFormatter(1.0))
        axes.set_xlabel("year of citation (links)")
        axes.set_ylabel("share of links")
        axes.set_title("Links by year of citation")
        axes.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        figure.tight_layout()
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata={"Date": None})
    finally:
        pyplot.close(figure)
    text = out.getvalue()
    return text[text.index("<svg") :]  # inline: no XML declaration, no DOCTYPE


def _pct(value: float) -> str:
    return f"{value * 100:.0f}%"


def _table(title: str, tallies_: list[Tally], first: str, whole: Tally) -> str:
    dated = first != "year"  # a document's row says its folder and year; a year's is its year
    names = (first, *(("folder", "year") if dated else ()), "links", *SHOWN, "preserved")
    head = "".join(f"<th>{h}</th>" for h in names)
    body = []
    for t in [*tallies_, whole]:
        cells = [html.escape(t.name)]
        if dated:
            page = html.escape(f"{t.folder}/report.html")
            folder = f'<a href="{page}">{html.escape(t.folder)}/</a>' if t.folder else ""
            cells += [folder, html.escape(t.year)]
        cells.append(str(t.links))
        cells += [f"{t.counts.get(s, 0)} ({_pct(t.share(s))})" for s in SHOWN]
        cells.append(f"{t.preserved} ({_pct(t.share('preserved'))})")
        row = "".join(f"<td>{c}</td>" for c in cells)
        body.append(f'<tr class="total">{row}</tr>' if t is whole else f"<tr>{row}</tr>")
    return f"<h2>{title}</h2>\n<table>\n<tr>{head}</tr>\n" + "\n".join(body) + "\n</table>\n"


def library_html(
    rows: list[LinkRow],
    changes: list[StateChange],
    generated_at: str,
    chart: str | None,
    gone: Iterable[DocumentRow] = (),
) -> str:
    documents, years = tallies(rows)
    whole = total(rows)
    parts = [
        "<!DOCTYPE html>\n<html lang=en>\n<head>\n<meta charset=utf-8>\n"
        "<title>kzarchive library</title>\n<style>\n"
        "body{font-family:system-ui,sans-serif;margin:2em;max-width:70em;color:#222}\n"
        "table{border-collapse:collapse;margin:0.5em 0 1.5em}\n"
        "td,th{border:1px solid #ccc;padding:0.25em 0.6em;text-align:left}\n"
        "th{background:#f3f3f3}\n.chart svg{max-width:100%;height:auto}\n"
        ".dead{color:#c0392b}.dying{color:#b07d00}\ntr.total td{font-weight:bold}\n"
        "</style>\n</head>\n<body>\n",
        "<h1>kzarchive library</h1>\n",
        f"<p>{len(documents)} documents, {whole.links} cited links, as of "
        f"{html.escape(generated_at)}: "
        + ", ".join(f"{whole.counts.get(s, 0)} {s}" for s in SHOWN)
        + f"; {whole.preserved} preserved by a copy that holds the page.</p>\n",
    ]
    if chart:
        parts.append(f'<figure class="chart">\n{chart}\n</figure>\n')
    parts.append(_table("By year of citation", years, "year", whole))
    parts.append(_table("By document", documents, "document", total(rows, "all documents")))
    gone = list(gone)
    if gone:
        parts.append(
            "<h2>No longer there</h2>\n<p>These documents are gone from where they were read "
            "(deleted, or renamed: a renamed one counts again under its new name). Their links "
            "are not counted above; <code>kzarchive library --forget DOCUMENT</code> drops one "
            "from the library.</p>\n<table>\n<tr><th>document</th><th>folder</th></tr>\n"
        )
        for document in gone:
            parts.append(
                f"<tr><td>{html.escape(document.path)}</td>"
                f"<td>{html.escape(document.folder or '.')}/</td></tr>\n"
            )
        parts.append("</table>\n")
    parts.append("<h2>Changed since the last run</h2>\n")
    if changes:
        parts.append("<table>\n<tr><th>link</th><th>was</th><th>is</th><th>cited by</th></tr>\n")
        for change in changes:
            url = html.escape(change.url)
            parts.append(
                f'<tr><td><a href="{url}">{url}</a></td><td>{change.before}</td>'
                f'<td class="{change.after}">{change.after}</td>'
                f"<td>{html.escape(', '.join(change.documents))}</td></tr>\n"
            )
        parts.append("</table>\n")
    else:
        parts.append("<p>No link changed state.</p>\n")
    failing = [r for r in rows if r.status in ("dead", "dying")]
    parts.append("<h2>Dead and dying links</h2>\n")
    if failing:
        parts.append(
            "<table>\n<tr><th>document</th><th>notes</th><th>link</th><th>status</th>"
            "<th>why</th><th>copy</th></tr>\n"
        )
        for row in failing:
            url = html.escape(row.url)
            copy = html.escape(row.copy)
            parts.append(
                f"<tr><td>{html.escape(row.document)}</td><td>{html.escape(row.footnotes)}</td>"
                f'<td><a href="{url}">{url}</a></td><td class="{row.status}">{row.status}</td>'
                f"<td>{html.escape(row.detail)}</td>"
                f"<td>{f'<a href={chr(34)}{copy}{chr(34)}>copy</a>' if copy else 'none'}</td>"
                "</tr>\n"
            )
        parts.append("</table>\n")
    else:
        parts.append("<p>None.</p>\n")
    parts.append("</body>\n</html>\n")
    return "".join(parts)
