"""A manifest's citations for reference managers and encyclopedias: CSL JSON (Zotero, Pandoc,
citeproc), BibLaTeX (JabRef, biber) and Wikipedia's ``{{cite web}}`` templates.

One entry per citation, in document order. The archive fields come only from a copy judged to
hold the page (never from a login wall, an error page or a copy nobody looked at); the copy from
when the document cited the link comes first. A dead link says so (``url-status=dead``) and
points at its as-cited copy; a link a library calls dying (failed, not yet confirmed) is not
called dead. Each format is one :class:`Citer` registered in :data:`CITERS`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol
from urllib.parse import urlsplit

from kzarchive.manifest import LinkRecord, Manifest
from kzarchive.models import Citation, Snapshot

ARCHIVE_NAMES = {
    "wayback": "Internet Archive",
    "perma.cc": "Perma.cc",
    "archive.today": "archive.today",
    "archive.ph": "archive.today",
    "arquivo.pt": "Arquivo.pt",
}
_URL = re.compile(r"https?://\S+")


@dataclass(frozen=True)
class Entry:
    """One citation as every format writes it."""

    key: str
    footnote: str | None
    url: str
    title: str
    accessed: date | None
    status: str | None  # CS1's url-status: "live" or "dead" (None: nothing known)
    archived: Snapshot | None  # a copy judged to hold the page, as cited first

    @property
    def archive_name(self) -> str | None:
        if self.archived is None:
            return None
        return ARCHIVE_NAMES.get(self.archived.archive, self.archived.archive)

    @property
    def archive_date(self) -> date | None:
        return _day(self.archived.date) if self.archived else None


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def verified_copy(record: LinkRecord) -> Snapshot | None:
    """The copy to cite: as cited if it holds the page, else the best copy that does."""
    archive = record.archive
    if archive is None:
        return None
    for snapshot in (archive.cited_snapshot, archive.best_copy(), archive.good_snapshot):
        if snapshot is not None and snapshot.holds_page is True:
            return snapshot
    return None


# A note's addresses, with a scheme or without (www.example.org/x, as the document wrote it)
_ADDRESS = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# A quoted title as style guides write it: “Title,” or "Title." (the comma may sit outside)
_QUOTED = re.compile(r"[“\"]\s*([^”\"]{3,}?)\s*[,.;:]?\s*[”\"]")
# Words that introduce a source rather than name it
_SIGNAL = re.compile(
    r"^(?:see(?:\s+also)?|cf\.?|available(?:\s+(?:at|from|online))?|source|sources|"
    r"retrieved(?:\s+from)?|accessed|online|at|link|url|via|from|cited\s+as|e\.g\.|ibid\.?)"
    r"\b[\s:,.]*",
    re.IGNORECASE,
)
_EDGES = " ,.;:–—-<>"
# What the check or the capture saw instead of the page: its title is not the page's
_NOT_THE_PAGE = frozenset(("login-wall", "bot-challenge", "soft-404", "error-page"))


def page_title(record: LinkRecord) -> str | None:
    """The page's own title as kzarchive saw it (the browser's rendering, else the kept HTTP
    answer), unless what answered was a login wall, a challenge or an error page."""
    evidence = record.evidence
    if evidence is None or evidence.verdict in _NOT_THE_PAGE:
        return None
    if record.check is not None and record.check.verdict not in ("alive", "redirected"):
        return None
    rendering = evidence.rendering
    for found in (rendering.title if rendering else None, evidence.title):
        title = " ".join((found or "").split())
        if title and not _site_name(title, record.url):
            return title
    return None


def _site_name(title: str, url: str) -> bool:
    """Whether a title only names the site ("Facebook" for a post a logged-out browser sees)."""
    host = (urlsplit(url).hostname or "").lower()
    bare = re.sub(r"^\(\d+\+?\)\s*", "", title).lower()  # "(20+) Facebook"
    return bare in (host, *host.split("."))


def note_title(note: str | None) -> str | None:
    """A title the note itself gives: a quoted “Title,” (a Word-style note), else the words
    before the note's only address (or the whole note, when its link is a hyperlink's) when
    they are all it says besides; None when what is left is not a title ("See … and …", a
    signal word, a fragment)."""
    if not note:
        return None
    quoted = _QUOTED.search(_ADDRESS.sub(" ", note))
    if quoted:
        return quoted.group(1).strip(_EDGES) or None
    addresses = _ADDRESS.findall(note)
    if len(addresses) > 1:
        return None
    before, _, after = note.partition(addresses[0]) if addresses else (note, "", "")
    if after.strip(_EDGES):
        return None  # words after the address: a sentence, not a title
    words = re.sub(r"^\s*\d+\s+", "", " ".join(before.split()))  # a note's own number
    words = _SIGNAL.sub("", words).strip(_EDGES)
    return words if len(words) >= 3 and any(c.isalpha() for c in words) else None


def address_title(citation: Citation) -> str:
    """The cited address without its scheme: host and path."""
    parts = urlsplit(citation.url)
    return (parts.netloc + parts.path).rstrip("/") or citation.url


def _title(citation: Citation, record: LinkRecord) -> str:
    """The page's own title when known, else the one the note gives, else host and path."""
    return page_title(record) or note_title(citation.note) or address_title(citation)


