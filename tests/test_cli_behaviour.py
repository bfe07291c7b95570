"""The command line as a new user meets it: a true record, one error style, neighbours' manners."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kzarchive.cli import main
from tests.conftest import FIXTURES, ROOT
from tests.interrupt import interrupt_when
from tests.servers.base import RunningServer
from tests.servers.documents import footnoted_report
from tests.servers.fake_wayback import FakeState, cli_env


def env(wayback: RunningServer) -> dict[str, str]:
    return cli_env(wayback)


def one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("kzarchive: error: ") and "Traceback" not in stderr
    return lines[0]


# -- the record must be true ------------------------------------------------------------------


def test_cited_on_is_recorded_with_its_source(
    site: RunningServer, wayback: tuple[RunningServer, FakeState], tmp_path: Path
) -> None:
    server, _ = wayback
    doc = footnoted_report(tmp_path / "report.md", [f"{site.base}/ok"])
    out = tmp_path / "archive"
    result = CliRunner().invoke(
        main, ["run", str(doc), "--out", str(out), "--cited-on", "2020-01-02"], env=env(server)
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads((out / "manifest.json").read_text())["document"]
    assert (document["cited_on"], document["cited_on_source"]) == ("2020-01-02", "option")
    assert "Cited on 2020-01-02 (given with --cited-on)" in (out / "citations.md").read_text()


def test_a_folder_belongs_to_one_document(
    site: RunningServer, wayback: tuple[RunningServer, FakeState], tmp_path: Path
) -> None:
    server, _ = wayback
    first = footnoted_report(tmp_path / "first.md", [f"{site.base}/ok"])
    other = footnoted_report(tmp_path / "other.md", [f"{site.base}/moved"])
    out = tmp_path / "archive"
    runner = CliRunner()
    assert (
        runner.invoke(main, ["run", str(first), "--out", str(out)], env=env(server)).exit_code == 0
    )
    before = (out / "manifest.json").read_bytes()
    refused = runner.invoke(main, ["run", str(other), "--out", str(out)], env=env(server))
    assert refused.exit_code == 2
    line = one_error_line(refused.stderr)
    assert "first.md" in line and "other.md" in line and "--out" in line
    assert (out / "manifest.json").read_bytes() == before
    # An edited version of the same document is the same document.
    footnoted_report(first, [f"{site.base}/ok", f"{site.base}/moved"])
    edited = runner.invoke(main, ["run", str(first), "--out", str(out)], env=env(server))
    assert edited.exit_code == 0, edited.stderr


def test_a_read_only_manifest_stays_read_only(
    site: RunningServer, wayback: tuple[RunningServer, FakeState], tmp_path: Path
) -> None:
    server, _ = wayback
    doc = footnoted_report(tmp_path / "report.md", [f"{site.base}/ok"])
    out = tmp_path / "archive"
    runner = CliRunner()
    assert runner.invoke(main, ["run", str(doc), "--out", str(out)], env=env(server)).exit_code == 0
    (out / "manifest.json").chmod(0o444)
    assert runner.invoke(main, ["run", str(doc), "--out", str(out)], env=env(server)).exit_code == 0
    assert stat.S_IMODE((out / "manifest.json").stat().st_mode) == 0o444


def test_a_broken_wayback_endpoint_is_said_once(
    wayback: tuple[RunningServer, FakeState], tmp_path: Path
) -> None:
    server, state = wayback
    state.faults["cdx"] = ["cdx-html"] * 10
    urls = [f"https://site{n}.example.org/page" for n in range(3)]
    doc = footnoted_report(tmp_path / "report.md", urls)
    result = CliRunner().invoke(main, ["archive", str(doc), "--format", "json"], env=env(server))
    assert result.stderr.count("CDX") == 1
    notes = [link["archive"]["notes"] for link in json.loads(result.stdout)["links"]]
    assert all(n and "cdx-bad-reply" in n[0] for n in notes)


def test_the_manifest_schema_is_published_and_enforced(tmp_path: Path) -> None:
    runner = CliRunner()
    schema = json.loads(runner.invoke(main, ["schema"]).stdout)
    assert schema["$schema"].endswith("2020-12/schema") and "links" in schema["properties"]
    bare = tmp_path / "m.json"
    bare.write_text('{"schema_version": 1}')
    result = runner.invoke(main, ["report", str(bare)])
    assert result.exit_code == 2
    assert "'document' is a required property" in one_error_line(result.stderr)


# -- the command line must behave like its neighbours -----------------------------------------


def test_ctrl_c_is_130_for_check(site: RunningServer, tmp_path: Path) -> None:
    doc = footnoted_report(tmp_path / "report.md", [f"{site.base}/slow?n={n}" for n in range(4)])
    code, stderr = interrupt_when(
        ["check", str(doc), "--timeout", "30"], {}, lambda: bool(site.server.state.requests)
    )
    assert code == 130
    assert "interrupted" in stderr and "Traceback" not in stderr


def test_global_options_after_the_command(
    site: RunningServer, wayback: tuple[RunningServer, FakeState], tmp_path: Path
) -> None:
    server, state = wayback
    doc = footnoted_report(tmp_path / "report.md", [f"{site.base}/ok"])
    settings = {k: v for k, v in env(server).items() if k != "KZARCHIVE_WAYBACK_URL"}
    result = CliRunner().invoke(
        main,
        ["archive", str(doc), "--format", "json", "--wayback-url", server.base, "--quiet"],
        env=settings,
    )
    assert result.exit_code == 0 and result.stderr == ""
    assert state.saves()  # the archive named after the command was used


def test_help_shows_defaults_and_environment_variables() -> None:
    text = " ".join(CliRunner().invoke(main, ["run", "--help"]).stdout.split())
    assert "env var: KZARCHIVE_TIMEOUT" in text and "default: 20.0" in text
    assert "sources.txt" in text and "standard input" in text
    summaries = CliRunner().invoke(main, ["--help"]).stdout.split("Commands:")[1]
    assert "..." not in summaries  # no summary cut mid-sentence
    assert all(line.rstrip().endswith(".") for line in summaries.strip().splitlines())


@pytest.mark.parametrize(
    ("args", "environment", "says"),
    [
        (["check", "x.md"], {"KZARCHIVE_TIMEOUT": "abc"}, "KZARCHIVE_TIMEOUT"),
        (["run", "sources.txt", "--out", "/etc/passwd"], {}, "/etc/passwd"),
        (["diff"], {}, "Missing argument 'OLD'"),
        (["--wayback-url", "not-a-url", "check"], {}, "not an http(s) URL"),
        (["check", "--per-host", "0"], {}, "--per-host"),
    ],
    ids=["bad-env", "out-is-a-file", "missing-argument", "bad-wayback-url", "out-of-range"],
)
def test_one_error_style(args: list[str], environment: dict[str, str], says: str) -> None:
    result = CliRunner().invoke(main, args, env=environment)
    assert result.exit_code == 2
    assert says in one_error_line(result.stderr)


def test_a_folder_is_accepted_for_its_manifest(tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "manifest.json").write_bytes((FIXTURES / "manifests" / "seed.json").read_bytes())
    result = CliRunner().invoke(main, ["report", str(folder), "--format", "csv"])
    assert result.exit_code == 0 and "footnote" in result.stdout.splitlines()[0]


def test_standard_input(tmp_path: Path) -> None:
    text = (ROOT / "sources.txt").read_bytes()
    result = CliRunner().invoke(main, ["extract", "-", "--format", "urls"], input=text)
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 21


def test_pdf_library_chatter_is_one_warning_and_silent_under_quiet(tmp_path: Path) -> None:
    data = (FIXTURES / "office" / "report.pdf").read_bytes()
    tail = data[-200:]
    pointer = re.search(rb"startxref\s+(\d+)", tail)
    assert pointer is not None
    broken = (
        tmp_path / "broken.pdf"
    )  # a wrong startxref pointer: PDFium repairs it; one line says so
    broken.write_bytes(data[:-200] + tail.replace(pointer.group(1), b"12345", 1))
    loud = subprocess.run(
        [sys.executable, "-m", "kzarchive", "extract", str(broken), "--format", "urls"],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    quiet = subprocess.run(
        [sys.executable, "-m", "kzarchive", "-q", "extract", str(broken), "--format", "urls"],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert loud.stdout == quiet.stdout and loud.stdout
    assert loud.stderr.count("\n") == 1 and "cross-reference table is broken" in loud.stderr
    assert quiet.stderr == ""


def test_piped_tables_are_plain_lines_with_whole_urls(tmp_path: Path) -> None:
    long = "https://example.org/" + "/".join(f"segment{n}" for n in range(30))
    doc = footnoted_report(tmp_path / "report.md", [long, "https://example.org/b"])
    result = CliRunner().invoke(main, ["extract", str(doc)])
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["note", "line", "url"]
    assert any(line.endswith(long) for line in lines)
    assert not re.search("[┃│━─┏┗]", result.stdout)


def test_diff_shows_reasons_and_short_hashes(tmp_path: Path) -> None:
    seed = json.loads((FIXTURES / "manifests" / "seed.json").read_text())
    later = json.loads(json.dumps(seed))
    alive = next(link for link in later["links"] if link["check"]["verdict"] == "alive")
    alive["check"].update(verdict="dead", reason="http-404", http_status=404)
    other = next(
        link
        for link in later["links"]
        if link["check"]["verdict"] == "alive" and link is not alive and link["check"]["sha256"]
    )
    other["check"]["sha256"] = "f" * 64
    (tmp_path / "old.json").write_text(json.dumps(seed))
    (tmp_path / "new.json").write_text(json.dumps(later))
    runner = CliRunner()
    table = runner.invoke(main, ["diff", str(tmp_path / "old.json"), str(tmp_path / "new.json")])
    assert table.exit_code == 1
    assert "alive (http-200)" in table.stdout and "dead (http-404)" in table.stdout
    assert "f" * 12 in table.stdout and "f" * 13 not in table.stdout
    data = json.loads(
        runner.invoke(
            main,
            ["diff", str(tmp_path / "old.json"), str(tmp_path / "new.json"), "--format", "json"],
        ).stdout
    )
    died = next(c for c in data["changes"] if c["kind"] == "died")
    assert (died["old_reason"], died["new_reason"]) == ("http-200", "http-404")
    assert any(c["new"] == "f" * 64 for c in data["changes"])


def test_csv_files_get_a_bom_and_stdout_does_not(tmp_path: Path) -> None:
    runner = CliRunner()
    target = tmp_path / "urls.csv"
    runner.invoke(
        main, ["extract", str(ROOT / "sources.txt"), "--format", "csv", "-o", str(target)]
    )
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    piped = runner.invoke(main, ["extract", str(ROOT / "sources.txt"), "--format", "csv"])
    assert not piped.stdout.startswith("\ufeff")
    report = tmp_path / "report.csv"
    manifest = str(FIXTURES / "manifests" / "seed.json")
    runner.invoke(main, ["report", manifest, "--format", "csv", "-o", str(report)])
    assert report.read_bytes().startswith(b"\xef\xbb\xbf")


def test_annotate_without_snapshots_says_so_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Offline (no name resolves in the tests): the run records six links without a snapshot.
    doc = footnoted_report(tmp_path / "report.md", [f"https://example.org/{n}" for n in range(6)])
    out = tmp_path / "archive"
    ran = CliRunner().invoke(main, ["run", str(doc), "--out", str(out)])
    assert ran.exit_code == 3, ran.stderr
    result = CliRunner().invoke(main, ["annotate", str(doc), "--manifest", str(out)])
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "6 URLs have no snapshot yet" in warnings[0]


def test_an_absurd_url_is_cited_with_a_short_warning(tmp_path: Path) -> None:
    # Still a citation (every footnote is accounted for; checking it says invalid-url)
    url = "https://example.org/" + "a" * 100_000
    doc = tmp_path / "report.md"
    doc.write_text(f"Text.[^1]\n\n[^1]: {url}\n")
    result = CliRunner().invoke(main, ["extract", str(doc), "--format", "urls"])
    assert result.stdout == url + "\n"
    assert "longer than 8,192 characters" in result.stderr and len(result.stderr) < 500
