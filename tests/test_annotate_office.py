"""``annotate`` on DOCX and ODT: a real hyperlink to the archived copy in each note citing a URL,
every other member of the package untouched; read back by kzarchive, by python-docx or odfpy,
and opened by LibreOffice. Our own documents and other tools' (pandoc's, Word's, LibreOffice's)."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from click.testing import CliRunner

from kzarchive.annotate import annotate
from kzarchive.cli import main
from kzarchive.extract import extract
from kzarchive.manifest import LinkRecord, Manifest, save
from kzarchive.models import ArchiveState, Judgement, Snapshot
from tests.conftest import FIXTURES, ROOT

THIRD_PARTY = ROOT.parent / "shared" / "fixtures" / "third-party"
STAMP = "20190220083000"
OURS = [
    "office/report.docx",
    "office/report.odt",
    "office/every-shape.docx",
    "office/every-shape.odt",
]
# Word's (mammoth's fixture), pandoc's DOCX, LibreOffice's ODT (pandoc's fixtures).
THEIRS = [
    "mammoth/footnote-hyperlink.docx",
    "pandoc/link_in_notes.docx",
    "pandoc/footnote.odt",
    "pandoc/endnote.odt",
]


def snapshot_of(url: str) -> Snapshot:
    judged = Judgement("content", "http-200", "2026-11-27T09:30:00Z")
    return Snapshot(f"https://web.archive.org/web/{STAMP}/{url}", STAMP, 200, judgement=judged)


def manifest_for(path: Path, leave_out: int | None = None) -> Manifest:
    """The document's citations, each link with a copy that holds the page (but ``leave_out``)."""
    found = extract(path)
    links = tuple(
        LinkRecord(
            link.url,
            link.footnotes,
            archive=None
            if i == leave_out
            else ArchiveState("existing", snapshot_of(link.url), snapshot_of(link.url)),
        )
        for i, link in enumerate(found.links)
    )
    return Manifest(found.document.to_json(), found.citations, links)


def _document(name: str) -> Path:
    if name in THEIRS:
        if not THIRD_PARTY.is_dir():
            pytest.skip(f"../shared/fixtures/third-party/{name} is not there")
        return THIRD_PARTY / name
    return FIXTURES / name


def _members(data: bytes) -> list[tuple[str, int, tuple[int, ...], bytes]]:
    archive = zipfile.ZipFile(BytesIO(data))
    return [(i.filename, i.compress_type, i.date_time, archive.read(i)) for i in archive.infolist()]


def _cited(path: Path) -> list[tuple[str | None, str]]:
    return [(c.footnote, c.url) for c in extract(path).citations]


@pytest.mark.parametrize("name", OURS + THEIRS)
def test_round_trip(name: str, tmp_path: Path) -> None:
    source = _document(name)
    copy = tmp_path / source.name
    shutil.copy(source, copy)
    links = extract(copy).links
    cited = len(set(_cited(copy)))  # one archive link per URL per note
    result = annotate(copy, manifest_for(copy))
    assert result.added == cited and not result.missing
    annotated = result.encoded()
    before, after = _members(source.read_bytes()), _members(annotated)
    # Every member the notes do not live in is byte for byte the same, in the same order, with
    # the same compression and date; a notes part without relationships may gain them at the end.
    changed = {"word/footnotes.xml", "word/endnotes.xml", "content.xml"}
    changed |= {f"word/_rels/{n}.rels" for n in ("footnotes.xml", "endnotes.xml")}
    assert [m[0] for m in after[: len(before)]] == [m[0] for m in before]
    assert {m[0] for m in after[len(before) :]} <= changed
    for old, new in zip(before, after, strict=False):
        assert old[1:3] == new[1:3], old[0]
        if old[0] not in changed:
            assert old[3] == new[3], old[0]
    if not links:
        assert annotated == source.read_bytes()  # nothing to add: the very same file
        return
    copy.write_bytes(annotated)
    # kzarchive reads back exactly the citations it read before (the archive links are skipped).
    assert _cited(copy) == _cited(source)
    # Twice changes nothing.
    again = annotate(copy, manifest_for(source))
    assert (again.added, again.already) == (0, cited)
    assert again.encoded() == annotated
    # An independent reader finds a real hyperlink to each copy, in a note.
    expected = {snapshot_of(link.url).url for link in links}
    if copy.suffix == ".docx":
        assert _docx_note_links(copy) >= expected
    else:
        assert _odt_note_links(copy) >= expected


