"""``kzarchive check`` end to end through click, against the scenario server."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kzarchive.check import dns as net
from kzarchive.cli import main
from tests.servers.base import RunningServer
from tests.servers.documents import footnoted_report
from tests.servers.scenario import scenario_server


@pytest.fixture
def server() -> Iterator[RunningServer]:
    with scenario_server() as running:
        yield running


@pytest.fixture
def no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine where no name resolves (and no lookup leaves the machine)."""
    monkeypatch.setattr(net, "_lookup", lambda host: net.DnsAnswer("nxdomain"))


def report(tmp_path: Path, urls: list[str]) -> Path:
    return footnoted_report(tmp_path / "report.md", urls)


def test_check_json_and_exit_1_on_dead(server: RunningServer, tmp_path: Path) -> None:
    doc = report(
        tmp_path, [f"{server.base}/ok", f"{server.base}/gone404", f"{server.base}/forbidden"]
    )
    result = CliRunner().invoke(main, ["check", str(doc), "--format", "json", "--timeout", "5"])
    assert result.exit_code == 1, result.stderr
    data = json.loads(result.stdout)
    verdicts = {link["url"].rsplit("/", 1)[1]: link["check"]["verdict"] for link in data["links"]}
    assert verdicts == {"ok": "alive", "gone404": "dead", "forbidden": "blocked"}
    assert data["links"][0]["footnotes"] == ["1"]
    assert "1 alive, 1 dead, 1 blocked" in result.stderr


def test_check_exit_0_when_nothing_dead(server: RunningServer, tmp_path: Path) -> None:
    doc = report(tmp_path, [f"{server.base}/ok", f"{server.base}/moved"])
    result = CliRunner().invoke(main, ["check", str(doc)])
    assert result.exit_code == 0, result.stderr
    assert "redirected" in result.stdout
    assert "/new-home-of-the-article" in result.stdout


def test_user_agent_option_and_env(server: RunningServer, tmp_path: Path) -> None:
    doc = report(tmp_path, [f"{server.base}/echo-ua"])
    result = CliRunner().invoke(
        main, ["check", str(doc)], env={"KZARCHIVE_USER_AGENT": "ResearchBot/1.0"}
    )
    assert result.exit_code == 0
    agents = {r[2]["User-Agent"] for r in server.server.state.requests}
    assert agents == {"ResearchBot/1.0"}


def test_seed_offline_is_fast_and_honest(seed: Path, no_dns: None) -> None:
    started = time.monotonic()
    result = CliRunner().invoke(main, ["check", str(seed), "--format", "json"])
    assert time.monotonic() - started < 10
    assert result.exit_code == 3  # offline: nothing could be decided
    data = json.loads(result.stdout)
    assert data["offline"] is True
    assert len(data["links"]) == 21
    assert {(x["check"]["verdict"], x["check"]["reason"]) for x in data["links"]} == {
        ("error", "offline")
    }
    assert result.stderr.count("looks offline") == 1


def test_quiet_check_prints_data_only(server: RunningServer, tmp_path: Path) -> None:
    doc = report(tmp_path, [f"{server.base}/ok", f"{server.base}/gone404"])
    result = CliRunner().invoke(main, ["--quiet", "check", str(doc), "--format", "json"])
    assert result.exit_code == 1
    assert result.stderr == ""
    assert [link["check"]["verdict"] for link in json.loads(result.stdout)["links"]] == [
        "alive",
        "dead",
    ]


# (idna is not here: aiohttp's URL library, yarl, loads it on import.)
HEAVY = ("rich", "httpx", "httpcore", "waybackpy", "pypdfium2", "charset_normalizer")


def test_check_loads_only_what_it_needs(server: RunningServer, tmp_path: Path) -> None:
    # Start-up is part of every run's time: a quiet check of a text report must not load the
    # progress bars, the Wayback client, the PDF reader or encoding detection.
    doc = report(tmp_path, [f"{server.base}/ok"])
    probe = (
        "import sys\nfrom kzarchive.cli import main\n"
        "try:\n    main(['--quiet', 'check', sys.argv[1], '--format', 'json'])\n"
        "except SystemExit as exit:\n    code = exit.code\n"
        f"print(code, sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(doc)], capture_output=True, text=True, timeout=60
    )
    assert json.loads(done.stdout)["links"][0]["check"]["verdict"] == "alive"
    assert done.stderr.strip() == "0 []"
