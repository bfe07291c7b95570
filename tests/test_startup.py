"""What ``check`` loads: only what the command and the document's format need (start-up time is
part of every check's time; bench/startup.py measures it)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import ROOT
from tests.servers.base import closed_port

PROBE = textwrap.dedent(
    """
    import atexit, sys
    HEAVY = {"rich", "bibtexparser", "pyparsing", "cryptography", "httpx", "waybackpy",
             "matplotlib", "sqlite3", "jsonschema", "warcio", "pypdf"}
    # kzarchive's own readers of other formats
    READERS = {"kzarchive.extract.latex", "kzarchive.extract.html", "kzarchive.extract.pdf"}
    def loaded():
        found = sorted({m.split(".")[0] for m in sys.modules} & HEAVY | set(sys.modules) & READERS)
        print("LOADED", " ".join(found), file=sys.__stderr__)
    atexit.register(loaded)
    from kzarchive.cli import main
    main(sys.argv[1:])
    """
)


def loaded_by(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    line = next(x for x in done.stderr.splitlines() if x.startswith("LOADED"))
    return set(line.split()[1:])


def test_check_of_a_markdown_document_loads_nothing_it_does_not_use(tmp_path: Path) -> None:
    doc = tmp_path / "one.md"
    doc.write_text(f"A claim.[^1]\n\n[^1]: http://127.0.0.1:{closed_port()}/gone\n")
    # stderr is a pipe here: its lines are written plainly, without loading rich
    assert loaded_by("check", str(doc)) == set()
    assert loaded_by("--quiet", "check", str(doc)) == set()


def test_bibtex_is_read_with_bibtexparser_when_a_document_is_bibtex(tmp_path: Path) -> None:
    doc = tmp_path / "refs.bib"
    doc.write_text(f"@misc{{a, url = {{http://127.0.0.1:{closed_port()}/x}}}}\n")
    assert {"bibtexparser", "pyparsing"} <= loaded_by("--quiet", "check", str(doc))


def test_aiohttp_default_contexts_trust_nothing_and_fail_closed() -> None:
    """aiohttp's own default contexts load no CA (kzarchive passes its own to every HTTPS
    request), still verify, and the standard library's are left as they were."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import kzarchive.check.checker, aiohttp.connector as c, ssl;"
            "v = c._SSL_CONTEXT_VERIFIED;"
            "print(v.verify_mode == ssl.CERT_REQUIRED, v.check_hostname,"
            " v.cert_store_stats()['x509'], ssl.create_default_context().cert_store_stats()"
            "['x509'] > 0)",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.stdout.split() == ["True", "True", "0", "True"], done.stderr
