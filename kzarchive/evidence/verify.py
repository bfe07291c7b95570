"""``kzarchive verify``: whether the evidence in an archive folder is what was recorded.

Every hash the manifest records is computed again (each link's WARC payload, its media files),
the WACZ's own digests are checked along with each WARC file it packages, and every seal's
SHA256SUMS is checked line by line, with each timestamp token's signature and imprint.
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
from kzarchive.evidence.package import WACZ_NAME
from kzarchive.evidence.seal import (
    SEALS_DIR,
    SUMS_NAME,
    check_token,
    is_mozilla_root,
    read_token,
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

    kind: str  # record, media, wacz, sums, timestamp
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
    sealed = {f.path for f in findings if f.kind == "sums" and f.status == "holds"}
    warcs = sorted({r.evidence.warc for r in manifest.links if r.evidence and r.evidence.warc})
    findings += [
        Finding("sums", warc, "unsealed", "in no seal: not timestamped")
        for warc in warcs
        if warc not in sealed and (folder / warc).exists()
    ]
    return Verification(folder, tuple(findings))


def _records(folder: Path, manifest: Manifest) -> Iterator[Finding]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    for link in manifest.links:
        evidence = link.evidence
        if evidence is None or evidence.warc is None or evidence.offset is None:
            continue
        path = folder / evidence.warc
        where = f"{evidence.warc}@{evidence.offset}"
        if not path.exists():
            yield Finding("record", evidence.warc, "missing", "the WARC file is gone", link.url)
            continue
        try:
            with path.open("rb") as stream:
                stream.seek(evidence.offset)
                record = next(iter(ArchiveIterator(stream)), None)
                if record is None:
                    raise ArchiveLoadFailed("no record there")
                record_id = record.rec_headers.get_header("WARC-Record-ID")
                said = record.rec_headers.get_header("WARC-Payload-Digest")
                found, size = stream_sha256(record.raw_stream)
        except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
            yield Finding("record", where, "altered", f"unreadable record ({exc})", link.url)
            continue
        if record_id != evidence.record_id:
            said = f"another record is there ({record_id})"
            yield Finding("record", where, "altered", said, link.url)
        elif found != evidence.sha256 or size != evidence.size:
            yield Finding(
                "record",
                where,
                "altered",
                f"payload sha256 {found[:12]}… ({size} bytes), recorded "
                f"{(evidence.sha256 or '')[:12]}… ({evidence.size} bytes)",
                link.url,
            )
        elif said != payload_digest(found):
            yield Finding("record", where, "altered", "the record's own digest differs", link.url)
        else:
            yield Finding("record", where, "holds", f"sha256 {found[:12]}…, {size} bytes", link.url)


def _media(folder: Path, manifest: Manifest) -> Iterator[Finding]:
    for link in manifest.links:
        for media in link.evidence.media if link.evidence else ():
            path = folder / media.path
            if not path.exists():
                yield Finding("media", media.path, "missing", "the file is gone", link.url)
                continue
            found = file_sha256(path)
            size = path.stat().st_size
            if found != media.sha256 or size != media.size:
                detail = f"sha256 {found[:12]}… ({size} bytes), recorded {media.sha256[:12]}…"
                yield Finding("media", media.path, "altered", detail, link.url)
            else:
                yield Finding("media", media.path, "holds", f"sha256 {found[:12]}…", link.url)


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
    for seal in sorted((folder / SEALS_DIR).glob("*/")):
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
        yield from _tokens(folder, seal, data)


def _tokens(folder: Path, seal: Path, data: bytes) -> Iterator[Finding]:
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
