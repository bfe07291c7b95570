"""Link results in the formats CI systems and link checkers' users read: JSON, CSV, Markdown and
JUnit XML, for ``check --format`` and ``run --format``.

Each format is one :class:`Reporter` registered by name in :data:`REPORTERS`; all take the links'
results in document order and return text. In JUnit, each link is a test case: a dead link is a
failure, and a link that could not be judged (blocked to robots, an error this time, excluded by
the user) is skipped with its reason, so that a CI run fails on link rot and on nothing else.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import PurePath
from typing import Protocol
from urllib.parse import urlsplit
from xml.etree import ElementTree

from kzarchive.formats import to_csv, to_json
from kzarchive.models import VERDICTS, ArchiveState, Check


@dataclass(frozen=True)
class LinkResult:
    """One unique link's outcome: its check, and its archive state when it was archived too."""

    url: str
    footnotes: tuple[str, ...]
    check: Check | None
    archive: ArchiveState | None = None

    @property
    def verdict(self) -> str:
        """The verdict as told: ``dying`` for a dead look a library has not confirmed."""
        return self.check.status if self.check else "unchecked"

    @property
    def reason(self) -> str:
        return self.check.explained if self.check else ""


@dataclass(frozen=True)
class Results:
    """What a ``check`` or ``run`` found, for one document."""

    document: str
    links: tuple[LinkResult, ...]
    offline: bool = False

    @property
    def archived(self) -> bool:
        return any(link.archive is not None for link in self.links)


def document_name(path: str) -> str:
    """A document as reports name it: its file name, never the folder it was read from."""
    return PurePath(path.replace("\\", "/")).name or path


class Reporter(Protocol):
    name: str

    def render(self, results: Results) -> str: ...


class JsonReporter:
    name = "json"

    def render(self, results: Results) -> str:
        links = []
        for link in results.links:
            entry = {
                "url": link.url,
                "footnotes": list(link.footnotes),
                "check": link.check.to_json() if link.check else None,
            }
            if link.archive is not None:
                entry["archive"] = link.archive.to_json()
            links.append(entry)
        return to_json({"offline": results.offline, "links": links})


class CsvReporter:
    name = "csv"

    def render(self, results: Results) -> str:
        header = ["url", "footnotes", "verdict", "reason", "http_status", "final_url", "checked_at"]
        if results.archived:
            header += ["archive_status", "snapshot_url", "cited_snapshot_url", "preserved"]
        rows = []
        for link in results.links:
            check = link.check
            row: list[object] = [
                link.url,
                " ".join(link.footnotes),
                link.verdict,
                link.reason,
                check.http_status if check else None,
                check.final_url if check else None,
                check.checked_at if check else None,
            ]
            if results.archived:
                state = link.archive
                row += [
                    state.status if state else None,
                    state.snapshot.url if state and state.snapshot else None,
                    state.cited_snapshot.url if state and state.cited_snapshot else None,
                    ("yes" if state.preserved else "no") if state else None,
                ]
            rows.append(row)
        return to_csv(header, rows)


def _md(text: str) -> str:
    return "".join(f"\\{c}" if c in "\\`*_[]<>|#" else c for c in text)


def _md_url(url: str) -> str:
    return url.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")


class MarkdownReporter:
    """A summary table, then the links that need attention by verdict (as lychee writes it)."""

    name = "markdown"

    def render(self, results: Results) -> str:
        counts = Counter(link.verdict for link in results.links)
        out = [f"# Link check of {_md(results.document)}", ""]
        if results.offline:
            out += [
                "This machine was offline (no public host name resolved): links it could not "
                "reach are `error` (offline), never `dead`.",
                "",
            ]
        out += ["| verdict | links |", "|---|---:|"]
        dying = ("dying",) if counts["dying"] else ()
        shown = (*VERDICTS[:3], *dying, *VERDICTS[3:], "unchecked")
        out += [f"| {verdict} | {counts[verdict]} |" for verdict in shown]
        out.append(f"| **total** | **{len(results.links)}** |")
        for verdict in ("dead", "dying", "blocked", "error", "excluded", "unchecked"):
            found = [link for link in results.links if link.verdict == verdict]
            if not found:
                continue
            out += ["", f"## {verdict.capitalize()} ({len(found)})", ""]
            for link in found:
                notes = ", ".join(link.footnotes)
                line = f"- <{_md_url(link.url)}> ({_md(link.reason)})"
                if notes:
                    line += f", footnote{'s' if len(link.footnotes) > 1 else ''} {_md(notes)}"
                snapshot = link.archive.best_copy() if link.archive else None
                if snapshot is not None:
                    line += f"; archived copy: <{_md_url(snapshot.url)}>"
                out.append(line)
        return "\n".join(out) + "\n"


# JUnit elements per verdict: dead is a failure, what could not be judged (or a library has not
# confirmed dead yet) is skipped.
_SKIPPED = {
    "dying": "failed, not yet confirmed dead",
    "blocked": "blocked to robots",
    "error": "could not be checked this time",
    "excluded": "excluded",
    "unchecked": "not checked",
}


class JunitReporter:
    """JUnit XML as Jenkins, GitLab and GitHub's test reporters read it (the Ant/Surefire
    ``junit-10.xsd`` schema): one test suite for the document, one test case per link."""

    name = "junit"

    def render(self, results: Results) -> str:
        counts = Counter(link.verdict for link in results.links)
        skipped = sum(counts[v] for v in _SKIPPED)
        elapsed = sum((link.check.elapsed_ms or 0) for link in results.links if link.check)
        suites = ElementTree.Element(
            "testsuites",
            name="kzarchive",
            tests=str(len(results.links)),
            failures=str(counts["dead"]),
            errors="0",
            time=_seconds(elapsed),
        )
        suite = ElementTree.SubElement(
            suites,
            "testsuite",
            name=results.document,
            tests=str(len(results.links)),
            failures=str(counts["dead"]),
            errors="0",
            skipped=str(skipped),
            time=_seconds(elapsed),
        )
        for link in results.links:
            host = urlsplit(link.url).hostname or "link"
            case = ElementTree.SubElement(
                suite,
                "testcase",
                name=link.url,
                classname=f"kzarchive.{host}",
                time=_seconds((link.check.elapsed_ms or 0) if link.check else 0),
            )
            notes = ", ".join(link.footnotes)
            where = f" (footnote {notes})" if notes else ""
            if link.verdict == "dead":
                failure = ElementTree.SubElement(
                    case, "failure", type="dead", message=f"dead: {link.reason}{where}"
                )
                failure.text = _details(link)
            elif link.verdict in _SKIPPED:
                ElementTree.SubElement(
                    case,
                    "skipped",
                    type=link.verdict,
                    message=f"{_SKIPPED[link.verdict]}: {link.reason or 'no reason'}{where}",
                )
        ElementTree.indent(suites)
        body = ElementTree.tostring(suites, encoding="unicode")
        return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


def _seconds(ms: int) -> str:
    return f"{ms / 1000:.3f}"


def _details(link: LinkResult) -> str:
    lines = [f"{link.url}: {link.verdict} ({link.reason})"]
    if link.check and link.check.http_status is not None:
        lines.append(f"HTTP status: {link.check.http_status}")
    snapshot = link.archive.best_copy() if link.archive else None
    if snapshot is not None:
        lines.append(f"archived copy: {snapshot.url}")
    return "\n".join(lines)


REPORTERS: dict[str, Reporter] = {
    r.name: r for r in (MarkdownReporter(), JunitReporter(), CsvReporter(), JsonReporter())
}
