"""What a run says matches what it did: why a link was not captured, what this run saved, lists
said as lists, and an offline machine that can still reach a local archive."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kzarchive.check import dns as net
from kzarchive.cli import main
from tests.servers.base import RunningServer
from tests.servers.documents import footnoted_report
from tests.servers.fake_wayback import FakeState, cli_env


def test_a_link_not_captured_says_why_timeout_and_offline(
    site: RunningServer,
    wayback: tuple[RunningServer, FakeState],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, state = wayback
    monkeypatch.setattr(net, "_lookup", lambda host: net.DnsAnswer("nxdomain"))  # offline
    state.add_capture("https://news.example.org/story", "20190101000000")
    cited = [
        f"{site.base}/slow",
        f"{site.base}/gone404",
        "https://gone.invalid/x",
        "https://news.example.org/story",
    ]
    doc = footnoted_report(tmp_path / "report.md", cited)
    out = tmp_path / "archive"
    result = CliRunner().invoke(
        main,
        ["run", str(doc), "--out", str(out), "--no-capture"],
        env=cli_env(server, KZARCHIVE_TIMEOUT="1"),
    )
    # The archive on this machine answers: the warning does not say nothing can be archived
    warnings = [line for line in result.stderr.splitlines() if "offline" in line]
    assert warnings and "nothing can be archived" not in " ".join(warnings)
    assert f"the archive at {server.base} is asked all the same" in " ".join(warnings)
    links = {
        link["url"]: link["archive"]
        for link in json.loads((out / "manifest.json").read_text())["links"]
    }
    # A page that timed out, or could not be looked up offline, is no "dead, blocked" page:
    # Save Page Now is asked all the same; a dead one is not, and says why in its own words
    assert links[f"{site.base}/gone404"]["error"] == (
        "not-captured: the live page is gone (http-404)"
    )
    assert links[f"{site.base}/slow"]["status"] == "saved"
    assert links["https://news.example.org/story"]["status"] in ("existing", "saved")
    assert not [u for u, a in links.items() if "dead, blocked" in (a["error"] or "")]
    assert "dead, blocked" not in (out / "citations.md").read_text()


def test_a_second_run_saves_nothing_new_and_says_so(
    site: RunningServer, wayback: tuple[RunningServer, FakeState], tmp_path: Path
) -> None:
    server, _ = wayback
    pages = ["/page/1", "/page/3", "/gone404"]
    doc = footnoted_report(tmp_path / "report.md", [f"{site.base}{p}" for p in pages])
    out = tmp_path / "archive"

    def saved_row() -> str:
        result = CliRunner().invoke(
            main,
            ["run", str(doc), "--out", str(out), "--no-capture", "--confirm-now"],
            env=cli_env(server),
        )
        assert result.exit_code == 1, result.stderr  # footnote 3 is dead (confirmed at once)
        return " ".join(next(x for x in result.stderr.splitlines() if "saved now" in x).split())

    assert "saved now / saved before / found / pending 2 / 0 / 0 / 0" in saved_row()
    assert "saved now / saved before / found / pending 0 / 2 / 0 / 0" in saved_row()
    # A list of footnotes is said as one, not as a count
    assert "- footnotes that lost every source: footnote 3\n" in (out / "citations.md").read_text()


LONG = "&".join(f"key{n}=value{n}" for n in range(12))


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("terminal", [False, True])
def test_the_end_of_run_tables_never_cut_a_url(
    site: RunningServer,
    wayback: tuple[RunningServer, FakeState],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    terminal: bool,
) -> None:
    # As the tables on stdout: drawn in a terminal only if they fit, else plain lines; in a
    # log file (stderr not a terminal) never any box
    server, _ = wayback
    urls = [f"{site.base}/gone404?{LONG}", f"{site.base}/page/3"]
    doc = footnoted_report(tmp_path / "report.md", urls)
    out = tmp_path / "archive"
    result = CliRunner().invoke(
        main, ["run", str(doc), "--out", str(out), "--no-capture"], env=cli_env(server)
    )
    assert result.exit_code == 1, result.stderr
    said = result.stderr
    if terminal:  # the same summary in a terminal 90 columns wide
        from kzarchive.cli import views
        from kzarchive.manifest import load

        monkeypatch.setenv("COLUMNS", "90")
        stream = _Terminal()
        views.print_summary(*views.run_summary(load(out / "manifest.json"), ()), stream)
        said = stream.getvalue()
    assert urls[0] in said  # whole, on one line
    assert "dying links by footnote" in said  # one failed check: dying, not yet dead
    if not terminal:
        assert not set("│┃━─┏┗╇") & set(said)
