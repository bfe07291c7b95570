"""``kzarchive verify``: whether the evidence in an archive folder is what was recorded.

Every hash the manifest records is computed again (each link's WARC payload, its media files),
the WACZ's own digests are checked along with each WARC file it packages, and every seal's
SHA256SUMS is checked line by line, with each timestamp token's signature and imprint. The live
manifest is compared with the copy in the last seal (what changed is named), and every evidence
file no seal lists is said to be ``unsealed``.
This proves the files are the ones sealed at the token's time; it does not prove what a browser
would have shown (the capture is what kzarchive received).
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from kzarchive.errors import KzarchiveError
from kzarchive.evidence.digests import file_sha256, stream_sha256
from kzarchive.evidence.media import MEDIA_DIR
from kzarchive.evidence.package import WACZ_NAME
from kzarchive.evidence.seal import (
    SUMS_NAME,
    check_token,
    is_mozilla_root,
    read_token,
    seals,
)
from kzarchive.evidence.warc import WARC_DIR, payload_digest
from kzarchive.manifest import MANIFEST_NAME, Manifest, load

Status = Literal["holds", "altered", "missing", "unsealed"]
FAILED: tuple[Status, ...] = ("altered", "missing")


class UnusableFolder(KzarchiveError):
    """Nothing in the folder can be verified."""


@dataclass(frozen=True)
class Finding:
    """One thing checked: what, where, and whether it holds."""

    kind: str  # record, media, rendering, wacz, sums, timestamp, manifest
    path: str
    status: Status
    detail: str
    url: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            "path": self.path,
            "status": self.status,
            "detail": self.detail,
        }
        if self.url is not None:
            data["url"] = self.url
        return data


@dataclass(frozen=True)
class Verification:
    folder: Path
    findings: tuple[Finding, ...]

    @property
    def holds(self) -> bool:
        return not any(f.status in FAILED for f in self.findings)

    def to_json(self) -> dict[str, Any]:
        return {
            "folder": str(self.folder),
            "holds": self.holds,
            "findings": [f.to_json() for f in self.findings],
        }


def verify_folder(folder: Path) -> Verification:
    """Check everything the folder's evidence claims; :class:`UnusableFolder` if nothing can be."""
    if not folder.is_dir():
        raise UnusableFolder(f"{folder}: no such folder")
    manifest_path = folder / MANIFEST_NAME
    if not manifest_path.exists():
        raise UnusableFolder(f"{folder}: no {MANIFEST_NAME} here (is it a kzarchive folder?)")
    manifest = load(manifest_path)
    findings = [
        *_records(folder, manifest),
        *_media(folder, manifest),
        *_wacz(folder),
        *_seals(folder),
    ]
    if not findings:
        raise UnusableFolder(
            f"{folder}: no evidence to verify (nothing was captured: the run was offline or "
            "used --no-capture, or kzarchive kept no evidence yet when it ran)"
        )
    findings += _since_last_seal(folder, manifest_path)
    listed = {f.path for f in findings if f.kind == "sums" and f.status != "missing"}
    findings += [
        Finding("sums", name, "unsealed", "in no seal: not timestamped (an interrupted run's?)")
        for name in evidence_files(folder)
        if name not in listed
    ]
    return Verification(folder, tuple(findings))


def evidence_files(folder: Path) -> list[str]:
    """Every evidence file a seal should list (WARCs, their page lists, media, what the browser
    kept), relative."""
    from kzarchive.capture.keep import BROWSER_DIR

    found = [
        *(folder / WARC_DIR).glob("*.warc.gz"),
        *(folder / WARC_DIR).glob("*.pages.jsonl"),
        *(p for p in (folder / MEDIA_DIR).rglob("*") if p.is_file()),
        *(p for p in (folder / BROWSER_DIR).rglob("*") if p.is_file()),
    ]
    return sorted(p.relative_to(folder).as_posix() for p in found)


