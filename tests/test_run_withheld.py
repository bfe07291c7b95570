"""A run whose links are all kept from the archive does not talk about the archive: the Wayback
Machine is asked (and said not to answer) only when a link would be sent to it."""

from __future__ import annotations

import socket
from pathlib import Path

from click.testing import CliRunner

from kzarchive.cli import main
from tests.servers.documents import footnoted_report
from tests.servers.scenario import scenario_server


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then closed: connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_archive_not_answering_is_said_only_when_something_would_go_to_it(
    tmp_path: Path,
) -> None:
    env = {
        "KZARCHIVE_WAYBACK_URL": f"http://127.0.0.1:{closed_port()}",
        "KZARCHIVE_TIMESTAMP": "0",
        "KZARCHIVE_TIMEOUT": "5",
        "KZARCHIVE_ARCHIVE_PRIVATE": None,
        "IA_ACCESS_KEY": "test-access",
        "IA_SECRET_KEY": "test-secret",
    }
    with scenario_server() as web:
        doc = footnoted_report(tmp_path / "report.md", [f"{web.base}/page/1"])
        # Every link is on a private address, kept from the archive: not a word about it.
        kept = CliRunner().invoke(main, ["run", str(doc), "--out", str(tmp_path / "a")], env=env)
        assert kept.exit_code == 0, kept.stderr
        assert kept.stdout == ""
        assert "does not answer" not in kept.stderr
        # Allowed to go to the archive, the same link meets an archive that does not answer.
        sent = CliRunner().invoke(
            main,
            ["run", str(doc), "--out", str(tmp_path / "b"), "--archive-private"],
            env=env,
        )
        assert sent.exit_code == 3, sent.stderr
        assert "does not answer: no look-ups or captures this run" in sent.stderr
