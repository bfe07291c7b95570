"""``kzarchive verify``: what holds, what was altered (named), and an unusable folder."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from kzarchive.cli import main
from kzarchive.evidence.verify import wacz_findings
from tests.evidence.conftest import Servers, links, run
from tests.shared import third_party


def verify(folder: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["verify", str(folder), *args])


def flip(path: Path, at: int | None = None) -> None:
    """Change one byte of ``path`` (the middle one unless ``at`` is given)."""
    data = bytearray(path.read_bytes())
    at = len(data) // 2 if at is None else at
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


def test_a_fresh_run_verifies(sealed: Path) -> None:
    result = verify(sealed, "--format", "json")
    assert result.exit_code == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["holds"] is True
    kinds = {f["kind"] for f in report["findings"] if f["status"] == "holds"}
    # "rendering": the browser's screenshot and DOM, where a Chromium is installed (CI has one)
    assert kinds - {"rendering"} == {"record", "media", "wacz", "sums", "timestamp", "manifest"}
    assert not [f for f in report["findings"] if f["status"] != "holds"]
    stamp = next(f for f in report["findings"] if f["kind"] == "timestamp")
    assert "SHA256SUMS existed at" in stamp["detail"]
    assert "kzarchive test TSA root (NOT in Mozilla's list)" in stamp["detail"]
    records = [f for f in report["findings"] if f["kind"] == "record"]
    answers = [f for f in records if "-media.warc.gz@" not in f["path"]]
    assert len(answers) == 8  # every cited link's answer
    # and each media file's record in the media WARC (a video and its .info.json, two links)
    media = [f for f in records if "-media.warc.gz@" in f["path"]]
    assert len(media) == 4 and {f["status"] for f in media} == {"holds"}


def test_the_table_is_the_default(sealed: Path) -> None:
    result = verify(sealed)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].split()[:3] == ["status", "what", "path"]
    assert "holds" in result.stderr and "altered" not in result.stderr


def _media(folder: Path) -> Path:
    return next(p for p in (folder / "media").rglob("*.mp4"))


def _warc(folder: Path) -> Path:
    return next(
        p for p in (folder / "evidence" / "warc").glob("*.warc.gz") if "-media" not in p.name
    )


def _media_warc(folder: Path) -> Path:
    return next((folder / "evidence" / "warc").glob("*-media.warc.gz"))


def _seal(folder: Path) -> Path:
    return next((folder / "evidence" / "seals").iterdir())


# Each evidence file, and what verify must name when one byte of it changes
TARGETS = {
    "warc": (_warc, lambda f: f"evidence/warc/{_warc(f).name}"),
    "media": (_media, lambda f: _media(f).relative_to(f).as_posix()),
    "media-warc": (_media_warc, lambda f: f"evidence/warc/{_media_warc(f).name}"),
    "wacz": (lambda f: f / "evidence.wacz", lambda f: "evidence.wacz"),
    "sums": (lambda f: _seal(f) / "SHA256SUMS", lambda f: "SHA256SUMS"),
    "sealed-manifest": (
        lambda f: _seal(f) / "manifest.json",
        lambda f: f"{_seal(f).relative_to(f).as_posix()}/manifest.json",
    ),
    "token": (lambda f: next(_seal(f).glob("*.tsr")), lambda f: ".tsr"),
}


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_one_changed_byte_is_named(folder: Path, target: str) -> None:
    where, named = TARGETS[target]
    path = where(folder)
    flip(path)
    result = verify(folder)
    assert result.exit_code == 1, result.stdout
    bad = [line for line in result.stdout.splitlines() if line.startswith(("altered", "missing"))]
    assert bad and any(named(folder) in line for line in bad), result.stdout
    assert "altered or missing" in result.stderr and named(folder) in result.stderr


def test_a_changed_payload_inside_the_warc_is_named_by_its_url(folder: Path) -> None:
    # A byte changed inside a record's body (the WARC rewritten with the gzip members intact):
    # the record's hash no longer matches what the manifest recorded for that link.
    import gzip

    found = links(folder)
    path = max(
        found, key=lambda p: found[p]["evidence"]["offset"] if found[p]["evidence"]["size"] else -1
    )
    page = found[path]["evidence"]
    warc = folder / page["warc"]
    data = warc.read_bytes()
    start = page["offset"]
    member_end = data.index(b"\x1f\x8b\x08", start + 1)
    member = bytearray(gzip.decompress(data[start:member_end]))
    body = member.index(b"\r\n\r\n", member.index(b"\r\n\r\n") + 4) + 4  # after HTTP head
    member[body] ^= 0x20
    warc.write_bytes(data[:start] + gzip.compress(bytes(member)) + data[member_end:])
    report = json.loads(verify(folder, "--format", "json").stdout)
    assert report["holds"] is False
    records = {
        f["url"].split("/", 3)[3]: f
        for f in report["findings"]
        if f["kind"] == "record" and "-media.warc.gz" not in f["path"]
    }
    assert records[path.lstrip("/")]["status"] == "altered"
    assert "payload sha256" in records[path.lstrip("/")]["detail"]
    # Records before it in the file are untouched; the ones after it moved (the file changed)
    before = [u for u, f in records.items() if int(f["path"].rsplit("@", 1)[1]) < page["offset"]]
    assert before and all(records[u]["status"] == "holds" for u in before)
    assert any(
        f["path"].endswith(".warc.gz") and f["status"] == "altered"
        for f in report["findings"]
        if f["kind"] == "sums"
    )


def test_a_missing_file_is_named(folder: Path) -> None:
    media = _media(folder)
    media.unlink()
    result = verify(folder, "--format", "json")
    assert result.exit_code == 1
    missing = [f for f in json.loads(result.stdout)["findings"] if f["status"] == "missing"]
    assert {f["path"] for f in missing} == {media.relative_to(folder).as_posix()}


def test_a_token_for_other_data_is_rejected(folder: Path, servers: Servers, tmp_path: Path) -> None:
    # Another run's genuine token, from the same authority, over another SHA256SUMS
    _, other = run(servers, tmp_path / "other", ["/page/1"])
    token = next(_seal(other).glob("*.tsr"))
    mine = next(_seal(folder).glob("*.tsr"))
    shutil.copyfile(token, mine)
    report = json.loads(verify(folder, "--format", "json").stdout)
    stamps = [f for f in report["findings"] if f["kind"] == "timestamp"]
    assert [f["status"] for f in stamps] == ["altered"]
    assert stamps[0]["path"].endswith("/SHA256SUMS")
    assert f"not what {mine.name} timestamped" in stamps[0]["detail"]
    assert "Mismatch between messages" in stamps[0]["detail"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "nowhere", "no such folder"),
        (lambda p: p, "no manifest.json here"),
    ],
    ids=["no-folder", "no-manifest"],
)
def test_an_unusable_folder_exits_2(tmp_path: Path, make: object, message: str) -> None:
    result = verify(make(tmp_path))  # type: ignore[operator]
    assert result.exit_code == 2
    assert message in result.stderr and result.stdout == ""


def test_a_folder_without_evidence_exits_2(servers: Servers, tmp_path: Path) -> None:
    _, out = run(servers, tmp_path, ["/page/1"], "--no-capture")
    result = verify(out)
    assert result.exit_code == 2
    assert "no evidence to verify" in result.stderr


def test_evidence_never_timestamped_is_said_but_holds(servers: Servers, tmp_path: Path) -> None:
    _, out = run(servers, tmp_path, ["/page/1"], "--no-timestamp")
    result = verify(out, "--format", "json")
    assert result.exit_code == 0
    unsealed = [f for f in json.loads(result.stdout)["findings"] if f["status"] == "unsealed"]
    assert [f["detail"] for f in unsealed] == ["no timestamp token: not timestamped"]


THIRD_PARTY_WACZ = "wacz/valid_signed_example_1.wacz"


def test_the_digests_of_a_wacz_made_elsewhere_hold() -> None:
    found = list(wacz_findings(third_party(THIRD_PARTY_WACZ), "example.wacz"))
    assert [f.status for f in found] == ["holds"] * 4
    assert {f.path.split(":", 1)[1].split("/")[0] for f in found} == {
        "indexes",
        "archive",
        "pages",
    }


def test_a_changed_member_of_a_wacz_made_elsewhere_is_named(tmp_path: Path) -> None:
    import zipfile

    changed = tmp_path / "changed.wacz"
    original = third_party(THIRD_PARTY_WACZ)
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(changed, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "pages/pages.jsonl":
                data = data.replace(b"example", b"exampla", 1)
            target.writestr(item, data)
    found = list(wacz_findings(changed, "changed.wacz"))
    assert [(f.path, f.status) for f in found if f.status != "holds"] == [
        ("changed.wacz:pages/pages.jsonl", "altered")
    ]


def _edit_manifest(folder: Path, change: Callable[[dict[str, Any]], None]) -> None:
    path = folder / "manifest.json"
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data, indent=2))


def test_a_verdict_changed_in_the_manifest_is_named(folder: Path) -> None:
    dead = next(p for p, link in links(folder).items() if link["check"]["verdict"] == "dead")

    def revive(data: dict[str, Any]) -> None:
        link = next(x for x in data["links"] if x["url"].endswith(dead))
        link["check"]["verdict"] = "alive"

    _edit_manifest(folder, revive)
    result = verify(folder, "--format", "json")
    assert result.exit_code == 1, result.stdout
    found = [f for f in json.loads(result.stdout)["findings"] if f["kind"] == "manifest"]
    assert [f["status"] for f in found] == ["altered"]
    assert f'{dead}].check.verdict: "dead" → "alive"' in found[0]["detail"]
    assert "evidence/seals/" in found[0]["detail"]
    assert "manifest.json" in verify(folder).stderr


def test_a_later_run_that_sealed_nothing_leaves_the_manifest_unsealed(folder: Path) -> None:
    def later(data: dict[str, Any]) -> None:
        data["generated_at"] = "2999-01-01T00:00:00Z"
        data["citations"] = data["citations"][:-1]

    _edit_manifest(folder, later)
    result = verify(folder, "--format", "json")
    found = [f for f in json.loads(result.stdout)["findings"] if f["kind"] == "manifest"]
    assert [f["status"] for f in found] == ["unsealed"]
    assert "sealed nothing" in found[0]["detail"] and "citations" in found[0]["detail"]


def test_an_interrupted_runs_warc_is_unsealed_until_the_next_seal(
    folder: Path, servers: Servers
) -> None:
    # What a run killed before its seal leaves: a WARC (packaged into the next WACZ) in no seal
    left = folder / "evidence" / "warc" / "kzarchive-20261205T000000Z.warc.gz"
    shutil.copyfile(_warc(folder), left)
    name = left.relative_to(folder).as_posix()
    report = json.loads(verify(folder, "--format", "json").stdout)
    assert [(f["path"], f["status"]) for f in report["findings"] if f["path"] == name] == [
        (name, "unsealed")
    ]
    # The next run's seal takes it in: from then on it holds
    doc = json.loads((folder / "manifest.json").read_text())["document"]["path"]
    result = CliRunner().invoke(main, ["run", str(doc), "--out", str(folder)], env=servers.env())
    assert result.exit_code in (0, 1), result.stderr
    report = json.loads(verify(folder, "--format", "json").stdout)
    assert {f["status"] for f in report["findings"] if f["path"] == name} == {"holds"}


# ``kzarchive restore``: the last sealed manifest that verifies comes back; a corrupt one's
# message says so; the manifest replaced is kept. (Here, to share this module's sealed run.)


def restore(folder: Path) -> Result:
    return CliRunner().invoke(main, ["restore", str(folder)])


def _sealed_copy(folder: Path) -> Path:
    return next((folder / "evidence" / "seals").glob("*/manifest.json"))


def test_a_corrupt_manifest_says_restore_and_restore_brings_the_sealed_one_back(
    folder: Path, servers: Servers
) -> None:
    sealed = _sealed_copy(folder).read_bytes()
    document = json.loads(sealed)["document"]["path"]
    (folder / "manifest.json").write_text('{"schema_version": 2, "links": [')
    run = CliRunner().invoke(main, ["run", document, "--out", str(folder)], env=servers.env())
    assert run.exit_code == 2
    assert f"'kzarchive restore {folder}' brings back the sealed copy in evidence/seals/" in (
        run.stderr
    )
    assert not (folder / "manifest.json").exists()  # moved aside, as before
    result = restore(folder)
    assert result.exit_code == 0, result.stderr
    assert (folder / "manifest.json").read_bytes() == sealed
    assert "restored" in result.stderr and result.stdout == ""
    assert CliRunner().invoke(main, ["verify", str(folder)]).exit_code == 0


def test_a_manifest_changed_by_hand_is_replaced_and_kept(folder: Path) -> None:
    sealed = _sealed_copy(folder).read_bytes()
    edited = sealed.replace(b'"dead"', b'"alive"', 1)
    (folder / "manifest.json").write_bytes(edited)
    result = restore(folder)
    assert result.exit_code == 0, result.stderr
    assert (folder / "manifest.json").read_bytes() == sealed
    kept = list(folder.glob("manifest.json.replaced-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == edited and kept[0].name in result.stderr
    again = restore(folder)
    assert again.exit_code == 0 and "already the one sealed" in again.stderr
    assert len(list(folder.glob("manifest.json.replaced-*"))) == 1
    assert "timestamped" not in result.stderr + again.stderr  # this seal's token holds


def test_restoring_a_copy_no_token_covers_says_so(folder: Path) -> None:
    # A run whose authorities all failed (offline) seals without a token: the copy is still
    # restored (its hash is as SHA256SUMS lists it), but nothing proves when it was made.
    sealed = _sealed_copy(folder)
    for token in sealed.parent.glob("*.tsr"):
        token.unlink()
    (folder / "manifest.json").write_bytes(sealed.read_bytes().replace(b'"dead"', b'"alive"', 1))
    result = restore(folder)
    assert result.exit_code == 0, result.stderr
    assert (folder / "manifest.json").read_bytes() == sealed.read_bytes()
    assert "not timestamped" in result.stderr, result.stderr
    again = restore(folder)
    assert "already the one sealed" in again.stderr and "not timestamped" in again.stderr


def test_a_sealed_copy_that_does_not_verify_is_never_restored(folder: Path) -> None:
    copy = _sealed_copy(folder)
    copy.write_bytes(copy.read_bytes().replace(b'"dead"', b'"alive"', 1))
    live = (folder / "manifest.json").read_bytes()
    result = restore(folder)
    assert result.exit_code == 2
    assert "no sealed manifest verifies" in result.stderr
    assert "differs from its SHA256SUMS" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert (folder / "manifest.json").read_bytes() == live


def test_a_folder_without_a_seal_has_nothing_to_restore(tmp_path: Path) -> None:
    result = restore(tmp_path)
    assert result.exit_code == 2 and "no sealed manifest to restore" in result.stderr
    missing = restore(tmp_path / "nothing")
    assert missing.exit_code == 2 and "no such folder" in missing.stderr
    assert not (tmp_path / "nothing").exists()


def test_a_file_two_checks_find_altered_is_named_once(folder: Path) -> None:
    # A media file is checked against the manifest's hash and against the seal's SHA256SUMS:
    # two findings, one file, named once in the warning.
    media = _media(folder).relative_to(folder).as_posix()
    flip(folder / media)
    result = verify(folder)
    assert result.exit_code == 1
    assert [line for line in result.stdout.splitlines() if media in line][1:], result.stdout
    warning = next(line for line in result.stderr.splitlines() if "altered or missing" in line)
    assert warning.count(media) == 1, warning
    assert "1 altered or missing" in warning, warning
