"""Every run's WARC files packaged as one WACZ (``evidence.wacz``), with the ``wacz`` package
(Webrecorder's reference implementation), so that ReplayWeb.page opens it as it is.

The package is made again from all the WARC files after each run: earlier captures stay in it.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
from pathlib import Path

from kzarchive.evidence.warc import WARC_DIR
from kzarchive.manifest import new_file_mode

WACZ_NAME = "evidence.wacz"


class PackageError(Exception):
    """The WACZ could not be made; the WARC files stay as they are."""


def warc_files(folder: Path) -> list[Path]:
    """The run's WARC files, oldest first (their names start with the run's time)."""
    return sorted((folder / WARC_DIR).glob("*.warc.gz"))


def _pages(folder: Path, title: str) -> list[str]:
    lines = [json.dumps({"format": "json-pages-1.0", "id": "pages", "title": title})]
    for pages in sorted((folder / WARC_DIR).glob("*.pages.jsonl")):
        for number, line in enumerate(pages.read_text("utf-8").splitlines()):
            try:
                page = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(page, dict) and page.get("url") and page.get("ts"):
                page.setdefault("id", f"{pages.stem}-{number}")
                lines.append(json.dumps(page, ensure_ascii=False))
    return lines


def package(folder: Path, title: str) -> Path | None:
    """Write ``folder/evidence.wacz`` from every WARC file kept; None when there is none."""
    warcs = warc_files(folder)
    if not warcs:
        return None
    from wacz.main import main as wacz_main

    target = folder / WACZ_NAME
    fd, pages_name = tempfile.mkstemp(suffix=".jsonl", dir=folder)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("\n".join(_pages(folder, title)) + "\n")
    fd, tmp = tempfile.mkstemp(prefix=".evidence.", suffix=".wacz", dir=folder)
    os.close(fd)
    said = io.StringIO()
    try:
        args = ["create", "-o", tmp, "--pages", pages_name, "--copy-pages"]
        args += ["--hash-type", "sha256", "--title", title, *map(str, warcs)]
        with contextlib.redirect_stdout(said):  # it reports on stdout, which is the user's data
            code = wacz_main(args)
        if code:
            raise PackageError(said.getvalue().strip().splitlines()[-1])
        os.chmod(tmp, new_file_mode())  # readable as every other file here, not mkstemp's 0600
        os.replace(tmp, target)
    except (OSError, ValueError, KeyError) as exc:
        raise PackageError(str(exc)) from None
    finally:
        Path(tmp).unlink(missing_ok=True)
        Path(pages_name).unlink(missing_ok=True)
    return target
