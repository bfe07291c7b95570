"""Turning a manifest into what people read: CSV, Markdown, standalone HTML, normalised JSON.

Each format is one :class:`Renderer` registered by name in :data:`RENDERERS`; all take a manifest
and return text, and none touches the network.
"""

from __future__ import annotations

import html
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Protocol

from kzarchive.evidence.records import MediaFile
from kzarchive.formats import to_csv
from kzarchive.manifest import DRIFTED, LinkRecord, Manifest
from kzarchive.models import Citation, Snapshot
from kzarchive.reporters import document_name


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
        """The verdict as told: ``dying`` for a dead look a library has not confirmed."""
        return self.link.check.status if self.link.check else "unchecked"

    @property
    def reason(self) -> str:
        return self.link.check.explained if self.link.check else ""

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


def lost_footnotes(manifest: Manifest, told: tuple[str, ...] = ("dead",)) -> list[str]:
    """Footnotes every source of which is dead (confirmed, in a library), or, with ``told``,
    in one of those states."""
    verdicts: dict[str, list[str]] = defaultdict(list)
    for row in rows(manifest):
        if row.citation.footnote is not None:
            verdicts[row.citation.footnote].append(row.verdict)
    return [note for note, found in verdicts.items() if found and all(v in told for v in found)]


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


def preservation(row: Row) -> str:
    """One line on where the page is preserved, if anywhere."""
    archive = row.link.archive
    if archive is None or not archive.copies():
        return ""
    best = archive.best_copy()
    if best is None:
        return "not preserved: no copy holds the page"
    where = {"wayback": "the Wayback Machine", "perma.cc": "Perma.cc"}.get(
        best.archive, best.archive
    )
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
        "perma_url",
        "perma_date",
        "perma_holds_page",
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
                    row.reason if check else None,
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
                    *_perma_cells(archive.perma if archive else None),
                ]
            )
        return to_csv(self.header, table)


def _perma_cells(copy: Snapshot | None) -> list[str | None]:
    if copy is None:
        return [None, None, None]
    holds = {True: "yes", False: "no", None: "not verified"}[copy.holds_page]
    return [copy.url, _date(copy), holds]


@dataclass(frozen=True)
class Item:
    """One fact of a citation as every reading format shows it: a label, its text, and the
    address it links to (a relative path inside the archive folder, or a URL) when it has one.
    ``code`` marks text to show verbatim (hashes, record ids)."""

    label: str
    text: str
    href: str | None = None
    code: bool = False


def own_copy_items(row: Row) -> list[Item]:
    """The own copy's facts: capture time, answer, SHA-256, WARC record, media, each file linked
    by its path relative to the archive folder; or why nothing was kept."""
    kept = row.link.evidence
    if kept is None:
        return []
    if not kept.captured:
        return [Item("not kept", kept.error or "nothing captured")] if kept.error else []
    items = []
    if kept.captured_at:
        items.append(Item("captured", f"{kept.captured_at[:19]}Z"))
    if kept.http_status is not None:
        answer = f"HTTP {kept.http_status}"
        if kept.size is not None:
            answer += f", {kept.size:,} bytes"
        if kept.truncated:
            answer += f", cut short ({kept.truncated})"
        items.append(Item("answer", answer))
    if kept.verdict in JUDGED:
        items.append(Item("judged", JUDGED[kept.verdict]))
    if kept.sha256:
        items.append(Item("SHA-256", kept.sha256, code=True))
    if kept.warc:
        items.append(Item("WARC file", kept.warc, href=kept.warc))
    if kept.record_id:
        items.append(Item("WARC record", kept.record_id, code=True))
    shot = screenshot_of(row)
    if shot:
        items.append(Item("screenshot", shot[0].path.rsplit("/", 1)[-1], href=shot[0].path))
        items.append(Item("screenshot SHA-256", shot[0].sha256, code=True))
    for media in kept.media:
        kind = "media metadata" if media.path.endswith(".json") else "media"
        items.append(Item(kind, media.path.rsplit("/", 1)[-1], href=media.path))
    if kept.media_error:
        items.append(Item("media not kept", kept.media_error))
    return items


def archive_items(row: Row) -> list[Item]:
    """The Wayback Machine's copies of the link (as cited first), each with its date and what
    it holds, then where the page is preserved."""
    items = [
        Item(label, text, href=url)
        for label, text, url, where in _labelled_copies(row)
        if where == "wayback"
    ]
    if items:
        items.append(Item("", preservation(row)))
    elif row.link.archive and row.link.archive.error:
        items.append(Item("not archived", row.link.archive.error))
    elif row.link.archive is None or not row.link.archive.copies():
        items.append(Item("not archived", "no copy yet"))
    return items


