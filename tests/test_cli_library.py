"""``kzarchive run FOLDER``, ``recheck`` and ``library`` end to end, against the scenario server
and the fake Wayback Machine; the report's chart rendered in headless Chromium."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kzarchive.cli import main
from tests.servers.base import RunningServer
from tests.servers.fake_wayback import FakeState, fake_wayback
from tests.servers.scenario import scenario_server
from tests.test_run import ACCESS, SECRET, env_for

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def servers() -> Iterator[tuple[RunningServer, RunningServer, FakeState]]:
    wayback, state = fake_wayback()
    state.keys = {ACCESS: SECRET}
    with scenario_server() as web, wayback:
        yield web, wayback, state


def invoke(wayback: RunningServer, *args: str) -> tuple[int, str, str]:
    env = {**env_for(wayback), "KZARCHIVE_SECOND_LOOK": "0", "KZARCHIVE_TIMESTAMP": "0"}
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def library(folder: Path, base: str) -> Path:
    """Three reports of two years; two cite the same live page and the same dead one."""
    folder.mkdir()
    reports = {
        "2019-kazakhstan.md": ("22 February 2019", ["/page/1", "/gone404", "/page/2"]),
        "2019-appeal.md": ("3 March 2019", ["/page/1", "/gone404"]),
        "2021-followup.md": ("9 June 2021", ["/page/4", "/forbidden"]),
    }
    for name, (dated, links) in reports.items():
        notes = "".join(f"[^{n}]" for n in range(1, len(links) + 1))
        body = "\n".join(f"[^{n}]: {base}{link}" for n, link in enumerate(links, 1))
        (folder / name).write_text(f"# Report\n\n{dated}\n\nClaims.{notes}\n\n{body}\n")
    (folder / "notes.json").write_text("{}")  # not a document
    return folder


def test_a_library_run_then_a_rerun_then_a_recheck(
    servers: tuple[RunningServer, RunningServer, FakeState], tmp_path: Path
) -> None:
    web, wayback, state = servers
    docs = library(tmp_path / "reports", web.base)
    out = tmp_path / "archive"
    # The dead page has an old copy: preserved, so that only its dying is left to report.
    # The dead page and the walled one have old copies: every link is preserved, so that only the
    # dying is left to report.
    state.add_capture(f"{web.base}/gone404", "20180101000000")
    state.add_capture(f"{web.base}/forbidden", "20180101000000")
    code, stdout, stderr = invoke(wayback, "run", str(docs), "--out", str(out))
    assert stdout == ""
    fetched = Counter(r[1] for r in web.server.state.requests)
    assert fetched["/page/1"] == 1 and fetched["/gone404"] == 1  # cited twice, fetched once
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == [
        "2019-appeal",
        "2019-kazakhstan",
        "2021-followup",
    ]
    for name in ("2019-appeal", "2019-kazakhstan", "2021-followup"):
        manifest = json.loads((out / name / "manifest.json").read_text())
        assert all(link["check"] for link in manifest["links"])
        assert (out / name / "manifest.csv").exists() and (out / name / "citations.md").exists()
    print(stderr)
    assert code == 4, stderr  # a link is dying, none is confirmed dead, every link has a copy
    rows = list(csv.DictReader(io.StringIO((out / "library.csv").read_text("utf-8-sig"))))
    assert len(rows) == 7
    assert {(r["year"], r["status"]) for r in rows if r["url"].endswith("/gone404")} == {
        ("2019", "dying")
    }
    blocked = next(r for r in rows if r["url"].endswith("/forbidden"))
    assert (blocked["status"], blocked["year"]) == ("unknown", "2021")
    page = (out / "library.html").read_text()
    assert "<svg" in page and "By year of citation" in page
    assert "<tr><td>2019</td><td>5</td><td>3 (60%)</td><td>2 (40%)</td>" in page

    # Nothing changed, nothing due: nothing is fetched, nothing submitted.
    web.server.state.requests.clear()
    saves = len(state.saves())
    code, _, stderr = invoke(wayback, "run", str(docs), "--out", str(out))
    assert "3 documents (0 run, 3 up to date), 0 links worked on" in stderr
    assert web.server.state.requests == [] and len(state.saves()) == saves
    assert code == 4

    # Two failed checks a second apart confirm the death (the test's own spacing).
    time.sleep(1.1)
    code, _, stderr = invoke(
        wayback, "recheck", "--out", str(out), "--confirm-after", "2", "--confirm-apart", "1"
    )
    assert code == 1, stderr
    assert f"changed: {web.base}/gone404: dying → dead" in stderr
    dead = [line for line in stderr.splitlines() if line.startswith("dead: ")]
    assert len(dead) == 2  # cited by two documents
    assert "confirmed by 2 failed checks at least 1 second apart" in dead[0]
    # The walled page could not be judged: it is due a day later, not a second.
    assert {r[1] for r in web.server.state.requests} == {"/gone404"}

    # The recheck's policy is the library's now: a plain `library` reports with it.
    code, stdout, stderr = invoke(wayback, "library", "--out", str(out))
    assert code == 0, stderr
    assert "policy:" not in stderr
    lines = stdout.splitlines()
    assert lines[:2] == ["by document", lines[1]]
    assert lines[1].split() == [
        "document", "folder", "year", "links", "alive", "dying", "dead", "unknown", "preserved"
    ]  # fmt: skip
    assert lines[-3:] == [lines[-3], lines[-2], lines[-1]]
    assert lines[-3].split() == ["2019", "5", "3", "0", "2", "0", "5"]
    assert lines[-2].split() == ["2021", "2", "1", "0", "0", "1", "2"]
    assert lines[-1].split() == ["all", "years", "7", "4", "0", "2", "1", "7"]
    assert "dying → dead" in stderr
    rendered = screenshot(out / "library.html", tmp_path / "library.png")
    colours = chart_colours(rendered)
    assert colours["alive"] > 1000 and colours["dead"] > 1000 and colours["unknown"] > 1000


def screenshot(page: Path, target: Path) -> Path:
    """The page as headless Chromium draws it, in a network namespace of its own (nothing can
    leave the machine: only a loopback interface exists there)."""
    profile = target.parent / "chromium-profile"
    subprocess.run(
        [
            "unshare",
            "-rn",
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--metrics-recording-only",
            "--disable-default-apps",
            f"--user-data-dir={profile}",
            "--hide-scrollbars",
            "--window-size=1100,1500",
            f"--screenshot={target}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return target


def chart_colours(png: Path) -> dict[str, int]:
    """How many pixels of each bar colour the screenshot has."""
    from PIL import Image

    from kzarchive.rot_report import COLOURS

    wanted = {tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)): name for name, c in COLOURS.items()}
    counts = dict.fromkeys(COLOURS, 0)
    with Image.open(png) as image:
        for count, colour in image.convert("RGB").getcolors(1 << 24) or []:
            if colour in wanted:
                counts[wanted[colour]] += count
    return counts
