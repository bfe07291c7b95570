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