def other_archive_items(row: Row) -> list[Item]:
    """Copies kept by other archives (Perma.cc, archive.today, national archives)."""
    return [
        Item(label, text, href=url)
        for label, text, url, where in _labelled_copies(row)
        if where != "wayback"
    ]


def _labelled_copies(row: Row) -> list[tuple[str, str, str, str]]:
    archive = row.link.archive
    if archive is None:
        return []
    labelled: list[tuple[str, Snapshot | None]] = [
        ("as cited", archive.cited_snapshot),
        ("latest", archive.snapshot),
        ("older good copy", archive.good_snapshot),
        ("Perma.cc", archive.perma),
        *((s.archive, s) for s in archive.elsewhere),
    ]
    found, seen = [], set()
    for label, snapshot in labelled:
        if snapshot is None or snapshot.url in seen:
            continue
        seen.add(snapshot.url)
        judged = JUDGED[snapshot.judgement.verdict] if snapshot.judgement else "not verified"
        found.append((label, f"{snapshot.date}, {judged}", snapshot.url, snapshot.archive))
    return found


def screenshot_of(row: Row) -> tuple[MediaFile, MediaFile | None] | None:
    """The link's screenshot and thumbnail, when the browser kept them."""
    kept = row.link.evidence
    rendering = kept.rendering if kept is not None else None
    if rendering is None or rendering.screenshot is None:
        return None
    return rendering.screenshot, rendering.thumbnail


# What "preserved" counts, said the same way in every summary (citations.md, report.html, stderr)
PRESERVED = "a copy holds the page, or was not verified"


def _summary(manifest: Manifest) -> list[tuple[str, list[str]]]:
    """The summary's lines, each with the footnotes it lists (none for a count)."""
    summary = manifest.summary()
    lost = lost_footnotes(manifest)
    links = f"{summary.links} link{'s' if summary.links != 1 else ''}"
    dying = summary.count("dying")
    failing = f"{dying} dying (failed, not yet confirmed dead), " if dying else ""
    lines: list[tuple[str, list[str]]] = [
        (f"citations: {summary.citations} ({summary.links} unique)", []),
        (
            f"checked: {summary.count('alive')} alive, {summary.count('redirected')} "
            f"redirected, {summary.count('dead')} dead (link rot), {failing}"
            f"{summary.count('blocked')} blocked to robots, {summary.count('error')} could not "
            "be checked",
            [],
        ),
        (f"preserved: {summary.archived} of {links} ({PRESERVED})", []),
        (
            f"with a copy from when the document cited them: {summary.as_cited_snapshots} "
            f"of {links}",
            [],
        ),
    ]
    if lost:
        lines.append(("footnotes that lost every source", lost))
    at_risk = [n for n in lost_footnotes(manifest, ("dead", "dying")) if n not in lost]
    if at_risk:
        lines.append(("footnotes every source of which is dying (not yet confirmed)", at_risk))
    if summary.not_holding:
        lines.append(
            (
                f"captured, but no copy holds the page (login walls, error pages): "
                f"{summary.not_holding} of {links}",
                [],
            )
        )
    if summary.drifted:
        lines.append((f"changed substantially since cited: {summary.drifted} of {links}", []))
    if summary.missing_snapshots:
        lines.append((f"not preserved at all: {summary.missing_snapshots} of {links}", []))
    return lines


def title(manifest: Manifest) -> str:
    """The document's title, else its file name (never the folder it was read from)."""
    named = manifest.document.get("title")
    if named:
        return str(named)
    return document_name(str(manifest.document.get("path") or "document"))


@dataclass(frozen=True)
class Note:
    """One footnote's citations, in document order, with the note's own text."""

    label: str | None
    text: str | None
    rows: tuple[Row, ...]

    @property
    def anchor(self) -> str:
        return f"fn-{self.label}" if self.label else "other-links"


def notes(manifest: Manifest) -> list[Note]:
    """The citations grouped by footnote, in document order."""
    grouped: list[Note] = []
    for row in rows(manifest):
        note = row.citation.footnote
        if grouped and grouped[-1].label == note:
            last = grouped[-1]
            grouped[-1] = Note(last.label, last.text or row.citation.note, (*last.rows, row))
        else:
            grouped.append(Note(note, row.citation.note, (row,)))
    return grouped