def _docx_note_links(path: Path) -> set[str]:
    import docx

    document = docx.Document(str(path))
    found = set()
    for part in document.part.package.iter_parts():
        if str(part.partname) in ("/word/footnotes.xml", "/word/endnotes.xml"):
            found |= {rel.target_ref for rel in part.rels.values() if rel.is_external}
    return found


def _odt_note_links(path: Path) -> set[str]:
    from odf import opendocument, text

    document = opendocument.load(str(path))
    found = set()
    for note in document.getElementsByType(text.Note):
        for link in note.getElementsByType(text.A):
            found.add(str(link.getAttribute("href")))
    return found


def test_a_link_without_a_copy_is_left_as_it_is(tmp_path: Path) -> None:
    copy = tmp_path / "report.docx"
    shutil.copy(FIXTURES / "office" / "report.docx", copy)
    result = annotate(copy, manifest_for(copy, leave_out=0))
    first = extract(copy).links[0]
    assert result.missing == (first.url,)
    assert result.added == len(set(_cited(copy))) - len(first.footnotes)


def test_the_link_follows_the_urls_own_hyperlink(tmp_path: Path) -> None:
    source = FIXTURES / "office" / "report.odt"
    content = zipfile.ZipFile(BytesIO(annotate(source, manifest_for(source)).encoded()))
    xml = content.read("content.xml").decode()
    url = "https://fidu.it/en/aktau-hearings-2022/"
    own = xml.index(f'xlink:href="{url}"')
    archived = xml.index(f'xlink:href="https://web.archive.org/web/{STAMP}/{url}"')
    assert own < archived < xml.index("photo archive:", own)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_both_and_shows_the_links(tmp_path: Path) -> None:
    names = []
    for name in ("office/report.docx", "office/report.odt"):
        source = FIXTURES / name
        target = tmp_path / source.name
        target.write_bytes(annotate(source, manifest_for(source)).encoded())
        names.append(str(target))
    command = ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), *names]
    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"
    if shutil.which("unshare"):
        command = ["unshare", "-rn", *command]
    subprocess.run([*command, profile], capture_output=True, timeout=120, check=True)
    for name in names:
        pdf = Path(name).with_suffix(".pdf")
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "archived 2019-02-20" in text, name


def test_in_place_keeps_a_backup_and_twice_changes_nothing(tmp_path: Path) -> None:
    copy = tmp_path / "report.odt"
    shutil.copy(FIXTURES / "office" / "report.odt", copy)
    save(manifest_for(copy), tmp_path / "manifest.json")
    args = ["annotate", str(copy), "--manifest", str(tmp_path), "--in-place"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert (tmp_path / "report.odt.bak").read_bytes() == (
        FIXTURES / "office/report.odt"
    ).read_bytes()
    annotated = copy.read_bytes()
    assert annotated != (tmp_path / "report.odt.bak").read_bytes()
    second = CliRunner().invoke(main, args)
    assert second.exit_code == 0 and "0 archive links added" in second.stderr
    assert copy.read_bytes() == annotated


def test_a_notes_part_without_a_relationships_prefix_declares_its_own(tmp_path: Path) -> None:
    source = FIXTURES / "office" / "report.docx"
    package = zipfile.ZipFile(source)
    xml = package.read("word/footnotes.xml").decode()
    assert ' xmlns:r="' in xml
    stripped = tmp_path / "report.docx"
    with zipfile.ZipFile(stripped, "w") as out:
        for info in package.infolist():
            data = package.read(info)
            if info.filename == "word/footnotes.xml":
                # The declaration moves to each hyperlink that uses it, as some writers do.
                no_root = xml.replace(
                    ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"',
                    "",
                    1,
                )
                data = no_root.replace(
                    "<w:hyperlink ",
                    '<w:hyperlink xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
                    '2006/relationships" ',
                ).encode()
            out.writestr(info, data)
    result = annotate(stripped, manifest_for(stripped))
    assert result.added == len(set(_cited(stripped)))
    copy = tmp_path / "annotated.docx"
    copy.write_bytes(result.encoded())
    assert _cited(copy) == _cited(stripped)
    assert _docx_note_links(copy) >= {snapshot_of(link.url).url for link in extract(copy).links}
