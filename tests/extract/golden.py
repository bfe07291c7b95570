"""Everything a reader makes of a document, as JSON: the golden record ``test_golden.py`` checks.

Each fixture document the project made itself (with pandoc, LibreOffice, Word...) is read with and
without ``--all-links`` (other projects' documents are not restated here: they stay in the shared
folder, and ``test_third_party.py`` checks what each cites); the record keeps what a user or a
later step sees: every citation with its note label, note name, line and context sentence, the
other URLs, the warnings, the format, encoding and date found; and the reader's own notes (with
or without URLs), the lines each covers (what ``annotate`` rewrites) and every label's context
sentence.
``tests/fixtures/update_golden.py`` writes the records after a deliberate change; the test only
reads them.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

from kzarchive.errors import DocumentError
from kzarchive.extract import detect_format, extract, reader, sniff_binary
from kzarchive.extract.notes import Parsed
from kzarchive.extract.reading import decode, read_bytes

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
GOLDEN = FIXTURES / "golden" / "extract"
_SUFFIXES = {
    ".md",
    ".markdown",
    ".txt",
    ".html",
    ".html5",
    ".htm",
    ".tex",
    ".latex",
    ".bib",
    ".docx",
    ".odt",
    ".pdf",
    ".epub",
}
_FOLDERS = ("documents", "office")


def documents() -> list[str]:
    """Every fixture document, as a path relative to ``tests/fixtures`` (and the seed report)."""
    found = [
        str(path.relative_to(FIXTURES))
        for folder in _FOLDERS
        for path in sorted((FIXTURES / folder).iterdir())
        if path.suffix.lower() in _SUFFIXES
    ]
    return ["../../sources.txt", *found]


def golden_path(name: str) -> Path:
    return GOLDEN / (name.replace("../", "").replace("/", "__") + ".json")


def record(name: str) -> dict[str, Any]:
    """What kzarchive makes of the fixture document ``name``."""
    path = (FIXTURES / name).resolve()
    try:
        cited = extract(path)
        everything = extract(path, all_links=True)
    except DocumentError as exc:
        return {"error": str(exc).replace(str(path), path.name)}
    document = cited.document.to_json()
    document["path"] = path.name
    document.pop("title", None)  # titles and note texts: tests/extract/test_note_text.py
    return {
        "document": document,
        "citations": [
            {
                "footnote": c.footnote,
                "url": c.url,
                "line": c.line,
                "name": c.name,
                "context": c.context,
            }
            for c in cited.citations
        ],
        "other_urls": [[c.url, c.line] for c in everything.citations if c.footnote is None],
        "warnings": [w.replace(str(path), path.name) for w in cited.warnings],
        **_notes(path),
    }


def _parsed(path: Path) -> Parsed:
    """The reader's own findings, before they become citations."""
    data = read_bytes(path)
    binary = sniff_binary(path, data)
    if binary is None:
        source = decode(path, data)
        return reader(detect_format(path, source.text))(source.text)
    module = importlib.import_module(f"kzarchive.extract.{binary}")
    found: Parsed = module.parse(data, path.name)
    return found


def _notes(path: Path) -> dict[str, Any]:
    """Every note in document order with the lines it covers (what ``annotate`` rewrites), its
    name and URLs, whether it cites any; and the context sentence of every label."""
    parsed = _parsed(path)
    return {
        "notes": [
            {
                "label": note.label,
                "line": note.line,
                "name": note.name,
                "urls": note.urls,
                "spans": [list(span) for span in note.spans],
            }
            for note in parsed.notes
        ],
        "contexts": parsed.contexts,
        "reader_cited_on": parsed.cited_on.isoformat() if parsed.cited_on else None,
    }


def dumps(found: dict[str, Any]) -> str:
    return json.dumps(found, indent=1, ensure_ascii=False) + "\n"