def entries(manifest: Manifest) -> list[Entry]:
    by_url = {record.url: record for record in manifest.links}
    found: list[Entry] = []
    counts: dict[str, int] = {}
    for citation in manifest.citations:
        record = by_url.get(citation.url) or LinkRecord(citation.url)
        note = citation.footnote or "link"
        counts[note] = counts.get(note, 0) + 1
        key = re.sub(r"[^A-Za-z0-9]+", "-", f"fn{note}-{counts[note]}").strip("-")
        check = record.check
        status = None
        accessed = _day(manifest.document.get("cited_on"))
        if check is not None and check.status == "dead":
            status = "dead"
        elif check is not None and check.status == "dying":
            # failed, not yet confirmed dead (a library's rule): no "dead" said of it anywhere,
            # as InternetArchiveBot takes no action on a dying link
            status = None
        elif check is not None and check.verdict in ("alive", "redirected"):
            status = "live"
            accessed = _day(check.checked_at)
        found.append(
            Entry(
                key=key,
                footnote=citation.footnote,
                url=citation.url,
                title=_title(citation, record),
                accessed=accessed,
                status=status,
                archived=verified_copy(record),
            )
        )
    return found


class Citer(Protocol):
    name: str
    suffix: str

    def render(self, manifest: Manifest) -> str: ...


def _csl_date(day: date) -> dict[str, Any]:
    return {"date-parts": [[day.year, day.month, day.day]]}


class CslJson:
    """CSL JSON, the input of every CSL processor (citeproc-js in Zotero and Mendeley, citeproc-py,
    Pandoc's citeproc): ``URL``, ``accessed``, and ``archive`` (the archive's name) with
    ``archive_location`` (the copy's address), as Zotero maps its "Archive" and "Loc. in
    Archive" fields."""

    name = "csl-json"
    suffix = ".json"

    def render(self, manifest: Manifest) -> str:
        items = []
        for entry in entries(manifest):
            item: dict[str, Any] = {
                "id": entry.key,
                "type": "webpage",
                "title": entry.title,
                "URL": entry.url,
            }
            if entry.accessed:
                item["accessed"] = _csl_date(entry.accessed)
            if entry.archived is not None and entry.archive_date is not None:
                item["archive"] = entry.archive_name
                item["archive_location"] = entry.archived.url
                item["note"] = f"Archived on {entry.archive_date.isoformat()}"
            if entry.status == "dead":
                item["note"] = "; ".join(filter(None, [item.get("note"), "link dead"]))
            items.append(item)
        return json.dumps(items, indent=2, ensure_ascii=False) + "\n"


_LATEX_SPECIAL = re.compile(r"([&%$#_{}])|(~)|(\^)|(\\)")