def _since_last_seal(folder: Path, live: Path) -> list[Finding]:
    """The live manifest against the copy the last seal keeps: the same, changed by a later
    run that sealed nothing (``unsealed``), or changed by hand (``altered``); what changed."""
    sealed = [s / MANIFEST_NAME for s in seals(folder) if (s / MANIFEST_NAME).exists()]
    if not sealed:
        return []
    label = sealed[-1].relative_to(folder).as_posix()
    try:
        old = json.loads(sealed[-1].read_text(encoding="utf-8"))
        new = json.loads(live.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [Finding("manifest", MANIFEST_NAME, "altered", f"cannot compare ({exc})")]
    changes = manifest_changes(old, new)
    if not changes:
        return [Finding("manifest", MANIFEST_NAME, "holds", f"as in {label}")]
    said = "; ".join(changes[:5]) + (f"; and {len(changes) - 5} more" if len(changes) > 5 else "")
    when, then = str(new.get("generated_at", "")), str(old.get("generated_at", ""))
    if when > then:
        return [
            Finding(
                "manifest",
                MANIFEST_NAME,
                "unsealed",
                f"written at {when} by a run that sealed nothing, after {label}: {said}",
            )
        ]
    return [Finding("manifest", MANIFEST_NAME, "altered", f"differs from {label}: {said}")]


def manifest_changes(old: Any, new: Any) -> list[str]:
    """What differs between two manifests' JSON, each as ``where: old → new`` (links named by
    their URL); the summary, computed from the rest, is left out."""
    found: list[str] = []

    def keyed(value: Any) -> Any:
        if isinstance(value, list) and all(isinstance(v, dict) and "url" in v for v in value):
            return {str(v["url"]): v for v in value}
        return value

    def walk(a: Any, b: Any, where: str) -> None:
        a, b = keyed(a), keyed(b)
        if isinstance(a, dict) and isinstance(b, dict):
            for key in [*a, *(k for k in b if k not in a)]:
                if key.startswith(("http://", "https://")):
                    here = f"{where}[{key}]"
                else:
                    here = f"{where}.{key}" if where else key
                if key not in b:
                    found.append(f"{here}: removed")
                elif key not in a:
                    found.append(f"{here}: added")
                else:
                    walk(a[key], b[key], here)
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                walk(x, y, f"{where}[{i}]")
        elif a != b:
            found.append(f"{where}: {_short(a)} → {_short(b)}")

    walk(
        {k: v for k, v in old.items() if k != "summary"} if isinstance(old, dict) else old,
        {k: v for k, v in new.items() if k != "summary"} if isinstance(new, dict) else new,
        "",
    )
    return found


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "…"


def _records(folder: Path, manifest: Manifest) -> Iterator[Finding]:
    for link in manifest.links:
        evidence = link.evidence
        if evidence is None or evidence.warc is None or evidence.offset is None:
            continue
        yield _record(
            folder,
            evidence.warc,
            evidence.offset,
            (evidence.record_id, evidence.sha256, evidence.size),
            link.url,
        )


def _record(
    folder: Path,
    warc: str,
    offset: int,
    expected: tuple[str | None, str | None, int | None],
    url: str,
    holding: str = "",
) -> Finding:
    """The WARC record at ``warc@offset`` read again: its id, its payload's SHA-256 and size and
    its own payload digest against what the manifest ``expected`` (record id, SHA-256, size)."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    record_id, sha256, length = expected
    path = folder / warc
    where = f"{warc}@{offset}"
    if not path.exists():
        return Finding("record", warc, "missing", "the WARC file is gone", url)
    try:
        with path.open("rb") as stream:
            stream.seek(offset)
            record = next(iter(ArchiveIterator(stream)), None)
            if record is None:
                raise ArchiveLoadFailed("no record there")
            found_id = record.rec_headers.get_header("WARC-Record-ID")
            said = record.rec_headers.get_header("WARC-Payload-Digest")
            found, size = stream_sha256(record.raw_stream)
    except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
        return Finding("record", where, "altered", f"unreadable record ({exc})", url)
    if found_id != record_id:
        return Finding("record", where, "altered", f"another record is there ({found_id})", url)
    if found != sha256 or size != length:
        detail = (
            f"payload sha256 {found[:12]}… ({size} bytes), recorded "
            f"{(sha256 or '')[:12]}… ({length} bytes)"
        )
        return Finding("record", where, "altered", detail, url)
    if said != payload_digest(found):
        return Finding("record", where, "altered", "the record's own digest differs", url)
    return Finding("record", where, "holds", f"{holding}sha256 {found[:12]}…, {size} bytes", url)


def _media(folder: Path, manifest: Manifest) -> Iterator[Finding]:
    """Each media file and each file the browser kept (screenshot, thumbnail, DOM)."""
    for link in manifest.links:
        evidence = link.evidence
        if evidence is None:
            continue
        files = [("media", media) for media in evidence.media]
        if evidence.rendering is not None:
            files += [("rendering", kept) for kept in evidence.rendering.files]
        for kind, media in files:
            path = folder / media.path
            if not path.exists():
                yield Finding(kind, media.path, "missing", "the file is gone", link.url)
                continue
            found = file_sha256(path)
            size = path.stat().st_size
            if found != media.sha256 or size != media.size:
                detail = f"sha256 {found[:12]}… ({size} bytes), recorded {media.sha256[:12]}…"
                yield Finding(kind, media.path, "altered", detail, link.url)
            else:
                yield Finding(kind, media.path, "holds", f"sha256 {found[:12]}…", link.url)
            if media.warc is not None and media.offset is not None:
                expected = (media.record_id, media.sha256, media.size)
                yield _record(
                    folder, media.warc, media.offset, expected, link.url, f"{media.path}: "
                )


def _wacz(folder: Path) -> Iterator[Finding]:
    path = folder / WACZ_NAME
    if path.exists():
        yield from wacz_findings(path, WACZ_NAME, folder / WARC_DIR)


def wacz_findings(path: Path, label: str, warcs: Path | None = None) -> Iterator[Finding]:
    """Every digest a WACZ records of itself (``datapackage-digest.json`` over
    ``datapackage.json``, which lists each member's), computed again; with ``warcs``, each WARC
    it packages compared with the file of that name there."""
    try:
        with zipfile.ZipFile(path) as wacz:
            package_bytes = wacz.read("datapackage.json")
            digest = json.loads(wacz.read("datapackage-digest.json"))
            expected = str(digest.get("hash", ""))
            found = "sha256:" + hashlib.sha256(package_bytes).hexdigest()
            if expected != found:
                yield Finding("wacz", f"{label}:datapackage.json", "altered", "digest differs")
                return
            for resource in json.loads(package_bytes).get("resources", []):
                name = str(resource.get("path"))
                member = f"{label}:{name}"
                try:
                    with wacz.open(name) as stream:
                        data = stream_sha256(stream)[0]
                except KeyError:
                    yield Finding("wacz", member, "missing", "listed but not in the package")
                    continue
                if f"sha256:{data}" != resource.get("hash"):
                    yield Finding("wacz", member, "altered", "differs from the package's digest")
                    continue
                outside = warcs / Path(name).name if warcs is not None else None
                if (
                    outside is not None
                    and name.startswith("archive/")
                    and outside.exists()
                    and file_sha256(outside) != data
                ):
                    kept = outside.relative_to(path.parent)  # the WARC folder is beside it
                    yield Finding("wacz", member, "altered", f"differs from {kept}")
                    continue
                yield Finding("wacz", member, "holds", f"sha256 {data[:12]}…")
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        yield Finding("wacz", label, "altered", f"not a readable WACZ ({exc})")


def _seals(folder: Path) -> Iterator[Finding]:
    for seal in seals(folder):
        sums = seal / SUMS_NAME
        label = sums.relative_to(folder).as_posix()
        if not sums.exists():
            yield Finding("sums", label, "missing", "the seal has no SHA256SUMS")
            continue
        data = sums.read_bytes()
        for line in data.decode("utf-8", "replace").splitlines():
            expected, _, name = line.partition("  ")
            path = folder / name
            if not path.exists():
                yield Finding("sums", name, "missing", f"listed in {label}, gone")
            elif file_sha256(path) != expected:
                yield Finding("sums", name, "altered", f"differs from {label}")
            else:
                yield Finding("sums", name, "holds", f"as in {label}")
        yield from token_findings(folder, seal, data)


def token_findings(folder: Path, seal: Path, data: bytes) -> Iterator[Finding]:
    """Each timestamp token of ``seal`` checked over ``data`` (its SHA256SUMS)."""
    from cryptography import x509

    tokens = sorted(seal.glob("*.tsr"))
    if not tokens:
        label = (seal / SUMS_NAME).relative_to(folder).as_posix()
        yield Finding("timestamp", label, "unsealed", "no timestamp token: not timestamped")
    for token_path in tokens:
        label = token_path.relative_to(folder).as_posix()
        chain_path = token_path.with_name(token_path.name.removesuffix(".tsr") + ".chain.pem")
        try:
            token = read_token(token_path.read_bytes())
            chain = x509.load_pem_x509_certificates(chain_path.read_bytes())
        except (ValueError, OSError) as exc:
            yield Finding("timestamp", label, "altered", f"unreadable token or chain ({exc})")
            continue
        problem = check_token(token, chain, data)
        if problem and "Mismatch between messages" in problem:
            # A good signature over other bytes: SHA256SUMS changed (or the token is another's)
            sums = (seal / SUMS_NAME).relative_to(folder).as_posix()
            said = f"not what {token_path.name} timestamped: {problem}"
            yield Finding("timestamp", sums, "altered", said)
            continue
        if problem:
            yield Finding("timestamp", label, "altered", f"the token does not hold: {problem}")
            continue
        when = token.tst_info.gen_time.strftime("%Y-%m-%dT%H:%M:%SZ")
        root = chain[-1].subject.rfc4514_string()
        trusted = "in Mozilla's CA list" if is_mozilla_root(chain[-1]) else "NOT in Mozilla's list"
        yield Finding(
            "timestamp", label, "holds", f"SHA256SUMS existed at {when}; root {root} ({trusted})"
        )
