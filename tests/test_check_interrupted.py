"""Ctrl-C in ``check`` keeps the links already finished: they are listed, and the exit is 130."""

from __future__ import annotations

import json
import time
from pathlib import Path

from tests.interrupt import interrupt_when
from tests.servers.base import RunningServer
from tests.servers.documents import footnoted_report

FAST = ["/page/1", "/page/3", "/gone404"]


def test_ctrl_c_in_check_lists_what_was_finished(site: RunningServer, tmp_path: Path) -> None:
    doc = footnoted_report(tmp_path / "report.md", [site.base + p for p in [*FAST, "/slow"]])
    out = tmp_path / "checked.json"
    first_slow: list[float] = []

    def busy() -> bool:  # the slow page is being waited for, and the others had time to finish
        if not first_slow and site.server.state.hits["/slow"]:
            first_slow.append(time.monotonic())
        return bool(first_slow) and time.monotonic() - first_slow[0] > 1.0

    code, stderr = interrupt_when(
        ["check", str(doc), "--format", "json", "--output", str(out)],
        {"KZARCHIVE_TIMEOUT": "25"},
        busy,
    )
    assert code == 130, stderr
    assert "interrupted: 3 of 4 links checked" in stderr and "Traceback" not in stderr
    found = {
        row["url"].removeprefix(site.base): row["check"]["verdict"]
        for row in json.loads(out.read_text())["links"]
    }
    assert found == {"/page/1": "alive", "/page/3": "alive", "/gone404": "dead"}
