"""Servers and runs shared by the evidence tests: the scenario web server, the fake Wayback
Machine and a local timestamp authority (OpenSSL's), all on 127.0.0.1 and stopped by the tests."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from kzarchive.cli import main
from tests.servers.base import RunningServer
from tests.servers.documents import footnoted_report
from tests.servers.fake_wayback import cli_env, fake_wayback
from tests.servers.scenario import scenario_server
from tests.servers.tsa import OPENSSL, tsa_server
from tests.shared import third_party

# The cited pages of the evidence runs: a page with requisites, a PDF, a 404 page, a redirect
# chain (302, 301, 200), a body over --capture-max, a login wall, a page with an HTML5 player.
CITED = [
    "/with-requisites",
    "/report.pdf",
    "/gone404",
    "/two-hops",
    "/big/300000",
    "/fb-video",
    "/video-page",
]
CAPTURE_MAX = 100_000


@dataclass
class Servers:
    web: RunningServer
    wayback: RunningServer
    tsa: RunningServer | None

    def env(self, **more: str) -> dict[str, str]:
        extra = {"KZARCHIVE_CAPTURE_MAX": str(CAPTURE_MAX)}
        if self.tsa is not None:
            extra |= {"KZARCHIVE_TIMESTAMP": "1", "KZARCHIVE_TSA": f"{self.tsa.base}/"}
        return cli_env(self.wayback, **{**extra, **more})


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    if OPENSSL is None:
        pytest.skip("the local timestamp authority needs the openssl command")
    running, _ = fake_wayback()
    folder = tmp_path_factory.mktemp("tsa")
    with scenario_server() as web, running as wayback, tsa_server(folder) as tsa:
        yield Servers(web, wayback, tsa)


def run(
    servers: Servers, folder: Path, paths: list[str], *args: str, **env: str
) -> tuple[Result, Path]:
    """``kzarchive run`` on a report citing ``paths`` of the scenario server, into folder/out."""
    folder.mkdir(parents=True, exist_ok=True)
    doc = footnoted_report(folder / "report.md", [servers.web.base + p for p in paths])
    out = folder / "out"
    result = CliRunner().invoke(
        main, ["run", str(doc), "--out", str(out), *args], env=servers.env(**env)
    )
    return result, out


def links(out: Path) -> dict[str, dict[str, Any]]:
    """The manifest's links by path on the scenario server."""
    data = json.loads((out / "manifest.json").read_text())
    return {"/" + link["url"].split("/", 3)[3]: link for link in data["links"]}


@pytest.fixture(scope="session")
def sealed(servers: Servers, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One finished run with media and a timestamp, never changed (copy it to change it): built
    once per session (once per xdist worker) and shared by every evidence module."""
    third_party("media/mp4-with-audio.mp4")  # the video the scenario server serves
    result, out = run(
        servers, tmp_path_factory.mktemp("sealed"), [*CITED, "/media/clip.mp4"], "--media"
    )
    assert result.exit_code == 1, result.stderr  # one link is dead
    return out


@pytest.fixture
def folder(sealed: Path, tmp_path: Path) -> Path:
    """A copy of the sealed run, to alter."""
    copy = tmp_path / "copy"
    shutil.copytree(sealed, copy)
    return copy
