"""``check --format markdown|junit|csv|json`` and ``run --format``: golden outputs of a real run
against the scenario server, and each read back by what consumes it."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

from kzarchive.cli import main
from kzarchive.models import Check
from kzarchive.reporters import REPORTERS, LinkResult, Results
from tests.golden_runs import GOLDEN_CHECK, SUFFIX, check_outputs
from tests.reference import reference_file


@pytest.fixture(scope="module")
def outputs() -> dict[str, tuple[int, str]]:
    return check_outputs()


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_check_output_matches_its_golden_file(
    fmt: str, outputs: dict[str, tuple[int, str]]
) -> None:
    code, text = outputs[fmt]
    assert code == 1  # two dead links
    golden = GOLDEN_CHECK / f"report{SUFFIX[fmt]}"
    assert text == golden.read_bytes().decode("utf-8")


def test_junit_is_valid_for_ci_and_says_dead_fails_blocked_skips(
    outputs: dict[str, tuple[int, str]],
) -> None:
    import xmlschema

    text = outputs["junit"][1]
    schema = xmlschema.XMLSchema(str(reference_file("junit-10.xsd")))
    schema.validate(text)  # raises on anything Jenkins' schema refuses


def test_junit_cases_by_verdict(outputs: dict[str, tuple[int, str]]) -> None:
    suite = ElementTree.fromstring(outputs["junit"][1]).find("testsuite")
    assert suite is not None
    cases = {case.get("name", "").rsplit("/", 1)[-1]: case for case in suite.iter("testcase")}
    assert set(cases) == {"ok", "moved", "gone404", "gone410", "forbidden", "fb-video", "skip-me"}
    assert [child.tag for child in cases["ok"]] == [] == [child.tag for child in cases["moved"]]
    failure = cases["gone404"].find("failure")
    assert failure is not None and failure.get("message") == "dead: http-404 (footnote 3)"
    skipped = cases["fb-video"].find("skipped")
    assert skipped is not None and skipped.get("message") == (
        "blocked to robots: login-wall (footnote 6)"
    )
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("7", "2", "3")


def test_csv_and_json_read_back(outputs: dict[str, tuple[int, str]]) -> None:
    rows = list(csv.DictReader(io.StringIO(outputs["csv"][1])))
    data = json.loads(outputs["json"][1])
    assert [r["verdict"] for r in rows] == [link["check"]["verdict"] for link in data["links"]]
    assert rows[2]["reason"] == "http-404" and rows[2]["footnotes"] == "3"


def test_a_link_that_could_not_be_checked_is_skipped_with_its_reason() -> None:
    results = Results(
        "r.md",
        (
            LinkResult("https://a.example/", ("1",), Check("error", "timeout", "t")),
            LinkResult("https://b.example/", ("2", "3"), None),
        ),
        offline=True,
    )
    page = REPORTERS["junit"].render(results)
    root = ElementTree.fromstring(page)
    messages = [s.get("message") for s in root.iter("skipped")]
    assert messages == [
        "could not be checked this time: timeout (footnote 1)",
        "not checked: no reason (footnote 2, 3)",
    ]
    said = REPORTERS["markdown"].render(results)
    # offline means no public name resolved, not that nothing was checked (local links were)
    assert "This machine was offline (no public host name resolved)" in said
    assert "no link could be checked" not in said


def test_run_writes_its_results_in_a_format_too(
    wayback: tuple[object, object], site: object, tmp_path: Path
) -> None:
    from tests.servers.base import RunningServer
    from tests.servers.documents import footnoted_report

    server, _ = wayback
    assert isinstance(server, RunningServer) and isinstance(site, RunningServer)
    doc = footnoted_report(tmp_path / "report.md", [f"{site.base}/ok", f"{site.base}/gone404"])
    junit = tmp_path / "links.xml"
    env = {"KZARCHIVE_WAYBACK_URL": server.base, "KZARCHIVE_OTHER_ARCHIVES": "0"}
    result = CliRunner().invoke(
        main,
        [
            "--quiet",
            "run",
            str(doc),
            "--out",
            str(tmp_path / "archive"),
            "--no-timestamp",
            "--confirm-now",  # the dead link is dead at once (else dying: exit 4)
            "--format",
            "junit",
            "--output",
            str(junit),
        ],
        env=env,
    )
    assert result.exit_code == 1, result.output
    suite = ElementTree.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "1" and suite.get("tests") == "2"
    csv_out = CliRunner().invoke(
        main,
        ["run", str(doc), "--out", str(tmp_path / "archive"), "--no-timestamp", "--format", "csv"],
        env=env,
    )
    header = csv_out.stdout.splitlines()[0]
    assert header.endswith("archive_status,snapshot_url,cited_snapshot_url,preserved")


def test_run_output_without_format_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["run", "--output", str(tmp_path / "x.xml")])
    assert result.exit_code == 2
    assert "--output is where --format writes" in result.stderr
