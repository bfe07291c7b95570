"""What a library run (``kzarchive run DOC1 DOC2``) says on stderr: a warning that is the same
for every document once, progress lines naming their document, counts that say what they count,
and plurals right."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from kzarchive.cli import main
from kzarchive.store.rot import RotPolicy, rot_state
from tests.servers.base import closed_port
from tests.servers.scenario import scenario_server
from tests.test_run import ACCESS, SECRET


def test_a_library_run_says_each_thing_once_and_names_its_documents(tmp_path: Path) -> None:
    docs = tmp_path / "reports"
    docs.mkdir()
    wayback, tsa = closed_port(), closed_port()  # neither the archive nor the authority answers
    env = {
        "KZARCHIVE_WAYBACK_URL": f"http://127.0.0.1:{wayback}",
        "KZARCHIVE_TSA": f"http://127.0.0.1:{tsa}/tsr",
        "IA_ACCESS_KEY": ACCESS,
        "IA_SECRET_KEY": SECRET,
        "KZARCHIVE_ARCHIVE_PRIVATE": "1",
        "KZARCHIVE_SECOND_LOOK": "0",
        "KZARCHIVE_BROWSER": "0",
        "KZARCHIVE_MEDIA": "0",
        "KZARCHIVE_TIMEOUT": "5",
    }
    with scenario_server() as web:
        for name, page in (("alpha", "/page/1"), ("beta", "/page/2")):
            (docs / f"{name}.md").write_text(
                f"# {name}\n\n22 February 2019\n\nX.[^1][^2]\n\n"
                f"[^1]: {web.base}{page}\n[^2]: {web.base}/gone404\n"
            )
        result = CliRunner().invoke(
            main, ["run", str(docs), "--out", str(tmp_path / "out")], env=env
        )
        said = result.stderr
        assert result.exit_code == 3, said  # the archive did not answer
        lines = said.splitlines()
        wayback_lines = [x for x in lines if "does not answer" in x]
        assert len(wayback_lines) == 1, said
        assert len([x for x in lines if "evidence is not timestamped" in x]) == 1, said
        for name, links in (("alpha", "2 links"), ("beta", "1 link")):  # beta's gone404 was done
            assert f"{docs / name}.md: check: {links}" in said
        assert not [x for x in lines if x.split("] ")[-1].startswith(("check:", "archive:"))]
        assert "2 documents (2 run, 0 up to date), 3 links worked on" in said
        # Each unique link once in the counts, though two documents cite the dying one
        assert "0 confirmed dead, 1 dying, 2 alive, 0 could not tell (3 unique links)" in said
        assert len([x for x in lines if x.startswith("dying: ")]) == 2  # one per document

        (docs / "gamma.md").write_text(f"# g\n\n2019\n\nX.[^1]\n\n[^1]: {web.base}/page/3\n")
        again = CliRunner().invoke(
            main, ["run", str(docs), "--out", str(tmp_path / "out")], env=env
        )
        assert "3 documents (1 run, 2 up to date), 1 link worked on" in again.stderr
        assert "(4 unique links)" in again.stderr


def test_the_next_counted_check_is_told_to_the_minute_when_checks_may_be_hours_apart() -> None:
    from datetime import UTC, datetime, timedelta

    failed = [(datetime(2026, 12, 5, 2, 3, 4, tzinfo=UTC), "dead")]
    hours = rot_state(failed, RotPolicy(apart=timedelta(hours=12))).detail
    assert hours == "1 of 3 failed checks; the next counts from 2026-12-05 14:03 UTC"
    seconds = rot_state(failed, RotPolicy(apart=timedelta(seconds=2))).detail
    assert seconds == "1 of 3 failed checks; the next counts from 2026-12-05 02:03:06 UTC"
    days = rot_state(failed, RotPolicy(apart=timedelta(days=1))).detail
    assert days == "1 of 3 failed checks; the next counts from 2026-12-06"


def test_a_terminal_keeps_one_bar_per_phase_labelled_with_the_document() -> None:
    import io

    from rich.console import Console

    from kzarchive.cli.views import RichObserver
    from kzarchive.progress import DocumentObserver

    console = Console(file=io.StringIO(), force_terminal=True, width=100)
    said: set[str] = set()
    with RichObserver(console) as bars:
        for name, links in (("reports/a.md", 2), ("reports/b.md", 1)):
            observer = DocumentObserver(bars, name, said)
            observer.warn("the Wayback Machine at http://x does not answer")
            observer.phase_started("check", links)
            for n in range(links):
                observer.advanced("check", f"https://e.org/{n}", "alive")
        task = bars.progress.tasks[0]
        assert list(bars.tasks) == ["check"] and len(bars.progress.tasks) == 1
        assert (task.fields["phase"], task.total, task.completed) == ("reports/b.md: check", 1, 1)
    assert console.file.getvalue().count("does not answer") == 1  # type: ignore[attr-defined]
