"""Real runs whose outputs are kept as golden files: ``check`` of a small report against the
scenario server in every ``--format``, normalised (the server's port, times and durations).

``python tests/fixtures/update_golden.py`` writes them after a deliberate change; the tests only
read them.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from click.testing import CliRunner

from kzarchive.cli import main
from kzarchive.reporters import REPORTERS
from tests.servers.documents import footnoted_report
from tests.servers.scenario import scenario_server

GOLDEN_CHECK = Path(__file__).resolve().parent / "fixtures" / "golden" / "check"
PATHS = ["/ok", "/moved", "/gone404", "/gone410", "/forbidden", "/fb-video", "/private/skip-me"]
SUFFIX = {"markdown": ".md", "junit": ".xml", "csv": ".csv", "json": ".json"}


def normalise(text: str, base: str) -> str:
    text = text.replace(base, "http://127.0.0.1:PORT")
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", "2026-01-01T00:00:00Z", text)
    text = re.sub(r'"elapsed_ms": \d+', '"elapsed_ms": 0', text)
    return re.sub(r'time="[\d.]+"', 'time="0.000"', text)


def check_outputs() -> dict[str, tuple[int, str]]:
    """Each format's exit code and normalised output, from one report checked once per format."""
    found: dict[str, tuple[int, str]] = {}
    with scenario_server() as server, tempfile.TemporaryDirectory() as folder:
        doc = footnoted_report(Path(folder) / "report.md", [server.base + p for p in PATHS])
        for fmt in REPORTERS:
            result = CliRunner().invoke(
                main,
                ["--quiet", "check", str(doc), "--format", fmt, "--exclude", "/private/"],
                env={"KZARCHIVE_CONFIG": None},
            )
            found[fmt] = (result.exit_code, normalise(result.stdout, server.base))
    return found


def write() -> None:
    GOLDEN_CHECK.mkdir(parents=True, exist_ok=True)
    for fmt, (_, text) in check_outputs().items():
        path = GOLDEN_CHECK / f"report{SUFFIX[fmt]}"
        path.write_text(text, encoding="utf-8", newline="")
        print(path)


GOLDEN_CITE = Path(__file__).resolve().parent / "fixtures" / "golden" / "cite"
CITE_SUFFIX = {"csl-json": ".json", "biblatex": ".bib", "wikipedia": ".wiki"}
LOGIN_WALL = (
    b"<html><head><title>Log in to Facebook</title></head><body><form action='/login.php'>"
    b"<input name='email'><input type='password' name='pass'></form></body></html>"
)


def cite_outputs() -> dict[str, tuple[int, str]]:
    """``cite`` in each format after a real ``run``: a live page archived, a dead page with a
    copy from when it was cited, a login wall whose only copy is a login wall too."""
    from datetime import UTC, datetime

    from tests.servers.fake_wayback import cli_env, fake_wayback

    found: dict[str, tuple[int, str]] = {}
    server, state = fake_wayback()
    with server, scenario_server() as site, tempfile.TemporaryDirectory() as folder:
        ok, gone, walled = f"{site.base}/ok", f"{site.base}/gone404", f"{site.base}/fb-post"
        lost = f"{site.base}/gone410"  # dead, and no archive has it
        state.add_capture(gone, "20200520093000")
        state.add_capture(walled, "20200520093000")
        state.payloads[walled] = (200, {}, LOGIN_WALL)
        doc = Path(folder) / "report.md"
        doc.write_text(
            "Almaty, 1 June 2020\n\nClaims.[^1] [^2] [^3] [^4]\n\n"
            f"[^1]: Court ruling, <{ok}>.\n[^2]: Ministry statement, <{gone}>.\n"
            f"[^3]: <{walled}>\n[^4]: Lost | page [draft], <{lost}>\n",
            encoding="utf-8",
        )
        out = Path(folder) / "archive"
        env = {
            **cli_env(server),
            "KZARCHIVE_OTHER_ARCHIVES": "0",
            # kzarchive's own copy over HTTP (the page titles `cite` uses), no browser
            "KZARCHIVE_BROWSER": "0",
            "KZARCHIVE_MEDIA": "0",
            "KZARCHIVE_TIMESTAMP": "0",
        }
        # --confirm-now: a dead link is dead at once (the dying one is test_run_dying's)
        CliRunner().invoke(
            main, ["--quiet", "run", str(doc), "--out", str(out), "--confirm-now"], env=env
        )
        today = datetime.now(UTC)
        for fmt in CITE_SUFFIX:
            result = CliRunner().invoke(main, ["cite", str(out), "--format", fmt])
            text = normalise(result.stdout, site.base)
            text = text.replace(today.strftime("%Y%m%d"), "20260101")
            text = text.replace(today.strftime("%Y-%m-%d"), "2026-01-01")
            text = text.replace(today.strftime("%B %Y"), "January 2026")
            text = re.sub(
                rf"(\[\s*){today.year}(,\s*){today.month}(,\s*){today.day}(\s*\])",
                r"\g<1>2026\g<2>1\g<3>1\g<4>",
                text,
            )
            text = re.sub(r"/web/20260101\d{6}/", "/web/20260101000000/", text)
            text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", text)
            found[fmt] = (result.exit_code, text)
    return found


def write_cite() -> None:
    GOLDEN_CITE.mkdir(parents=True, exist_ok=True)
    for fmt, (_, text) in cite_outputs().items():
        path = GOLDEN_CITE / f"report{CITE_SUFFIX[fmt]}"
        path.write_text(text, encoding="utf-8", newline="")
        print(path)
