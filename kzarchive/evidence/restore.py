"""``kzarchive restore``: bring back the manifest the last good seal keeps.

Every seal (``evidence/seals/<time>/``) holds a copy of the manifest as it was when the run
ended, listed in its ``SHA256SUMS`` and covered by its timestamp tokens. When ``manifest.json`` is
lost, corrupt or changed by hand, the newest copy that still verifies (its hash as listed, every
token holding, a manifest kzarchive reads) is put back; the manifest it replaces is kept beside. A
seal with no token (every authority failed, offline) still verifies by its hash; the caller is
told that no trusted time covers it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kzarchive.errors import KzarchiveError, ManifestError
from kzarchive.evidence.digests import file_sha256
from kzarchive.evidence.seal import SUMS_NAME, seals
from kzarchive.manifest import MANIFEST_NAME, keep_aside, load, write_atomic_bytes


@dataclass(frozen=True)
class Restored:
    """What ``restore`` did: the seal whose copy is now the manifest, where the replaced
    manifest went (None if there was none, or it was already the sealed one), whether a
    timestamp token covers that seal (a run whose authorities all failed seals without one), and
    the newer seals passed over, each with why."""

    seal: Path
    kept: Path | None
    changed: bool
    passed_over: tuple[str, ...] = ()
    timestamped: bool = True


def sealed_manifests(folder: Path) -> list[Path]:
    """The manifest copies the folder's seals keep, newest first."""
    return [s / MANIFEST_NAME for s in reversed(seals(folder)) if (s / MANIFEST_NAME).is_file()]


def _problem(folder: Path, copy: Path) -> tuple[str | None, bool]:
    """Why the sealed copy cannot be trusted (None if it verifies), and whether a timestamp
    token holds over it."""
    from kzarchive.evidence.verify import token_findings

    seal = copy.parent
    name = copy.relative_to(folder).as_posix()
    try:
        sums = (seal / SUMS_NAME).read_bytes()
    except OSError:
        return "its seal has no SHA256SUMS", False
    lines = sums.decode("utf-8", "replace").splitlines()
    listed = {n: h for h, _, n in (line.partition("  ") for line in lines)}
    if listed.get(name) != file_sha256(copy):
        return "it differs from its SHA256SUMS", False
    tokens = list(token_findings(folder, seal, sums))
    bad = [f for f in tokens if f.status == "altered"]
    if bad:
        return f"its timestamp does not hold ({bad[0].detail})", False
    timestamped = any(f.status == "holds" for f in tokens)
    try:
        load(copy)
    except ManifestError as exc:
        return f"kzarchive cannot read it ({exc})", timestamped
    return None, timestamped


def restore(folder: Path) -> Restored:
    """Put the newest sealed manifest that verifies back as ``folder/manifest.json``."""
    if not folder.is_dir():
        raise KzarchiveError(f"{folder}: no such folder")
    copies = sealed_manifests(folder)
    if not copies:
        raise KzarchiveError(
            f"{folder}: no sealed manifest to restore (a run keeps one in evidence/seals/ "
            "when it captures evidence)"
        )
    passed_over: list[str] = []
    for copy in copies:
        problem, timestamped = _problem(folder, copy)
        if problem is not None:
            passed_over.append(f"{copy.parent.relative_to(folder).as_posix()}: {problem}")
            continue
        live = folder / MANIFEST_NAME
        data = copy.read_bytes()
        if live.is_file() and live.read_bytes() == data:
            return Restored(copy.parent, None, False, tuple(passed_over), timestamped)
        kept = keep_aside(live, "replaced") if live.exists() else None
        write_atomic_bytes(live, data)
        return Restored(copy.parent, kept, True, tuple(passed_over), timestamped)
    raise KzarchiveError(f"{folder}: no sealed manifest verifies: " + "; ".join(passed_over))
