"""What the command line says names the right thing: each setting once in ``config``, where a bad
value came from, and the document ``annotate`` was asked about."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kzarchive.cli import main
from kzarchive.manifest import Manifest, save
from kzarchive.models import Citation


def test_config_lists_every_setting_once() -> None:
    shown = CliRunner().invoke(main, ["config", "--format", "json"])
    options = [s["option"] for s in json.loads(shown.stdout)["settings"]]
    assert len(options) == len(set(options)), options
    table = CliRunner().invoke(main, ["config"]).stdout.splitlines()
    assert [line.split()[0] for line in table].count("--quiet") == 1
    wayback = [line for line in table if line.startswith("--wayback-url")]
    assert len(wayback) == 1 and "https://web.archive.org" in wayback[0]


@pytest.mark.parametrize(
    "args",
    [
        ["--wayback-url", "http://127.0.0.1:9", "-q", "config"],
        ["config", "--wayback-url", "http://127.0.0.1:9", "-q"],
    ],
)
def test_config_shows_the_global_options_given_on_the_command_line(args: list[str]) -> None:
    shown = CliRunner().invoke(main, [*args, "--format", "json"], env={"KZARCHIVE_QUIET": None})
    assert shown.exit_code == 0, shown.output
    settings = {s["option"]: s for s in json.loads(shown.stdout)["settings"]}
    assert settings["--wayback-url"]["value"] == "http://127.0.0.1:9"
    assert settings["--wayback-url"]["source"] == settings["--quiet"]["source"] == "command line"
    assert settings["--quiet"]["value"] is True


@pytest.mark.parametrize(
    ("args", "environment", "says", "not_said"),
    [
        (["--timeout", "-1"], {}, "Invalid value for '--timeout': ", "KZARCHIVE_TIMEOUT"),
        (
            [],
            {"KZARCHIVE_TIMEOUT": "-1"},
            "Invalid value for '--timeout' (from the environment variable KZARCHIVE_TIMEOUT):",
            None,
        ),
        (
            ["--timeout", "-1"],
            {"KZARCHIVE_TIMEOUT": "5"},
            "Invalid value for '--timeout': ",
            "KZARCHIVE_TIMEOUT",
        ),
    ],
    ids=["command-line", "environment", "command-line-over-environment"],
)
def test_a_bad_value_names_where_it_came_from(
    tmp_path: Path, args: list[str], environment: dict[str, str], says: str, not_said: str | None
) -> None:
    doc = tmp_path / "r.md"
    doc.write_text("Claim.[^1]\n\n[^1]: https://example.org/\n")
    result = CliRunner().invoke(main, ["check", str(doc), *args], env=environment)
    assert result.exit_code == 2
    assert says in result.stderr
    assert not_said is None or not_said not in result.stderr


def _manifest(folder: Path, document: Path) -> Path:
    from kzarchive.manifest import identify

    folder.mkdir()
    described = identify({"path": str(document), "sha256": "1" * 64}, folder, None)
    save(Manifest(described, (Citation("1", "https://example.org/", 3),)), folder / "manifest.json")
    return folder / "manifest.json"


def test_annotate_names_a_missing_document_not_the_manifest(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["annotate", str(tmp_path / "missing.md"), "--manifest", str(tmp_path / "none")]
    )
    assert result.exit_code == 2
    assert "missing.md: no such file" in result.stderr and "manifest" not in result.stderr


def test_annotate_tells_another_document_from_another_version(tmp_path: Path) -> None:
    report = tmp_path / "report.md"
    report.write_text("Claim.[^1]\n\n[^1]: https://example.org/\n")
    manifest = _manifest(tmp_path / "archive", report)
    html = tmp_path / "report.html"
    html.write_text("<p>Claim.<sup>1</sup></p><p><sup>1</sup> https://example.org/</p>\n")

    def said(document: Path) -> str:
        result = CliRunner().invoke(main, ["annotate", str(document), "--manifest", str(manifest)])
        return " ".join(result.stderr.split())

    assert f"was made from {report}, not from {html}" in said(html)
    assert "another version" not in said(html)
    assert f"was made from another version of {report}" in said(report)  # edited since


def test_summaries_count_one_thing_in_the_singular(tmp_path: Path) -> None:
    from kzarchive.cli.views import evidence_line
    from kzarchive.evidence.keeper import Kept

    doc = tmp_path / "one.md"
    doc.write_text("Claim.[^1]\n\n[^1]: https://example.org/\n")
    result = CliRunner().invoke(main, ["extract", str(doc)])
    assert result.exit_code == 0
    assert "1 footnote, 1 citation, 1 unique URL\n" in result.stderr
    assert evidence_line(Kept(1, media=1, rendered=1)) == (
        "evidence: 1 answer captured, media of 1 link, 1 page rendered in the browser "
        "(screenshot, DOM)"
    )
    assert evidence_line(Kept(2, media=2)) == "evidence: 2 answers captured, media of 2 links"