def _latex(text: str) -> str:
    def escape(match: re.Match[str]) -> str:
        if match.group(1):
            return "\\" + match.group(1)
        if match.group(2):
            return r"\textasciitilde{}"
        if match.group(3):
            return r"\textasciicircum{}"
        return r"\textbackslash{}"

    return _LATEX_SPECIAL.sub(escape, text)


def _bib_url(url: str) -> str:
    # biber reads url fields verbatim, but an unbalanced brace or a % would end the field.
    return url.replace("{", "%7B").replace("}", "%7D").replace("%", "\\%")


class BibLatex:
    """BibLaTeX ``@online`` entries: ``url`` and ``urldate``; the archived copy in ``addendum``
    (which every style prints) and in ``archiveurl``/``archivedate`` for tools that read them."""

    name = "biblatex"
    suffix = ".bib"

    def render(self, manifest: Manifest) -> str:
        blocks = []
        for entry in entries(manifest):
            fields = [("title", "{" + _latex(entry.title) + "}"), ("url", _bib_url(entry.url))]
            if entry.accessed:
                fields.append(("urldate", entry.accessed.isoformat()))
            if entry.archived is not None and entry.archive_date is not None:
                when = entry.archive_date.isoformat()
                fields += [
                    ("archiveurl", _bib_url(entry.archived.url)),
                    ("archivedate", when),
                    (
                        "addendum",
                        f"Archived by {_latex(entry.archive_name or '')} on {when} at "
                        f"\\url{{{_bib_url(entry.archived.url)}}}",
                    ),
                ]
            if entry.status == "dead":
                fields.append(("note", "Link dead"))
            body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
            blocks.append(f"@online{{{entry.key},\n{body}\n}}\n")
        return "\n".join(blocks)


def _wiki(text: str) -> str:
    """A template parameter's value: no pipe, brace or bracket pair that would end it."""
    for raw, safe in (
        ("|", "&#124;"),
        ("{{", "&#123;&#123;"),
        ("}}", "&#125;&#125;"),
        ("[", "&#91;"),
        ("]", "&#93;"),
    ):
        text = text.replace(raw, safe)
    return text


def _wiki_url(url: str) -> str:
    return url.replace("|", "%7C").replace(" ", "%20").replace("[", "%5B").replace("]", "%5D")


class Wikipedia:
    """Wikipedia's ``{{cite web}}`` (CS1): ``url``, ``title``, ``access-date``, ``archive-url``,
    ``archive-date`` and ``url-status`` (``dead`` or ``live``; ``usurped`` and ``unfit`` are an
    editor's call). A dead link with no copy that holds the page gets ``{{dead link}}``."""

    name = "wikipedia"
    suffix = ".wiki"

    def render(self, manifest: Manifest) -> str:
        lines = []
        # {{dead link}} dates when the link was found dead: the manifest's last run.
        found_dead = _day(manifest.generated_at) or date.today()
        for entry in entries(manifest):
            params = [("url", _wiki_url(entry.url)), ("title", _wiki(entry.title))]
            if entry.accessed:
                params.append(("access-date", entry.accessed.isoformat()))
            if entry.archived is not None and entry.archive_date is not None:
                params += [
                    ("archive-url", _wiki_url(entry.archived.url)),
                    ("archive-date", entry.archive_date.isoformat()),
                    ("url-status", entry.status or "live"),
                ]
            cite = "{{cite web |" + " |".join(f"{k}={v}" for k, v in params) + "}}"
            if entry.status == "dead" and entry.archived is None:
                cite += "{{dead link |date=" + found_dead.strftime("%B %Y") + "}}"
            label = f"footnote {entry.footnote}" if entry.footnote else "link"
            lines.append(f'<ref name="{entry.key}">{cite}</ref><!-- {label} -->')
        return "\n".join(lines) + ("\n" if lines else "")


CITERS: dict[str, Citer] = {c.name: c for c in (CslJson(), BibLatex(), Wikipedia())}