# Each citation's facts, in the order the reading formats show them: (heading, facts).
SECTIONS: tuple[tuple[str, Callable[[Row], list[Item]]], ...] = (
    ("Wayback Machine", archive_items),
    ("Own copy", own_copy_items),
    ("Other archives", other_archive_items),
)


def _md_escape(text: str) -> str:
    return "".join(f"\\{c}" if c in "\\`*_[]<>|#" else c for c in text)


def _md_url(url: str) -> str:
    return url.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E")


def _md_code(text: str) -> str:
    return f"`{text.replace('`', '')}`"


def _md_item(item: Item) -> str:
    if not item.label:
        return _md_escape(item.text)
    if item.href:
        return f"[{_md_escape(item.label)}: {_md_escape(item.text)}](<{_md_url(item.href)}>)"
    shown = _md_code(item.text) if item.code else _md_escape(item.text)
    return f"{_md_escape(item.label)}: {shown}"


def _md_anchor(label: str) -> str:
    return f"footnote-{label.lower()}"


class MarkdownRenderer:
    name = "markdown"
    suffix = ".md"

    def render(self, manifest: Manifest) -> str:
        out = [f"# Sources of {_md_escape(title(manifest))}", ""]
        path = str(manifest.document.get("path") or "")
        if path and manifest.document.get("title"):
            out += [f"Document: {_md_escape(document_name(path))}.", ""]
        cited_on = manifest.document.get("cited_on")
        if cited_on:
            out += [f"Cited on {cited_on}{_given(manifest)}; checked {manifest.generated_at}.", ""]
        for line, listed in _summary(manifest):
            # a list of footnote labels said as one, never mistaken for a count beside the counts
            named = f"footnote{'s' if len(listed) > 1 else ''} {', '.join(listed)}"
            out.append(f"- {line}: {named}" if listed else f"- {line}")
        for note in notes(manifest):
            heading = f"Footnote {_md_escape(note.label)}" if note.label else "Other links"
            out += ["", f"## {heading}", ""]
            if note.text:
                out += [f"> {_md_escape(note.text)}", ""]
            for row in note.rows:
                out.extend(self._citation(row))
        return "\n".join(out) + "\n"

    def _citation(self, row: Row) -> list[str]:
        head = f"- <{_md_url(row.citation.url)}> — **{row.verdict}**"
        if row.link.check:
            head += f" ({row.reason})"
        if row.moved_to:
            head += f", now at <{_md_url(row.moved_to)}>"
        lines = [head]
        for heading, facts in SECTIONS:
            items = facts(row)
            if items:
                lines.append(f"  - {heading}: " + "; ".join(_md_item(i) for i in items))
        return lines


