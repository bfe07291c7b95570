"""Plain data renderings of command results (JSON, CSV, URL lists) for stdout or a file.

Rich tables live in the CLI's view layer; everything here is text that scripts read.
"""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING, Any

from kzarchive.models import ArchiveState, Link

if TYPE_CHECKING:
    from kzarchive.extract import Extraction


def to_json(data: Any) -> str:
    """Stable, readable JSON with a final newline."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def to_csv(header: list[str], rows: list[list[Any]]) -> str:
    """CSV that spreadsheet programs open correctly: every field quoted where needed, CRLF rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return buffer.getvalue()


def extraction_json(extraction: Extraction) -> dict[str, Any]:
    return {
        "document": extraction.document.to_json(),
        "citations": [c.to_json() for c in extraction.citations],
        "warnings": list(extraction.warnings),
    }


def extraction_csv(extraction: Extraction) -> str:
    return to_csv(
        ["footnote", "url", "line", "context"],
        [[c.footnote, c.url, c.line, c.context] for c in extraction.citations],
    )


def extraction_urls(extraction: Extraction) -> str:
    return "".join(f"{link.url}\n" for link in extraction.links)


def archive_json(rows: list[tuple[Link, ArchiveState]]) -> dict[str, Any]:
    return {
        "links": [
            {"url": link.url, "footnotes": list(link.footnotes), "archive": state.to_json()}
            for link, state in rows
        ]
    }
