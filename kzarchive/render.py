"""Turning a manifest into what people read: CSV, Markdown, standalone HTML, normalised JSON.

Each format is one :class:`Renderer` registered by name in :data:`RENDERERS`; all take a manifest
and return text, and none touches the network.
"""

from __future__ import annotations

import html
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import ClassVar, Protocol

from kzarchive.formats import to_csv
from kzarchive.manifest import DRIFTED, LinkRecord, Manifest
from kzarchive.models import Citation, Snapshot


class Renderer(Protocol):
    name: str
    suffix: str

    def render(self, manifest: Manifest) -> str: ...


def file_text(renderer: Renderer, manifest: Manifest) -> str:
    """The rendering as written to a file: CSV gets a byte-order mark for spreadsheet programs."""
    text = renderer.render(manifest)
    return "\ufeff" + text if renderer.suffix == ".csv" else text


@dataclass(frozen=True)
class Row:
    """A citation with what is known of its link: the unit every format lists."""

    citation: Citation
    link: LinkRecord

    @property
    def verdict(self) -> str:
        return self.link.check.verdict if self.link.check else "unchecked"

    @property
    def snapshot(self) -> Snapshot | None:
        return self.link.archive.snapshot if self.link.archive else None

    @property
    def cited_snapshot(self) -> Snapshot | None:
        return self.link.archive.cited_snapshot if self.link.archive else None

    @property
    def moved_to(self) -> str | None:
        """Where a redirected link now leads."""
        check = self.link.check
        return check.final_url if check and check.verdict == "redirected" else None

    @property
    def best_snapshot(self) -> Snapshot | None:
        """The copy to point readers to: as cited if it holds the page, else the best that does
        (wherever it is kept)."""
        return self.link.archive.best_copy() if self.link.archive else None


def rows(manifest: Manifest) -> list[Row]:
    by_url = {record.url: record for record in manifest.links}
    return [
        Row(c, by_url.get(c.url) or LinkRecord(c.url, (c.footnote,) if c.footnote else ()))
        for c in manifest.citations
    ]


def lost_footnotes(manifest: Manifest) -> list[str]:
    """Footnotes every source of which is dead."""
    verdicts: dict[str, list[str]] = defaultdict(list)
    for row in rows(manifest):
        if row.citation.footnote is not None:
            verdicts[row.citation.footnote].append(row.verdict)
    return [note for note, found in verdicts.items() if found and all(v == "dead" for v in found)]


def _date(snapshot: Snapshot | None) -> str:
    return snapshot.date if snapshot else ""


JUDGED = {
    "content": "holds the page",
    "login-wall": "a login wall",
    "bot-challenge": "a bot challenge",
    "soft-404": "a not-found page",
    "error-page": "an error page",
    "redirect": "a redirect to a page not captured",
    "unavailable": "not in the archive",
}


def copies(row: Row) -> list[tuple[str, str]]:
    """Each copy of the row's link as (label, address): which archive, when, what it holds."""
    archive = row.link.archive
    if archive is None:
        return []
    labelled: list[tuple[str, Snapshot | None]] = [
        ("as cited", archive.cited_snapshot),
        ("archived", archive.snapshot),
        ("older good copy", archive.good_snapshot),
        *((f"in {s.archive}", s) for s in archive.elsewhere),
    ]
    found, seen = [], set()
    for label, snapshot in labelled:
        if snapshot is None or snapshot.url in seen:
            continue
        seen.add(snapshot.url)
        judged = f" ({JUDGED[snapshot.judgement.verdict]})" if snapshot.judgement else ""
        found.append((f"{label}, {snapshot.date}{judged}", snapshot.url))
    return found


def preservation(row: Row) -> str:
    """One line on where the page is preserved, if anywhere."""
    archive = row.link.archive
    if archive is None or not archive.copies():
        return ""
    best = archive.best_copy()
    if best is None:
        return "not preserved: no copy holds the page"
    where = "the Wayback Machine" if best.archive == "wayback" else best.archive
    cited = " as cited" if best is archive.cited_snapshot else ""
    sure = "" if best.holds_page else " (not verified)"
    line = f"preserved in {where}{cited}{sure}"
    if archive.drift is not None and archive.drift >= DRIFTED:
        line += f"; the live page changed since it was cited ({archive.drift:.0%} of its words)"
    return line


