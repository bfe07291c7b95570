"""An archive folder made by the previous release, imported into the store on first use."""

from __future__ import annotations

import shutil
from pathlib import Path

from kzarchive.manifest import load
from kzarchive.store.db import parse_time
from kzarchive.store.folder import import_folder, open_for
from kzarchive.store.rot import RotPolicy, rot_state
from tests.conftest import FIXTURES

PREVIOUS = FIXTURES / "store" / "previous-release"


def test_a_folder_of_the_previous_release_is_imported_once(tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    shutil.copytree(PREVIOUS, folder)
    before = (folder / "manifest.json").read_bytes()
    old = load(folder / "manifest.json")
    with open_for(folder) as store:
        path = str(old.document["path"])
        assert [d.path for d in store.documents()] == [path]
        exported = store.manifest(path)
        assert exported is not None
        mine, theirs = exported.to_json(), old.to_json()
        for key in ("document", "citations", "links", "summary"):
            assert mine[key] == theirs[key], key
        counts = store.counts()
        assert counts["links"] == 21 and counts["citations"] == 23
        # Two looks per link, and a judgement per judged copy.
        assert sum(1 for link in old.links for _ in link.history) == 42
        judged = sum(
            1 for link in old.links if link.archive for c in link.archive.copies() if c.judgement
        )
        assert counts["observations"] == 42 + judged
        assert counts["evidence"] == sum(1 for link in old.links if link.evidence)
        # The dead links have one counted failure (two looks the same day): dying, not dead.
        states = {
            url: rot_state([(parse_time(at), v) for at, v in looks], RotPolicy()).status
            for url, looks in store.looks()
        }
        dead = [r.url for r in old.links if r.check and r.check.verdict == "dead"]
        assert {states[url] for url in dead} == {"dying"}
        assert import_folder(store, folder) == []  # once only
    assert (folder / "manifest.json").read_bytes() == before  # the file is not touched
