"""``kzarchive extract`` through click's runner: exit codes, stdout and stderr."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kzarchive.cli import main


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_json_contract(seed: Path) -> None:
    code, out, err = run("extract", str(seed), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["document"]["path"] == str(seed)
    assert data["document"]["cited_on"] == "2019-02-22"
    assert len(data["citations"]) == 23
    assert set(data["citations"][0]) == {"footnote", "url", "line", "context", "note"}
    assert err == ""


def test_urls_format_is_unique_urls(seed: Path) -> None:
    code, out, _ = run("extract", str(seed), "--format", "urls")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 21 == len(set(lines))


def test_csv_round_trips(seed: Path) -> None:
    code, out, _ = run("extract", str(seed), "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 23
    assert rows[0]["footnote"] == "1" and rows[0]["line"] == "21"


def test_table_and_summary(seed: Path) -> None:
    code, out, err = run("extract", str(seed))
    assert code == 0
    assert "story_fbid=10114164092556794" in out
    assert "19 footnotes, 23 citations, 21 unique URLs" in err


def test_output_file(seed: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    code, out, _ = run("extract", str(seed), "--format", "json", "--output", str(target))
    assert code == 0 and out == ""
    assert len(json.loads(target.read_text())["citations"]) == 23


def test_default_document_is_sources_txt(seed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(seed.parent)
    code, out, _ = run("extract", "--format", "urls")
    assert code == 0 and len(out.splitlines()) == 21


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.txt", "no such file"),
        (lambda d: d, "is a directory"),
        (
            lambda d: (d / "bin.dat").write_bytes(b"\x7fELF\x00\x01\x02" * 50) and d / "bin.dat",
            "binary",
        ),
        (lambda d: (d / "empty.txt").write_bytes(b"") or d / "empty.txt", "empty"),
        (lambda d: (d / "blank.md").write_text(" \n\n") and d / "blank.md", "empty"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, make: object, message: str) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    code, out, err = run("extract", str(path))
    assert code == 2
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


@pytest.mark.parametrize("command", ["extract", "check", "archive", "run"])
def test_nothing_to_work_on_is_one_line_and_exit_2_from_a_file_or_stdin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    # One rule: no footnoted URL, or an empty document (a file or standard input), is refused
    monkeypatch.chdir(tmp_path)
    doc = tmp_path / "plain.md"
    doc.write_text("A report that links https://example.org/ but has no notes.\n")
    code, out, err = run(command, str(doc))
    assert (code, out) == (2, "")
    assert "no footnoted URLs" in err and "--all-links" in err
    assert len(err.strip().splitlines()) == 1
    for empty in ("", " \n\n"):
        (tmp_path / "empty.md").write_text(empty)
        code, out, err = run(command, str(tmp_path / "empty.md"))
        assert (code, out) == (2, "") and "the document is empty" in err
        result = CliRunner().invoke(main, [command, "-"], input=empty)
        assert result.exit_code == 2 and "<stdin>: the document is empty" in result.stderr
    assert not (tmp_path / "archive").exists()  # run made no folder
    code, out, _ = run("extract", str(doc), "--all-links", "--format", "urls")
    assert code == 0 and out == "https://example.org/\n"


def test_non_utf8_warns_on_stderr() -> None:
    from tests.conftest import DOCUMENTS

    code, out, err = run("extract", str(DOCUMENTS / "cp1251-report.txt"), "--format", "urls")
    assert code == 0
    assert "decoded as cp1251" in err
    assert len(out.splitlines()) == 2


def test_quiet_silences_warnings() -> None:
    from tests.conftest import DOCUMENTS

    code, _, err = run("--quiet", "extract", str(DOCUMENTS / "cp1251-report.txt"))
    assert code == 0 and err == ""


def test_bad_option_is_usage_error_exit_2(seed: Path) -> None:
    code, _, err = run("extract", str(seed), "--format", "yaml")
    assert code == 2
    assert "Invalid value" in err
