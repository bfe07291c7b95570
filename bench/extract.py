"""Extraction speed: a synthetic 50 MB report with 100,000 footnotes, and a 300-page PDF.

Run: python bench/extract.py [--footnotes N] [--megabytes M] [--pdf-pages P]. Prints the size,
the time and MB/s for the text report; pages, citations and time for the PDF, which is the
LibreOffice-exported fixture (tests/fixtures/office/report.pdf) repeated to P pages.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from kzarchive.extract import extract

PARAGRAPH = (
    "On {day} February 2019 the court heard the case of activist number {n}, and observers from "
    "the mission reported that the hearing was closed to the public and to the press, that the "
    "defendant's lawyer was not admitted, and that the verdict repeated the prosecutor's request "
    "word for word; the appeal was dismissed within a week without a hearing{sup}. "
)


def build(footnotes: int, target_bytes: int) -> str:
    body_per_note = max(1, target_bytes // footnotes // (len(PARAGRAPH) + 40))
    body: list[str] = ["Warsaw, 22 February 2019\n\n"]
    notes: list[str] = []
    for n in range(1, footnotes + 1):
        text = "".join(
            PARAGRAPH.format(day=n % 28 + 1, n=n, sup=f"<sup>{n}</sup>" if i == 0 else "")
            for i in range(body_per_note)
        )
        body.append(text + "\n\n")
        if n % 3 == 0:
            notes.append(
                f"<sup>{n}</sup> [https://example{n % 50}.org/a\\\\_b/{n}]"
                f"(https://example{n % 50}.org/a_b/{n}); <https://host{n % 7}.org/x?id={n}&t=1>\n\n"
            )
        else:
            notes.append(f"<sup>{n}</sup> <https://site{n % 97}.org/report/{n}/>\n\n")
    return "".join(body) + "---\n\n" + "".join(notes)


def bench_pdf(pages: int) -> None:
    from pypdf import PdfReader, PdfWriter

    fixture = Path(__file__).resolve().parent.parent / "tests/fixtures/office/report.pdf"
    source = PdfReader(fixture)
    writer = PdfWriter()
    while len(writer.pages) < pages:
        for page in source.pages:
            writer.add_page(page)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "long.pdf"
        with path.open("wb") as stream:
            writer.write(stream)
        start = time.perf_counter()
        result = extract(path)
        elapsed = time.perf_counter() - start
    print(f"PDF: {len(writer.pages)} pages, {len(result.citations)} citations, {elapsed:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--footnotes", type=int, default=100_000)
    parser.add_argument("--megabytes", type=float, default=50.0)
    parser.add_argument("--pdf-pages", type=int, default=300)
    args = parser.parse_args()
    if args.pdf_pages:
        bench_pdf(args.pdf_pages)
    text = build(args.footnotes, int(args.megabytes * 1_000_000))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.md"
        path.write_text(text, encoding="utf-8")
        size_mb = path.stat().st_size / 1_000_000
        start = time.perf_counter()
        result = extract(path)
        elapsed = time.perf_counter() - start
    print(f"document: {size_mb:.1f} MB, {args.footnotes} footnotes")
    print(f"citations: {len(result.citations)}, unique links: {len(result.links)}")
    print(f"time: {elapsed:.2f} s, throughput: {size_mb / elapsed:.2f} MB/s")


if __name__ == "__main__":
    main()
