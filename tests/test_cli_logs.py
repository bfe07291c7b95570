"""Progress when stderr is a log, not a terminal: a line per link under --verbose, a line every
few seconds otherwise, nothing under --quiet."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from kzarchive.cli import main
from kzarchive.cli.logs import LogObserver
from tests.servers.base import RunningServer
from tests.servers.documents import footnoted_report
from tests.servers.scenario import scenario_server


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _lines(stream: io.StringIO) -> list[str]:
    return [re.sub(r"^\[\s*[\d.]+s\] ", "", line) for line in stream.getvalue().splitlines()]


def test_a_progress_line_every_few_seconds_and_one_at_the_end() -> None:
    clock, stream = Clock(), io.StringIO()
    observer = LogObserver(stream, interval=5.0, clock=clock)
    observer.phase_started("check", 12)
    for n in range(12):
        clock.now += 1.0
        observer.advanced("check", f"https://example.org/{n}", "dead" if n % 4 == 0 else "alive")
    assert _lines(stream) == [
        "check: 12 links",
        "check: 5/12 (3 alive, 2 dead)",
        "check: 10/12 (7 alive, 3 dead)",
        "check: 12/12 (9 alive, 3 dead) done",
    ]
    assert (
        stream.getvalue().startswith("[  0.0s] ") and "[ 12.0s] check: 12/12" in stream.getvalue()
    )


def test_verbose_says_every_link() -> None:
    stream = io.StringIO()
    observer = LogObserver(stream, verbose=True, clock=Clock())
    observer.phase_started("archive", 2)
    observer.advanced("archive", "https://a.example/", "saved")
    observer.noted("archive", "submitted")
    observer.warn("the archive is overloaded")
    observer.advanced("archive", "https://b.example/", "failed")
    assert _lines(stream) == [
        "archive: 2 links",
        "archive 1/2 saved https://a.example/",
        "warning: the archive is overloaded",
        "archive 2/2 failed https://b.example/",
        "archive: 2/2 (1 failed, 1 saved, 1 submitted) done",
    ]


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    with scenario_server() as running:
        yield running


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["--verbose"], ["check: 3 links", "check 1/3", "check 2/3", "check 3/3", "done"]),
        ([], ["check: 3 links", "check: 3/3 (1 alive, 1 blocked, 1 dead) done"]),
        (["--quiet"], []),
    ],
)
def test_check_logs_progress_when_stderr_is_not_a_terminal(
    server: RunningServer, tmp_path: object, flags: list[str], expected: list[str]
) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    urls = [f"{server.base}/ok", f"{server.base}/gone404", f"{server.base}/forbidden"]
    doc = footnoted_report(tmp_path / "r.md", urls)
    result = CliRunner().invoke(main, ["check", str(doc), "--format", "json", *flags])
    assert result.exit_code == 1
    progress = [line for line in result.stderr.splitlines() if line.startswith("[")]
    found = iter(progress)
    for wanted in expected:  # in this order, each in a line of its own
        assert any(wanted in line for line in found), (wanted, progress)
    if flags == ["--verbose"]:
        assert len(progress) == 5
    if flags == ["--quiet"]:
        assert result.stderr == ""
