"""``kzarchive archive`` through click, against the fake Wayback Machine."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kzarchive.check import dns as net
from kzarchive.cli import main
from tests.servers.base import RunningServer
from tests.servers.fake_wayback import FakeState, fake_wayback

ACCESS, SECRET = "SECRETACCESS1234", "SECRETKEY5678"


@pytest.fixture
def fake() -> Iterator[tuple[RunningServer, FakeState]]:
    server, state = fake_wayback()
    state.keys = {ACCESS: SECRET}
    with server:
        yield server, state


def report(tmp_path: Path) -> Path:
    path = tmp_path / "report.md"
    path.write_text(
        "Warsaw, 22 February 2019\n\nFirst claim.[^1] Second claim.[^2]\n\n"
        "[^1]: <https://fidu.it/en/report/>\n[^2]: <https://bureau.kz/novosti/x/>\n",
        encoding="utf-8",
    )
    return path


def invoke(server: RunningServer, *args: str, keys: bool = True) -> tuple[int, str, str]:
    env = {
        "KZARCHIVE_WAYBACK_URL": server.base,
        "KZARCHIVE_JOB_TIMEOUT": "5",
        "KZARCHIVE_CAPTURES_PER_MINUTE": "0",
    }
    if keys:
        env.update({"IA_ACCESS_KEY": ACCESS, "IA_SECRET_KEY": SECRET})
    else:
        env.update({"IA_ACCESS_KEY": "", "IA_SECRET_KEY": "", "HOME": "/nonexistent"})
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_archive_json(fake: tuple[RunningServer, FakeState], tmp_path: Path) -> None:
    server, state = fake
    state.add_capture("https://fidu.it/en/report/", "20181105000000")
    code, out, err = invoke(server, "archive", str(report(tmp_path)), "--format", "json")
    assert code == 0, err
    links = json.loads(out)["links"]
    assert [link["archive"]["status"] for link in links] == ["saved", "saved"]
    assert links[0]["footnotes"] == ["1"]
    cited = links[0]["archive"]["cited_snapshot"]
    assert cited["timestamp"] == "20181105000000"
    assert cited["url"] == "https://web.archive.org/web/20181105000000/https://fidu.it/en/report/"
    assert "2 saved" in err


def test_keys_never_written(fake: tuple[RunningServer, FakeState], tmp_path: Path) -> None:
    server, state = fake
    state.faults["save"] = ["refuse:blocked-url", "malformed"]
    target = tmp_path / "out.json"
    code, out, err = invoke(
        server, "archive", str(report(tmp_path)), "--format", "json", "--output", str(target)
    )
    assert code == 1  # the refused link has no snapshot at all
    everything = out + err + target.read_text()
    assert ACCESS not in everything and SECRET not in everything
    saves = state.saves()
    assert saves and all(r.headers["Authorization"] == f"LOW {ACCESS}:{SECRET}" for r in saves)


def test_without_keys_exit_1_and_one_clear_message(
    fake: tuple[RunningServer, FakeState], tmp_path: Path
) -> None:
    server, state = fake
    state.add_capture("https://fidu.it/en/report/", "20200101000000")
    code, out, err = invoke(server, "archive", str(report(tmp_path)), keys=False)
    assert code == 1
    assert err.count("IA_ACCESS_KEY") == 1
    assert "existing" in out and "failed" in out
    assert state.saves() == []


def test_bad_max_snapshot_age_is_usage_error(
    fake: tuple[RunningServer, FakeState], tmp_path: Path
) -> None:
    server, _ = fake
    code, _, err = invoke(server, "archive", str(report(tmp_path)), "--max-snapshot-age", "soon")
    assert code == 2 and "not a duration" in err


def test_offline_archive_is_fast(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(net, "_lookup", lambda host: net.DnsAnswer("nxdomain"))
    result = CliRunner().invoke(
        main,
        ["archive", str(report(tmp_path)), "--format", "json"],
        env={"KZARCHIVE_WAYBACK_URL": "https://web.archive.org"},
    )
    assert result.exit_code == 3  # offline: nothing could be decided, as for check and run
    states = {link["archive"]["error"] for link in json.loads(result.stdout)["links"]}
    assert states == {"offline"}
    assert "looks offline" in result.stderr