class CsvRenderer:
    name = "csv"
    suffix = ".csv"
    header: ClassVar[list[str]] = [
        "footnote",
        "url",
        "verdict",
        "reason",
        "http_status",
        "final_url",
        "checked_at",
        "archive_status",
        "snapshot_url",
        "snapshot_date",
        "cited_snapshot_url",
        "cited_snapshot_date",
        "preserved",
        "best_copy_url",
        "best_copy_archive",
        "best_copy_holds_page",
        "drift",
        "evidence_captured_at",
        "evidence_sha256",
        "evidence_record",
        "evidence_media",
        "evidence_error",
    ]

    def render(self, manifest: Manifest) -> str:
        table = []
        for row in rows(manifest):
            check, archive = row.link.check, row.link.archive
            best = row.best_snapshot
            kept = row.link.evidence
            table.append(
                [
                    row.citation.footnote,
                    row.citation.url,
                    row.verdict,
                    check.reason if check else None,
                    check.http_status if check else None,
                    check.final_url if check else None,
                    check.checked_at if check else None,
                    archive.status if archive else None,
                    row.snapshot.url if row.snapshot else None,
                    _date(row.snapshot),
                    row.cited_snapshot.url if row.cited_snapshot else None,
                    _date(row.cited_snapshot),
                    ("yes" if archive.preserved else "no") if archive else None,
                    best.url if best else None,
                    best.archive if best else None,
                    {True: "yes", False: "no", None: "not verified"}[best.holds_page]
                    if best
                    else None,
                    archive.drift if archive else None,
                    kept.captured_at if kept else None,
                    kept.sha256 if kept else None,
                    f"{kept.warc}#{kept.record_id}" if kept and kept.record_id else None,
                    " ".join(m.path for m in kept.media) if kept and kept.media else None,
                    (kept.error or kept.media_error) if kept else None,
                ]
            )
        return to_csv(self.header, table)


def own_copy(row: Row) -> str | None:
    """The evidence kzarchive keeps of the link, in a few words (None when it keeps none)."""
    kept = row.link.evidence
    if kept is None or not kept.captured or not kept.sha256:
        return None
    when = (kept.captured_at or "")[:19]
    said = f"own copy of {when}Z" if when else "own copy"
    judged = f", {JUDGED[kept.verdict]}" if kept.verdict in JUDGED else ""
    said += f" (HTTP {kept.http_status}{judged}, sha256 {kept.sha256[:12]}…"
    if kept.truncated:
        said += f", cut short: {kept.truncated}"
    said += ")"
    if kept.media:
        said += f", media: {len([m for m in kept.media if not m.path.endswith('.json')])} file(s)"
    return said


def _summary_lines(manifest: Manifest) -> list[str]:
    summary = manifest.summary()
    lost = lost_footnotes(manifest)
    lines = [
        f"- {summary.citations} citations of {summary.links} unique links",
        f"- {summary.count('dead')} dead (link rot), {summary.count('blocked')} blocked to "
        f"robots, {summary.count('error')} could not be checked, {summary.count('alive')} alive, "
        f"{summary.count('redirected')} redirected",
        f"- {summary.archived} of {summary.links} preserved (a copy that holds the page, or not "
        f"verified), {summary.as_cited_snapshots} with a copy from when they were cited",
    ]
    if lost:
        # a list of footnote labels, said as one: never mistaken for a count beside the counts
        labels = f"footnote {lost[0]}" if len(lost) == 1 else f"footnotes {', '.join(lost)}"
        lines.append(f"- footnotes that lost every source: {labels}")
    if summary.not_holding:
        lines.append(
            f"- captured, but no copy holds the page (login walls, error pages): "
            f"{summary.not_holding}"
        )
    if summary.drifted:
        lines.append(f"- changed substantially since they were cited: {summary.drifted}")
    if summary.missing_snapshots:
        lines.append(f"- links not preserved at all: {summary.missing_snapshots}")
    return lines


def _md_escape(text: str) -> str:
    return "".join(f"\\{c}" if c in "\\`*_[]<>|#" else c for c in text)


def _md_url(url: str) -> str:
    return url.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E")


class MarkdownRenderer:
    name = "markdown"
    suffix = ".md"

    def render(self, manifest: Manifest) -> str:
        path = manifest.document.get("path", "document")
        out = [f"# Sources of {_md_escape(str(path))}", ""]
        cited_on = manifest.document.get("cited_on")
        if cited_on:
            out += [f"Cited on {cited_on}{_given(manifest)}; checked {manifest.generated_at}.", ""]
        out += [*_summary_lines(manifest), ""]
        current: str | None = "\0"
        for row in rows(manifest):
            note = row.citation.footnote
            if note != current:
                current = note
                out += ["", f"## Footnote {_md_escape(note)}" if note else "## Other links", ""]
            parts = [f"- <{_md_url(row.citation.url)}> — **{row.verdict}**"]
            if row.link.check:
                parts.append(f" ({row.link.check.reason})")
            if row.moved_to:
                parts.append(f", now at <{_md_url(row.moved_to)}>")
            archived = [f"[{label}](<{_md_url(url)}>)" for label, url in copies(row)]
            if archived:
                parts.append("; " + ", ".join(archived))
                parts.append(f"; {preservation(row)}")
            elif row.link.archive and row.link.archive.error:
                parts.append(f"; not archived: {_md_escape(row.link.archive.error)}")
            else:
                parts.append("; not archived")
            mine = own_copy(row)
            if mine:
                parts.append(f"; {mine}")
            out.append("".join(parts))
        return "\n".join(out).replace("\n\n\n", "\n\n") + "\n"


