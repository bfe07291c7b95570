"""Every footnote is accounted for: a URL that cannot be used (too long, a malformed host, port 0)
is a citation with verdict ``error`` and reason ``invalid-url`` in the manifest, the CSV and
``citations.md``, even with ``-q``; nothing about it is sent anywhere."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner

from kzarchive.cli import main
from tests.servers.base import RunningServer
from tests.servers.fake_wayback import FakeState, cli_env

TOO_LONG = "https://example.org/" + "a" * 8200
INVALID = [TOO_LONG, "http://bad..example.org/", "https://example.org:0/x"]


def _report(path: Path, good: str) -> Path:
    notes = [good, *INVALID]
    body = " ".join(f"Claim {n}.[^{n}]" for n in range(1, len(notes) + 1))
    path.write_text(
        f"Almaty, 1 June 2020\n\n{body}\n\n"
        + "".join(f"[^{n}]: {url}\n" for n, url in enumerate(notes, start=1)),
        encoding="utf-8",
    )
    return path


def test_an_invalid_url_is_a_citation_with_verdict_error(
    site: RunningServer, wayback: tuple[RunningServer, FakeState], tmp_path: Path
) -> None:
    server, state = wayback
    doc = _report(tmp_path / "report.md", f"{site.base}/page/1")
    out = tmp_path / "archive"
    result = CliRunner().invoke(
        main, ["-q", "run", str(doc), "--out", str(out), "--no-capture"], env=cli_env(server)
    )
    assert result.exit_code == 1, result.stderr  # a link could not be checked: not all is well
    manifest = json.loads((out / "manifest.json").read_text())
    assert [(c["footnote"], c["url"]) for c in manifest["citations"]] == [
        ("1", f"{site.base}/page/1"),
        *((str(n), url) for n, url in enumerate(INVALID, start=2)),
    ]
    links = {link["url"]: link for link in manifest["links"]}
    for url in INVALID:
        check, archive = links[url]["check"], links[url]["archive"]
        assert (check["verdict"], check["reason"]) == ("error", "invalid-url"), url
        assert archive["status"] == "skipped" and archive["error"].startswith("invalid-url")
    # Nothing about them went to the archive, not even a look-up
    asked = " ".join(repr(r) for r in state.requests)
    assert "bad..example.org" not in asked and "aaaaaaaa" not in asked and ":0/x" not in asked
    rows = list(csv.DictReader(io.StringIO((out / "manifest.csv").read_text("utf-8-sig"))))
    assert [(r["footnote"], r["verdict"], r["reason"]) for r in rows[1:]] == [
        (str(n), "error", "invalid-url") for n in range(2, 5)
    ]
    markdown = (out / "citations.md").read_text()
    assert all(f"## Footnote {n}" in markdown for n in range(2, 5))
    assert markdown.count("invalid-url") >= 3


def test_check_lists_an_invalid_url_as_an_error(tmp_path: Path) -> None:
    doc = _report(tmp_path / "report.md", "http://127.0.0.1:9/")
    result = CliRunner().invoke(main, ["check", str(doc), "--format", "json"])
    found = {row["url"]: row for row in json.loads(result.stdout)["links"]}
    assert [(found[u]["check"]["verdict"], found[u]["check"]["reason"]) for u in INVALID] == [
        ("error", "invalid-url")
    ] * 3
