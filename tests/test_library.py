"""Library runs: many documents, each unique URL worked on once, only what is due."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kzarchive.check import CheckOptions
from kzarchive.extract import extract
from kzarchive.library import run_library
from kzarchive.pipeline import RunResult, run_pipeline
from kzarchive.scope import Redacted, redact_extraction
from kzarchive.store import Store
from kzarchive.store.rot import RotPolicy
from kzarchive.wayback.client import WaybackClient
from kzarchive.wayback.credentials import Credentials
from kzarchive.wayback.options import ArchiveOptions
from tests.servers.base import RunningServer
from tests.servers.fake_wayback import fake_wayback
from tests.servers.scenario import scenario_server

ACCESS, SECRET = "LIBACCESSKEY42", "LIBSECRETKEY42"


def documents(folder: Path, base: str) -> list[Path]:
    """Three reports; two share a live link and a dead one."""
    texts = {
        "a.md": ["/page/1", "/gone404", "/page/2"],
        "b.md": ["/page/1", "/gone404", "/page/3"],
        "c.md": ["/page/4"],
    }
    paths = []
    for name, links in texts.items():
        notes = "".join(f"[^{n}]" for n in range(1, len(links) + 1))
        body = "\n".join(f"[^{n}]: {base}{link}" for n, link in enumerate(links, 1))
        path = folder / name
        path.write_text(f"# Report, 3 March 2021\n\nClaims.{notes}\n\n{body}\n")
        paths.append(path)
    return paths


def runner(
    store: Store, wayback: RunningServer
) -> Callable[[Redacted, Path, Callable[[str], bool]], object]:
    async def run_one(redacted: Redacted, folder: Path, due: Callable[[str], bool]) -> RunResult:
        async with WaybackClient(wayback.base, Credentials(ACCESS, SECRET)) as client:
            return await run_pipeline(
                redacted,
                folder,
                client,
                CheckOptions(timeout=5, second_look=False),
                ArchiveOptions(captures_per_minute=0, archive_private=True, job_timeout=10),
                sink=store,
                due=due,
            )

    return run_one


def read(path: Path) -> Redacted:
    return redact_extraction(extract(path))


def test_a_library_run_works_each_link_once_and_reruns_only_what_is_due(tmp_path: Path) -> None:
    import asyncio

    wayback, state = fake_wayback()
    state.keys = {ACCESS: SECRET}
    with scenario_server() as web, wayback:
        docs = documents(tmp_path, web.base)
        out = tmp_path / "library"
        now = datetime.now(UTC)
        policy = RotPolicy()

        def run(at: datetime) -> object:
            with Store.open(out / "kzarchive.db") as store:
                return asyncio.run(
                    run_library(docs, out, store, read, runner(store, wayback), policy, at)
                )

        first = run(now)
        seen = Counter(r[1] for r in web.server.state.requests)
        assert seen["/page/1"] == 1 and seen["/gone404"] == 1  # cited twice, fetched once
        assert len(state.saves()) == 4  # the four live pages, once each
        for name in ("a", "b", "c"):
            manifest = json.loads((out / name / "manifest.json").read_text())
            assert all(link["check"] for link in manifest["links"]), name
        b = json.loads((out / "b" / "manifest.json").read_text())
        assert [link["check"]["verdict"] for link in b["links"]] == ["alive", "dead", "alive"]
        assert first.states[f"{web.base}/gone404"].status == "dying"
        assert first.checked == 5

        web.server.state.requests.clear()
        second = run(now + timedelta(hours=1))
        assert second.checked == 0 and web.server.state.requests == []
        assert not any(d.ran for d in second.documents)

        # Three days on, the dying link is due again (and only it).
        third = run(now + timedelta(days=3, minutes=1))
        assert [r[1] for r in web.server.state.requests] == ["/gone404"]
        assert third.states[f"{web.base}/gone404"].failures == 1  # same real day: not counted
        assert third.checked == 1
