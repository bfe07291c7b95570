"""``kzarchive restore``: the last sealed manifest that verifies comes back; a corrupt one's
message says so; the manifest replaced is kept."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from kzarchive.cli import main
from tests.evidence.conftest import Servers


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
