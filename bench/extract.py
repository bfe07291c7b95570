"""Extraction: recall and precision on real reports, and speed.

Run: python bench/extract.py [--corpus DIR] [--pdf-pages P] [--footnotes N] [--megabytes M]
[--no-baseline] [-v]. Prints

- for every document of the corpus (``../shared/corpus/real-reports/`` by default; each with a
  ``.truth.json``, scored as its README says), recall and precision of the (footnote, URL) pairs
  found, and overall; beside them the figures of the pypdf reader this one replaced (read from the
  project's history, with today's URL rules), until the new reader has won everywhere; ``-v``
  lists every pair missed or wrong;
- the time of a 300-page PDF (the LibreOffice-exported fixture ``tests/fixtures/office/report.pdf``
  repeated to P pages, and the longest corpus report repeated to P pages) and its peak memory;
- the time and throughput of a synthetic 50 MB text report with 100,000 footnotes.
"""

from __future__ import annotations

import argparse
import importlib.util
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kzarchive.extract import extract  # noqa: E402
from kzarchive.extract.notes import Parsed  # noqa: E402
from tests.extract.corpus import REAL_REPORTS, Score, documents, overall, score, truth  # noqa: E402

# The last commit whose PDF reader was pypdf's
PYPDF_READER = "0dfd8ba"

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


def pypdf_reader() -> Callable[[bytes, str], Parsed] | None:
    """The pypdf reader from the project's history, or None (no git history, no pypdf)."""
    try:
        import pypdf  # noqa: F401
    except ImportError:
        return None
    done = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{PYPDF_READER}:kzarchive/extract/pdf.py"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if done.returncode != 0:
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as stream:
        stream.write(done.stdout)
    spec = importlib.util.spec_from_file_location("kzarchive_pypdf_reader", stream.name)
    assert spec is not None and spec.loader is not None
    module: ModuleType = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    parse: Callable[[bytes, str], Parsed] = module.parse
    return parse


def pairs_of(parsed: Parsed) -> list[tuple[str, str]]:
    return [(note.label, str(url)) for note in parsed.notes for url in note.urls]


def bench_corpus(folder: Path, baseline: bool, verbose: bool) -> None:
    found = documents(folder)
    if not found:
        print(f"corpus: no documents with a .truth.json in {folder}")
        return
    old = pypdf_reader() if baseline else None
    new_scores: list[Score] = []
    old_scores: list[Score] = []
    header = f"{'document':<48} {'pairs':>5} {'recall':>7} {'precision':>9} {'time':>6}"
    print(header + ("   pypdf: recall precision" if old else ""))
    for path in found:
        expected = truth(path)
        start = time.perf_counter()
        result = extract(path)
        elapsed = time.perf_counter() - start
        mine = score(path.name, [(c.footnote or "", c.url) for c in result.citations], expected)
        new_scores.append(mine)
        line = (
            f"{path.name[:48]:<48} {mine.expected:>5} {mine.recall:>7.3f} "
            f"{mine.precision:>9.3f} {elapsed:>5.2f}s"
        )
        if old is not None and path.suffix.lower() == ".pdf":
            theirs = score(path.name, pairs_of(old(path.read_bytes(), str(path))), expected)
            old_scores.append(theirs)
            line += f"   {theirs.recall:>13.3f} {theirs.precision:>9.3f}"
        print(line)
        if verbose:
            for pair in mine.missed:
                print(f"    missed {pair[0]:>5} {pair[1]}")
            for pair in mine.extra:
                print(f"    wrong  {pair[0]:>5} {pair[1]}")
    total = overall(new_scores)
    line = f"{'overall':<48} {total.expected:>5} {total.recall:>7.3f} {total.precision:>9.3f}"
    if old_scores:
        theirs = overall(old_scores)
        line += f"   {'':>6} {theirs.recall:>13.3f} {theirs.precision:>9.3f}"
    print(line)
    worst = min(min(s.recall, s.precision) for s in new_scores)
    print(f"lowest recall or precision of one document: {worst:.3f}")


def repeated_pdf(source: Path, pages: int, target: Path) -> int:
    import pypdfium2

    original = pypdfium2.PdfDocument(source)
    document = pypdfium2.PdfDocument.new()
    while len(document) < pages:
        document.import_pages(original)
    document.save(target)
    return len(document)


def bench_pdf(pages: int, baseline: bool) -> None:
    sources = [ROOT / "tests/fixtures/office/report.pdf"]
    longest = max(documents(REAL_REPORTS), key=lambda p: p.stat().st_size, default=None)
    if longest is not None:
        sources.append(longest)
    old = pypdf_reader() if baseline else None
    with tempfile.TemporaryDirectory() as tmp:
        for source in sources:
            path = Path(tmp) / f"long-{source.stem}.pdf"
            count = repeated_pdf(source, pages, path)
            start = time.perf_counter()
            result = extract(path)
            elapsed = time.perf_counter() - start
            tracemalloc.start()
            extract(path)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
            line = (
                f"PDF {source.name} x{count} pages: {len(result.citations)} citations, "
                f"{elapsed:.2f} s, Python peak {peak / 1e6:.0f} MB (process peak so far "
                f"{rss:.0f} MB)"
            )
            if old is not None:
                start = time.perf_counter()
                old(path.read_bytes(), str(path))
                line += f" (pypdf reader: {time.perf_counter() - start:.2f} s)"
            print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=REAL_REPORTS)
    parser.add_argument("--footnotes", type=int, default=100_000)
    parser.add_argument("--megabytes", type=float, default=50.0)
    parser.add_argument("--pdf-pages", type=int, default=300)
    parser.add_argument("--no-baseline", action="store_true", help="leave the pypdf reader out")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    bench_corpus(args.corpus, not args.no_baseline, args.verbose)
    if args.pdf_pages:
        bench_pdf(args.pdf_pages, not args.no_baseline)
    if not args.footnotes:
        return
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