_BADGE = {
    "alive": "#1a7f37",
    "redirected": "#0969da",
    "dead": "#cf222e",
    "blocked": "#9a6700",
    "error": "#8250df",
    "unchecked": "#57606a",
}
_STYLE = """
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;color:#1f2328}h1{font-size:1.6rem}h2{font-size:1.15rem;margin-top:1.6rem}
ul{padding-left:1.2rem}li{margin:.35rem 0;overflow-wrap:anywhere}.badge{display:inline-block;
padding:0 .45rem;border-radius:.6rem;color:#fff;font-size:.8rem;font-weight:600}
.why{color:#57606a;font-size:.85rem}
.summary{background:#f6f8fa;padding:.6rem 1rem;border-radius:6px}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


class HtmlRenderer:
    name = "html"
    suffix = ".html"

    def render(self, manifest: Manifest) -> str:
        path = manifest.document.get("path", "document")
        cited_on = manifest.document.get("cited_on")
        body = [f"<h1>Sources of {_e(path)}</h1>"]
        if cited_on:
            body.append(
                f"<p>Cited on {_e(cited_on)}{_e(_given(manifest))}; "
                f"checked {_e(manifest.generated_at)}.</p>"
            )
        items = "".join(
            f"<li>{_e(line.removeprefix('- '))}</li>" for line in _summary_lines(manifest)
        )
        body.append(f'<ul class="summary">{items}</ul>')
        current: str | None = "\0"
        for row in rows(manifest):
            note = row.citation.footnote
            if note != current:
                if current != "\0":
                    body.append("</ul>")
                current = note
                title = f"Footnote {_e(note)}" if note else "Other links"
                body.append(f'<h2 id="fn-{_e(note or "other")}">{title}</h2><ul>')
            body.append(f"<li>{self._link(row, cited_on)}</li>")
        if current != "\0":
            body.append("</ul>")
        return (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>Sources of {_e(path)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
            + "\n".join(body)
            + "\n</body>\n</html>\n"
        )

    def _link(self, row: Row, cited_on: str | None) -> str:
        url = row.citation.url
        best = row.best_snapshot
        attrs = f'href="{_e(url)}" data-originalurl="{_e(url)}"'
        if best:
            attrs += f' data-versionurl="{_e(best.url)}"'
            attrs += f' data-versiondate="{_e(cited_on or best.date)}"'
        color = _BADGE.get(row.verdict, "#57606a")
        parts = [
            f"<a {attrs}>{_e(url)}</a>",
            f' <span class="badge" style="background:{color}">{_e(row.verdict)}</span>',
        ]
        if row.link.check:
            parts.append(f' <span class="why">{_e(row.link.check.reason)}</span>')
        if row.moved_to:
            moved = _e(row.moved_to)
            parts.append(f' <span class="why">now at <a href="{moved}">{moved}</a></span>')
        archived = [f'<a href="{_e(url)}">{_e(label)}</a>' for label, url in copies(row)]
        if archived:
            parts.append(" — " + ", ".join(archived))
            parts.append(f' <span class="why">{_e(preservation(row))}</span>')
        elif row.link.archive and row.link.archive.error:
            parts.append(f' — <span class="why">not archived: {_e(row.link.archive.error)}</span>')
        return "".join(parts)


class JsonRenderer:
    name = "json"
    suffix = ".json"

    def render(self, manifest: Manifest) -> str:
        return json.dumps(manifest.to_json(), indent=2, ensure_ascii=False) + "\n"


RENDERERS: dict[str, Renderer] = {
    r.name: r for r in (CsvRenderer(), MarkdownRenderer(), HtmlRenderer(), JsonRenderer())
}


def _given(manifest: Manifest) -> str:
    """Says so when the citation date was given on the command line, not read in the document."""
    return (
        " (given with --cited-on)" if manifest.document.get("cited_on_source") == "option" else ""
    )
