"""A link two documents of a library cite is fetched once, and each document's folder holds its
evidence: ``verify`` of the library holds, and each document's WACZ has the page."""

from __future__ import annotations

import json
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from tests.servers.base import RunningServer
from tests.servers.fake_wayback import FakeState
from tests.test_cli_library import invoke, servers

__all__ = ["servers"]  # the fixture


def responses(wacz: Path) -> Counter[str]:
    """The response records of every WARC file a WACZ packages, by target URI."""
    found: Counter[str] = Counter()
    with zipfile.ZipFile(wacz) as package:
        for name in package.namelist():
            if name.endswith(".warc.gz"):
                with package.open(name) as stream:
                    for record in ArchiveIterator(stream):
                        if record.rec_type == "response":
                            found[str(record.rec_headers.get_header("WARC-Target-URI"))] += 1
    return found


def evidence_paths(manifest: dict[str, object]) -> Iterator[str]:
    for link in manifest["links"]:  # type: ignore[attr-defined]
        evidence = link.get("evidence") or {}
        if evidence.get("warc"):
            yield evidence["warc"]
        for media in evidence.get("media") or ():
            yield media["path"]


def test_a_shared_link_is_fetched_once_and_its_evidence_is_in_each_folder(
    servers: tuple[RunningServer, RunningServer, FakeState], tmp_path: Path
) -> None:
    web, wayback, _ = servers
    docs = tmp_path / "reports"
    docs.mkdir()
    shared = ["/with-requisites", "/moved"]  # a page with images and scripts; a redirect
    for name, own in (("alpha", "/page/1"), ("beta", "/page/2")):
        links = [*shared, own]
        body = "\n".join(f"[^{n}]: {web.base}{link}" for n, link in enumerate(links, 1))
        (docs / f"{name}.md").write_text(f"# {name}\n\nClaims.[^1][^2][^3]\n\n{body}\n")
    out = tmp_path / "archive"

    code, stdout, stderr = invoke(wayback, "run", str(docs), "--out", str(out))
    assert code == 0, stderr
    assert stdout == ""
    fetched = Counter(path for _, path, _ in web.server.state.requests)
    assert fetched["/with-requisites"] == 1 and fetched["/moved"] == 1  # cited twice, once
    assert fetched["/assets/photo.jpg"] == 1

    for name in ("alpha", "beta"):
        folder = out / name
        manifest = json.loads((folder / "manifest.json").read_text())
        paths = list(evidence_paths(manifest))
        assert len(paths) == 3
        assert all((folder / p).is_file() for p in paths), (name, paths)
        kept = responses(folder / "evidence.wacz")
        # the page, its requisites and both hops of the redirect are in each document's WACZ
        assert kept[f"{web.base}/with-requisites"] == 1
        assert kept[f"{web.base}/assets/photo.jpg"] == 1
        assert kept[f"{web.base}/moved"] == 1 and kept[f"{web.base}/new-home-of-the-article"] == 1
        with zipfile.ZipFile(folder / "evidence.wacz") as package:
            pages = package.read("pages/pages.jsonl").decode()
        assert f"{web.base}/with-requisites" in pages
        report = (folder / "citations.md").read_text()
        assert "evidence/warc/" in report

    code, stdout, stderr = invoke(wayback, "verify", str(out))
    assert code == 0, stdout + stderr
    assert "missing" not in stdout and "altered" not in stdout

    # Beta changed (a new link): its run finds the shared page's records in its own folder
    # and neither fetches nor copies them again
    web.server.state.requests.clear()
    beta = docs / "beta.md"
    beta.write_text(beta.read_text().replace("Claims.", "Claims.[^4]") + f"[^4]: {web.base}/ok\n")
    code, _, stderr = invoke(wayback, "run", str(docs), "--out", str(out))
    assert "1 links worked on" in stderr or "1 link worked on" in stderr, stderr
    fetched = Counter(path for _, path, _ in web.server.state.requests)
    assert fetched["/ok"] == 1 and fetched["/with-requisites"] == 0 and fetched["/moved"] == 0
    kept = responses(out / "beta" / "evidence.wacz")
    assert kept[f"{web.base}/with-requisites"] == 1 and kept[f"{web.base}/ok"] == 1
    code, stdout, stderr = invoke(wayback, "verify", str(out))
    assert code == 0, stdout + stderr