_BADGE = {
    "alive": "#1a7f37",
    "redirected": "#0969da",
    "dead": "#cf222e",
    "dying": "#bc4c00",
    "blocked": "#9a6700",
    "error": "#8250df",
    "unchecked": "#57606a",
}
_STYLE = """
*{box-sizing:border-box}
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;color:#1f2328;overflow-wrap:anywhere}
h1{font-size:1.6rem;line-height:1.25}h2{font-size:1.15rem;margin:1.8rem 0 .4rem}
a{color:#0969da}code{font-size:.85em;word-break:break-all}
ul{padding-left:1.2rem}li{margin:.3rem 0}
.badge{display:inline-block;padding:0 .45rem;border-radius:.6rem;color:#fff;font-size:.8rem;
font-weight:600}
.why,.meta{color:#57606a;font-size:.9rem}
.summary{background:#f6f8fa;padding:.6rem 1rem .6rem 2rem;border-radius:6px}
.listed{display:inline;padding:0;margin:0}.listed li{display:inline;margin:0}
.listed li+li::before{content:", "}
.note-text{margin:.2rem 0 .6rem;padding:.1rem .8rem;border-left:3px solid #d0d7de;color:#424a53}
.citations{list-style:none;padding:0}
.citation{border:1px solid #d0d7de;border-radius:6px;padding:.5rem .8rem;margin:.6rem 0}
.citation>p{margin:.1rem 0 .3rem}
.facts{margin:0;display:grid;grid-template-columns:11rem 1fr;gap:.2rem .8rem}
.facts dt{font-weight:600;font-size:.9rem;color:#424a53;white-space:nowrap}.facts dd{margin:0}
.facts ul{list-style:none;padding:0;margin:0}.facts li{margin:0 0 .15rem}
.label{color:#57606a}
@media (max-width:40rem){body{margin:1rem auto}.facts{grid-template-columns:1fr}
.facts dd{margin-bottom:.4rem}}
.shot{display:block;margin:.3rem 0}.shot img{max-width:160px;border:1px solid #d0d7de}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _html_item(item: Item) -> str:
    shown = f"<code>{_e(item.text)}</code>" if item.code else _e(item.text)
    if not item.label:
        return f'<span class="why">{shown}</span>'
    if item.href:
        return f'<span class="label">{_e(item.label)}:</span> <a href="{_e(item.href)}">{shown}</a>'
    return f'<span class="label">{_e(item.label)}:</span> {shown}'


class HtmlRenderer:
    """One standalone page (no script, no external resource) with Robust Links on every link."""

    name = "html"
    suffix = ".html"

    def render(self, manifest: Manifest) -> str:
        named = title(manifest)
        body = [f"<header><h1>Sources of {_e(named)}</h1>"]
        path = str(manifest.document.get("path") or "")
        meta = []
        if path and manifest.document.get("title"):
            meta.append(f"Document: {_e(document_name(path))}.")
        cited_on = manifest.document.get("cited_on")
        if cited_on:
            meta.append(
                f"Cited on {_e(cited_on)}{_e(_given(manifest))}; "
                f"checked {_e(manifest.generated_at)}."
            )
        if meta:
            body.append(f'<p class="meta">{" ".join(meta)}</p>')
        body.append("</header>")
        body.append(self._summary(manifest))
        body.append("<main>")
        for note in notes(manifest):
            body.append(self._note(note, cited_on))
        body.append("</main>")
        return (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>Sources of {_e(named)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
            + "\n".join(body)
            + "\n</body>\n</html>\n"
        )

    def _summary(self, manifest: Manifest) -> str:
        items = []
        for i, (line, listed) in enumerate(_summary(manifest)):
            if not listed:
                items.append(f"<li>{_e(line)}</li>")
                continue
            label = f"summary-{i}"
            links = "".join(f'<li><a href="#fn-{_e(n)}">{_e(n)}</a></li>' for n in listed)
            items.append(
                f'<li><span id="{label}">{_e(line)}</span>: '
                f'<ul class="listed" aria-labelledby="{label}">{links}</ul></li>'
            )
        return f'<section aria-label="Summary"><ul class="summary">{"".join(items)}</ul></section>'

    def _note(self, note: Note, cited_on: str | None) -> str:
        heading = f"Footnote {_e(note.label)}" if note.label else "Other links"
        parts = [f'<section id="{_e(note.anchor)}"><h2>{heading}</h2>']
        if note.text:
            parts.append(f'<blockquote class="note-text">{_e(note.text)}</blockquote>')
        parts.append(f'<ul class="citations" aria-label="{heading}: cited links">')
        parts.extend(
            f'<li class="citation">{self._citation(row, cited_on)}</li>' for row in note.rows
        )
        parts.append("</ul></section>")
        return "".join(parts)

    def _citation(self, row: Row, cited_on: str | None) -> str:
        url = row.citation.url
        best = row.best_snapshot
        attrs = f'href="{_e(url)}" data-originalurl="{_e(url)}"'
        if best:
            attrs += f' data-versionurl="{_e(best.url)}"'
            attrs += f' data-versiondate="{_e(cited_on or best.date)}"'
        color = _BADGE.get(row.verdict, "#57606a")
        head = [
            f"<a {attrs}>{_e(url)}</a>",
            f' <span class="badge" style="background:{color}">{_e(row.verdict)}</span>',
        ]
        if row.link.check:
            head.append(f' <span class="why">{_e(row.reason)}</span>')
        if row.moved_to:
            moved = _e(row.moved_to)
            head.append(f' <span class="why">now at <a href="{moved}">{moved}</a></span>')
        facts = []
        for heading, found in SECTIONS:
            items = found(row)
            if items:
                listed = "".join(f"<li>{_html_item(i)}</li>" for i in items)
                facts.append(f"<dt>{_e(heading)}</dt><dd><ul>{listed}</ul></dd>")
        shown = f'<dl class="facts">{"".join(facts)}</dl>' if facts else ""
        shot = screenshot_of(row)
        if shot:
            full, small = shot
            shown += (
                f'<a class="shot" href="{_e(full.path)}" title="sha256 {_e(full.sha256)}">'
                f'<img src="{_e((small or full).path)}" alt="screenshot of {_e(url)}" '
                'loading="lazy"></a>'
            )
        return f"<p>{''.join(head)}</p>{shown}"


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
