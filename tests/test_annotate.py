"""``annotate``: archive links added after each footnote URL, nothing else changed, idempotent."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kzarchive.annotate import annotate
from kzarchive.cli import main
from kzarchive.extract import extract
from kzarchive.manifest import Manifest, load, merge
from kzarchive.models import ArchiveState, Snapshot
from tests.conftest import DOCUMENTS, FIXTURES, ROOT

SEED_MANIFEST = FIXTURES / "manifests" / "seed.json"
_MD_INSERT = re.compile(r" \(\[archived \d{4}-\d{2}-\d{2}\]\((?:<[^>]*>|[^)]*)\)\)")
_HTML_INSERT = re.compile(r' <a class="kzarchive-snapshot"[^>]*>archived [0-9-]+</a>')


def archived_manifest(document: Path, skip: frozenset[str] = frozenset()) -> Manifest:
    """A manifest of ``document`` in which every link but ``skip`` has a snapshot."""
    extraction = extract(document)
    manifest = merge(None, extraction.document.to_json(), list(extraction.citations))
    links = []
    for record in manifest.links:
        if record.url in skip:
            links.append(record)
            continue
        snapshot = Snapshot(
            f"https://web.archive.org/web/20190301000000/{record.url}", "20190301000000"
        )
        links.append(
            type(record)(record.url, record.footnotes, archive=ArchiveState("existing", snapshot))
        )
    return Manifest(manifest.document, manifest.citations, tuple(links))


@pytest.mark.parametrize(
    ("name", "pattern", "expected"),
    [
        ("sources.txt", _MD_INSERT, 23),
        ("pandoc-footnotes.md", _MD_INSERT, 7),
        ("notes-list.md", _MD_INSERT, 6),
        ("pandoc-footnotes.html", _HTML_INSERT, 4),
        ("word-export.htm", _HTML_INSERT, 3),
        ("sup-notes.html", _HTML_INSERT, 3),
        ("cp1251-report.txt", _MD_INSERT, 2),
    ],
)
def test_annotate_inserts_only_archive_links(
    tmp_path: Path, name: str, pattern: re.Pattern[str], expected: int
) -> None:
    source = ROOT / name if name == "sources.txt" else DOCUMENTS / name
    doc = tmp_path / name
    shutil.copy(source, doc)
    manifest = archived_manifest(doc)
    result = annotate(doc, manifest)
    assert result.added == expected
    annotated = result.encoded()
    # Byte identity: take the insertions out and the original comes back.
    text = annotated.decode(result.encoding)
    assert len(pattern.findall(text)) == expected
    assert pattern.sub("", text).encode(result.encoding) == doc.read_bytes()
    # Idempotence: annotating the annotated document changes nothing.
    doc.write_bytes(annotated)
    again = annotate(doc, manifest)
    assert again.added == 0 and again.already == expected
    assert again.encoded() == annotated
    # And the annotated document still cites exactly what it cited (its notes now say more).
    assert _cited(doc) == _cited(source)


def _cited(path: Path) -> list[tuple[str | None, str, int]]:
    return [(c.footnote, c.url, c.line) for c in extract(path).citations]


def test_seed_annotation_follows_each_url(tmp_path: Path) -> None:
    doc = tmp_path / "sources.txt"
    shutil.copy(ROOT / "sources.txt", doc)
    text = annotate(doc, load(SEED_MANIFEST)).text
    # Footnote 7: after the whole [text](url) link, in Markdown syntax, as-cited snapshot first.
    assert (
        "(https://www.facebook.com/permalink.php?story_fbid=10114164092556794&id=2364618) "
        "([archived 2019-02-20](https://web.archive.org/web/20190220083000/"
        "https://www.facebook.com/permalink.php?story_fbid=10114164092556794&id=2364618));"
    ) in text
    assert "<https://www.youtube.com/watch?v=NPO7vrFuRWY&t=8s> ([archived " in text


def test_urls_without_snapshot_are_left_and_listed(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    shutil.copy(DOCUMENTS / "pandoc-footnotes.md", doc)
    missing = "https://www.osce.org/odihr/73405"
    manifest_path = tmp_path / "manifest.json"
    manifest_path.write_text(json.dumps(archived_manifest(doc, frozenset({missing})).to_json()))
    result = CliRunner().invoke(main, ["annotate", str(doc), "--manifest", str(manifest_path)])
    assert result.exit_code == 0
    assert f"1 URL has no snapshot yet and was left as it is: {missing}" in result.stderr
    assert "6 archive links added" in result.stderr
    assert f"<{missing}>. Contact" in result.stdout


def test_in_place_keeps_a_backup(tmp_path: Path) -> None:
    doc = tmp_path / "sources.txt"
    shutil.copy(ROOT / "sources.txt", doc)
    original = doc.read_bytes()
    result = CliRunner().invoke(
        main, ["annotate", str(doc), "--manifest", str(SEED_MANIFEST), "--in-place"]
    )
    assert result.exit_code == 0 and result.stdout == ""
    assert (tmp_path / "sources.txt.bak").read_bytes() == original
    assert doc.read_bytes() != original and b"[archived 2019-02-20]" in doc.read_bytes()


def test_never_overwrites_without_in_place(tmp_path: Path) -> None:
    doc = tmp_path / "sources.txt"
    shutil.copy(ROOT / "sources.txt", doc)
    result = CliRunner().invoke(
        main, ["annotate", str(doc), "--manifest", str(SEED_MANIFEST), "-o", str(doc)]
    )
    assert result.exit_code == 2 and "--in-place" in result.stderr
    assert doc.read_bytes() == (ROOT / "sources.txt").read_bytes()


def test_annotate_refuses_other_formats(tmp_path: Path) -> None:
    doc = tmp_path / "report.pdf"
    doc.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 10)
    result = CliRunner().invoke(main, ["annotate", str(doc), "--manifest", str(SEED_MANIFEST)])
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr


def test_annotate_reads_standard_input(tmp_path: Path) -> None:
    manifest = tmp_path / "m.json"
    manifest.write_text(json.dumps(archived_manifest(ROOT / "sources.txt").to_json()))
    data = (ROOT / "sources.txt").read_bytes()
    result = CliRunner().invoke(main, ["annotate", "-", "--manifest", str(manifest)], input=data)
    assert result.exit_code == 0, result.stderr
    assert len(_MD_INSERT.findall(result.stdout)) == 23
    refused = CliRunner().invoke(main, ["annotate", "-", "--in-place", "--manifest", str(manifest)])
    assert refused.exit_code == 2


def test_a_copy_that_is_a_login_wall_is_not_linked(tmp_path: Path) -> None:
    from dataclasses import replace

    from kzarchive.models import Judgement

    doc = DOCUMENTS / "pandoc-footnotes.md"
    manifest = archived_manifest(doc)
    first = manifest.links[0]
    assert first.archive is not None and first.archive.snapshot is not None
    walled = replace(first.archive.snapshot, judgement=Judgement("login-wall", "x", "t"))
    links = (replace(first, archive=replace(first.archive, snapshot=walled)), *manifest.links[1:])
    result = annotate(doc, replace(manifest, links=links))
    assert first.url in result.missing
    assert walled.url not in result.encoded().decode()


def _saved(manifest: Manifest, path: Path) -> Path:
    path.write_text(json.dumps(manifest.to_json()))
    return path


def test_a_manifest_of_another_document_is_refused(tmp_path: Path) -> None:
    # The manifest of sources.txt holds none of pandoc-footnotes.md's URLs: nothing to annotate
    # with, and an exit 0 with "0 archive links added" would hide the mix-up (run refuses it too)
    doc = tmp_path / "doc.md"
    shutil.copy(DOCUMENTS / "pandoc-footnotes.md", doc)
    result = CliRunner().invoke(main, ["annotate", str(doc), "--manifest", str(SEED_MANIFEST)])
    assert result.exit_code == 2, result.stderr
    assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1
    assert "cites none of" in result.stderr and str(doc) in result.stderr


def test_another_version_of_the_document_is_a_warning(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    shutil.copy(DOCUMENTS / "pandoc-footnotes.md", doc)
    manifest = _saved(archived_manifest(doc), tmp_path / "manifest.json")
    doc.write_text(doc.read_text() + "\nOne more line.\n")
    result = CliRunner().invoke(main, ["annotate", str(doc), "--manifest", str(manifest)])
    assert result.exit_code == 0, result.stderr
    assert "made from another version of" in result.stderr
    assert "7 archive links added" in result.stderr


def test_the_count_of_urls_left_is_of_the_documents_unique_urls(tmp_path: Path) -> None:
    # Footnote 1 cites a URL twice and footnote 2 writes one without its scheme; the manifest
    # has a copy of neither, and does not hold the third URL at all (a note added since).
    doc = tmp_path / "doc.md"
    doc.write_text(
        "Report.[^1] More.[^2]\n\n"
        "[^1]: See https://a.example/one and again https://a.example/one.\n"
        "[^2]: See www.example.org/x.\n"
    )
    manifest = archived_manifest(
        doc, frozenset({"https://a.example/one", "https://www.example.org/x"})
    )
    path = _saved(manifest, tmp_path / "manifest.json")
    doc.write_text(doc.read_text() + "[^3]: And https://b.example/new.\n")
    result = CliRunner().invoke(main, ["annotate", str(doc), "--manifest", str(path)])
    assert result.exit_code == 0, result.stderr
    said = " ".join(result.stderr.split())
    assert (
        "2 URLs have no snapshot yet and were left as they are: https://a.example/one, "
        "https://www.example.org/x"
    ) in said
    assert (
        f"1 URL is not in {path} (run 'kzarchive run' on the document): https://b.example/new"
        in said
    )
    assert "https://b.example/new" not in said.split("not in")[0]


def test_a_url_cited_without_its_scheme_gets_its_link(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text("Report.[^1]\n\n[^1]: See www.example.org/x.\n")
    text = annotate(doc, archived_manifest(doc)).text
    assert text.endswith(
        "See www.example.org/x ([archived 2019-03-01]"
        "(https://web.archive.org/web/20190301000000/https://www.example.org/x)).\n"
    ), text


def test_an_href_with_a_parameter_named_like_an_entity_gets_its_link(tmp_path: Path) -> None:
    doc = tmp_path / "doc.html"
    doc.write_text(
        "<p>Claim.<sup>1</sup></p>\n"
        '<p><sup>1</sup> <a href="https://x.example/a?b=1&para=2&copy=3">a</a></p>\n'
    )
    manifest = archived_manifest(doc)
    assert [link.url for link in manifest.links] == ["https://x.example/a?b=1&para=2&copy=3"]
    result = annotate(doc, manifest)
    assert result.added == 1 and not result.missing and not result.absent
