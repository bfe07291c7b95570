"""``kzarchive library``'s report: its table (per document, per year, totals, each document's
folder), documents no longer there (apart, not counted) and ``--forget``."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from click.testing import CliRunner

from kzarchive.cli import main
from kzarchive.models import Check, Citation
from kzarchive.store import Store

SHARED = "https://shared.example/page"


def library_of(root: Path) -> Path:
    """Three documents, two of them named alike (folders report and report-2), one link each
    of their own and one they all cite."""
    out = root / "archive"
    out.mkdir()
    with Store.open(out / "kzarchive.db") as store:
        for name, cited_on, folder in (
            ("a.md", "2019-02-22", "a"),
            ("x/report.md", "2021-05-05", "report"),
            ("y/report.md", "2021-06-01", "report-2"),
        ):
            doc = root / "docs" / name
            doc.parent.mkdir(parents=True, exist_ok=True)
            doc.write_text("a report")
            own = f"https://{folder}.example/"
            store.put_document(
                {"path": name, "cited_on": cited_on},
                [Citation("1", own, 1), Citation("2", SHARED, 2)],
                folder,
                key=str(doc.resolve()),
            )
            store.record(own, check=Check("dead", "http-404", "2026-12-01T09:00:00Z", 404))
        store.record(SHARED, check=Check("alive", "http-200", "2026-12-01T09:00:00Z", 200))
    return out


def library(out: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["library", "--out", str(out), "--no-chart", *args])
    return result.exit_code, result.stdout, result.stderr


def test_the_table_per_document_then_per_year_with_totals_and_folders(tmp_path: Path) -> None:
    out = library_of(tmp_path)
    docs = tmp_path.resolve() / "docs"
    code, stdout, stderr = library(out)
    assert code == 0, stderr
    table = [line.split() for line in stdout.splitlines()]
    assert table == [
        ["by", "document"],
        ["document", "folder", "year", "links", "alive", "dying", "dead", "unknown", "preserved"],
        [str(docs / "a.md"), "a/", "2019", "2", "1", "1", "0", "0", "0"],
        [str(docs / "x/report.md"), "report/", "2021", "2", "1", "1", "0", "0", "0"],
        [str(docs / "y/report.md"), "report-2/", "2021", "2", "1", "1", "0", "0", "0"],
        ["all", "documents", "-", "-", "6", "3", "3", "0", "0", "0"],
        [],
        ["by", "year", "of", "citation"],
        ["year", "links", "alive", "dying", "dead", "unknown", "preserved"],
        ["2019", "2", "1", "1", "0", "0", "0"],
        ["2021", "4", "2", "2", "0", "0", "0"],
        ["all", "years", "6", "3", "3", "0", "0", "0"],
    ]
    rows = list(csv.DictReader(io.StringIO((out / "library.csv").read_text("utf-8-sig"))))
    assert {(r["document"], r["folder"]) for r in rows} == {
        (str(docs / "a.md"), "a"),
        (str(docs / "x/report.md"), "report"),
        (str(docs / "y/report.md"), "report-2"),
    }
    page = (out / "library.html").read_text()
    assert (
        f'<td>{docs / "y/report.md"}</td><td><a href="report-2/report.html">report-2/</a>' in page
    )
    assert '<tr class="total"><td>all documents</td><td></td><td></td><td>6</td>' in page
    assert "No longer there" not in page


def test_a_document_gone_is_not_counted_and_can_be_forgotten(tmp_path: Path) -> None:
    out = library_of(tmp_path)
    docs = tmp_path.resolve() / "docs"
    (docs / "x" / "report.md").rename(docs / "x" / "renamed.md")
    code, stdout, stderr = library(out)
    assert code == 0, stderr
    assert str(docs / "x/report.md") not in stdout
    assert ["all", "years", "4", "2", "2", "0", "0", "0"] in [
        ln.split() for ln in stdout.splitlines()
    ]
    assert stderr.splitlines()[0] == (
        f"warning: 1 document no longer there, not counted: {docs / 'x/report.md'} "
        "('kzarchive library --forget DOCUMENT' drops one)"
    )
    page = (out / "library.html").read_text()
    assert "<h2>No longer there</h2>" in page and f"<td>{docs / 'x/report.md'}</td>" in page
    assert str(docs / "x/report.md") not in (out / "library.csv").read_text("utf-8-sig")

    code, stdout, stderr = library(out, "--forget", str(docs / "x/report.md"))
    assert code == 0, stderr
    assert stderr.splitlines()[0] == (
        f"forgot {docs / 'x/report.md'} (its folder {out / 'report'} is left as it is)"
    )
    assert (
        "no longer there" not in stderr
        and "No longer there" not in (out / "library.html").read_text()
    )
    with Store.open(out / "kzarchive.db") as store:
        assert [Path(d.path).name for d in store.documents()] == ["a.md", "report.md"]
        assert store.link(SHARED) is not None  # the others still cite it

    code, stdout, stderr = library(out, "--forget", "nothing.md")
    assert (code, stdout) == (2, "")
    assert stderr == f"kzarchive: error: nothing.md: not a document of the library in {out}\n"


def test_the_report_as_json(tmp_path: Path) -> None:
    import json

    out = library_of(tmp_path)
    docs = tmp_path.resolve() / "docs"
    (docs / "a.md").unlink()
    code, stdout, stderr = library(out, "--format", "json")
    assert code == 0, stderr
    data = json.loads(stdout)
    counts = {"links": 2, "alive": 1, "dying": 1, "dead": 0, "unknown": 0, "preserved": 0}
    assert data["documents"] == [
        {"document": str(docs / "x/report.md"), "folder": "report", "year": "2021", **counts},
        {"document": str(docs / "y/report.md"), "folder": "report-2", "year": "2021", **counts},
    ]
    assert data["years"] == [
        {
            "year": "2021",
            "links": 4,
            "alive": 2,
            "dying": 2,
            "dead": 0,
            "unknown": 0,
            "preserved": 0,
        }
    ]
    assert data["total"] == {k: v for k, v in data["years"][0].items() if k != "year"}
    assert data["gone"] == [{"document": str(docs / "a.md"), "folder": "a"}]
    assert data["changed"] == []
    code, stdout, _ = library(out, "--format", "json", "--output", str(tmp_path / "r.json"))
    assert code == 0 and stdout == ""
    assert json.loads((tmp_path / "r.json").read_text()) == data
