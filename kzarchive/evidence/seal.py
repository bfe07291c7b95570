"""A run's seal: a ``SHA256SUMS`` file over the run's evidence and a copy of its manifest, and
RFC 3161 timestamp tokens over that file from one or more timestamp authorities.

The seal lives in ``evidence/seals/<time>/``. ``SHA256SUMS`` is in the format of coreutils'
``sha256sum``, with paths relative to the archive folder, so that anyone can check it without
kzarchive (``cd archive && sha256sum -c evidence/seals/<time>/SHA256SUMS``). Each token
(``<n>-<host>.tsr``) is kept with the TSA's certificate chain (``<n>-<host>.chain.pem``), leaf
first, as far as it could be completed: from the token itself, Mozilla's CA list (certifi) and
the certificates' own "CA issuers" addresses.

Requests and tokens are built and checked by ``rfc3161-client`` (Trail of Bits, Apache-2.0). It
reads strict DER and refuses a token whose certificates are not in DER ``SET OF`` order
(``InvalidSetOrdering``): the tokens OpenSSL's TSA writes with ``ts -reply -chain`` (the
certificates in the order of the chain file), which authorities built on OpenSSL's TSA give. Such a
token is kept exactly as the authority returned it, and read for checking through
:func:`read_token`: ``asn1crypto`` (MIT; the ASN.1 library of pyHanko and certvalidator, pure
Python) parses it leniently and writes the certificate set back in DER order. That changes no
signed byte (a CMS signature covers the signed attributes and the content, never the certificate
set), so the token is then verified by rfc3161-client like any other: one verifier for every
token, rather than a second one (cryptography's PKCS7 API loads certificates but verifies no
timestamp) kept for the odd ones.
"""

from __future__ import annotations

import asyncio
import functools
import shutil
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import httpx
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import AuthorityInformationAccessOID
from rfc3161_client import (
    HashAlgorithm,
    PKIStatus,
    TimestampRequestBuilder,
    TimeStampResponse,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

from kzarchive.evidence.digests import file_sha256
from kzarchive.tls import ssl_context

SEALS_DIR = "evidence/seals"
SUMS_NAME = "SHA256SUMS"
TSA_TIMEOUT = 10.0
MAX_TOKEN = 64 * 1024
MAX_ISSUER_FETCHES = 3


def read_token(raw: bytes) -> TimeStampResponse:
    """A timestamp response as rfc3161-client reads it; one whose certificates are not in DER
    order (OpenSSL's ``-chain``) is read with its certificate set re-encoded in DER order, and
    failing that, wholly re-encoded in DER. Raises ValueError for what is no token at all."""
    try:
        return decode_timestamp_response(raw)
    except ValueError as refused:
        first = refused
    from asn1crypto import cms, tsp  # only for the odd tokens

    for whole in (False, True):
        try:
            response = tsp.TimeStampResp.load(raw)
            signed = response["time_stamp_token"]["content"]
            certificates = signed["certificates"]
            if not whole and certificates.native is not None:
                signed["certificates"] = cms.CertificateSet(list(certificates))
            return decode_timestamp_response(response.dump(force=whole))
        except (ValueError, TypeError, KeyError):
            continue
    raise first


@dataclass(frozen=True)
class Stamp:
    """One timestamp authority's answer: the token's file, or why there is none."""

    tsa: str
    token: Path | None = None
    time: str | None = None
    error: str | None = None


def write_seal(folder: Path, stamp: str, manifest: Path, files: Iterable[Path]) -> Path:
    """Write ``evidence/seals/<stamp>/`` (the manifest's copy and SHA256SUMS); its path."""
    seal = folder / SEALS_DIR / stamp
    seal.mkdir(parents=True, exist_ok=True)
    copy = seal / manifest.name
    shutil.copyfile(manifest, copy)
    lines = []
    for path in sorted({*files, copy}):
        relative = path.relative_to(folder).as_posix()
        lines.append(f"{file_sha256(path)}  {relative}\n")
    (seal / SUMS_NAME).write_text("".join(lines), encoding="utf-8")
    return seal


def seals(folder: Path) -> list[Path]:
    """The folder's seals, oldest first (named by time; a second seal in one second gets -2)."""

    def order(path: Path) -> tuple[str, int]:
        stamp, _, n = path.name.partition("-")
        return stamp, int(n) if n.isdigit() else 1

    return sorted((p for p in (folder / SEALS_DIR).glob("*") if p.is_dir()), key=order)


def sealed_names(folder: Path) -> set[str]:
    """Every file some seal of the folder lists (relative to the folder)."""
    names: set[str] = set()
    for seal in seals(folder):
        try:
            text = (seal / SUMS_NAME).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        names.update(line.partition("  ")[2] for line in text.splitlines())
    return names


def tsa_file_stem(index: int, tsa: str) -> str:
    host = httpx.URL(tsa).host or "tsa"
    return f"{index}-{host}"


async def timestamp(seal: Path, tsas: Iterable[str]) -> list[Stamp]:
    """Ask every TSA (at once, each once, within :data:`TSA_TIMEOUT`) for a token over the
    seal's SHA256SUMS; keep each good token and its chain beside it."""
    data = (seal / SUMS_NAME).read_bytes()
    async with httpx.AsyncClient(
        timeout=TSA_TIMEOUT, verify=ssl_context(), trust_env=True, follow_redirects=True
    ) as client:
        return list(
            await asyncio.gather(
                *(
                    _one(client, seal, tsa_file_stem(i, tsa), tsa, data)
                    for i, tsa in enumerate(tsas, 1)
                )
            )
        )


async def _one(client: httpx.AsyncClient, seal: Path, stem: str, tsa: str, data: bytes) -> Stamp:
    request = (
        TimestampRequestBuilder()
        .data(data)
        .hash_algorithm(HashAlgorithm.SHA256)
        .cert_request(cert_request=True)
        .build()
    )
    try:
        answer = await client.post(
            tsa,
            content=request.as_bytes(),
            headers={"Content-Type": "application/timestamp-query"},
        )
    except (httpx.HTTPError, OSError) as exc:
        return Stamp(tsa, error=f"cannot reach it ({type(exc).__name__})")
    if answer.status_code != 200:
        return Stamp(tsa, error=f"HTTP {answer.status_code}")
    if len(answer.content) > MAX_TOKEN:
        return Stamp(tsa, error="the answer is too large to be a token")
    try:
        token = read_token(answer.content)
    except ValueError as exc:
        return Stamp(tsa, error=f"not a timestamp response ({exc})")
    if PKIStatus(token.status) not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
        said = "; ".join(token.status_string) or f"status {token.status}"
        return Stamp(tsa, error=f"refused: {said}")
    if token.tst_info.nonce != request.nonce:
        return Stamp(tsa, error="the token answers another request (nonce)")
    chain = await complete_chain(client, token)
    problem = check_token(token, chain, data)
    # Every token the authority granted is kept as it came; one that does not check out is set
    # apart (``verify`` reads only ``*.tsr``) and the run says why.
    suffix = ".tsr" if problem is None else ".tsr.rejected"
    path = seal / f"{stem}{suffix}"
    path.write_bytes(answer.content)
    (seal / f"{stem}.chain.pem").write_bytes(b"".join(c.public_bytes(Encoding.PEM) for c in chain))
    if problem:
        return Stamp(tsa, error=f"{problem} (kept as {path.name})")
    return Stamp(tsa, path, _iso(token))


def _iso(token: TimeStampResponse) -> str:
    return token.tst_info.gen_time.strftime("%Y-%m-%dT%H:%M:%SZ")


def embedded(token: TimeStampResponse) -> list[x509.Certificate]:
    """The certificates the token carries, the signer's first."""
    certs = [x509.load_der_x509_certificate(c) for c in token.signed_data.certificates]
    signers = list(token.signed_data.signer_infos)
    if signers:
        signer = signers[0]

        def is_signer(cert: x509.Certificate) -> bool:
            return cert.issuer == signer.issuer and cert.serial_number == signer.serial_number

        certs.sort(key=lambda c: not is_signer(c))
    return certs


def _issued(cert: x509.Certificate, by: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(by)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _self_signed(cert: x509.Certificate) -> bool:
    return cert.issuer == cert.subject and _issued(cert, cert)


@functools.cache
def mozilla_roots() -> tuple[x509.Certificate, ...]:
    import certifi

    with warnings.catch_warnings():  # one old root has a negative serial number
        warnings.simplefilter("ignore")
        return tuple(x509.load_pem_x509_certificates(Path(certifi.where()).read_bytes()))


async def complete_chain(
    client: httpx.AsyncClient, token: TimeStampResponse
) -> list[x509.Certificate]:
    """The signer's chain, leaf first, up to a self-signed root when one can be found."""
    pool = embedded(token)
    if not pool:
        return []
    chain = [pool[0]]
    roots = mozilla_roots()
    fetches = 0
    while not _self_signed(chain[-1]) and len(chain) < 8:
        last = chain[-1]
        issuer = next((c for c in (*pool, *roots) if c not in chain and _issued(last, c)), None)
        if issuer is None and fetches < MAX_ISSUER_FETCHES:
            fetches += 1
            issuer = await _fetch_issuer(client, last)
        if issuer is None:
            break
        chain.append(issuer)
    return chain


async def _fetch_issuer(
    client: httpx.AsyncClient, cert: x509.Certificate
) -> x509.Certificate | None:
    try:
        access = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    except x509.ExtensionNotFound:
        return None
    for description in access:
        if description.access_method != AuthorityInformationAccessOID.CA_ISSUERS:
            continue
        url = description.access_location.value
        try:
            answer = await client.get(url)
        except (httpx.HTTPError, OSError):
            continue
        for load in (x509.load_der_x509_certificate, x509.load_pem_x509_certificate):
            try:
                found = load(answer.content)
            except ValueError:
                continue
            if _issued(cert, found):
                return found
    return None


def check_token(token: TimeStampResponse, chain: list[x509.Certificate], data: bytes) -> str | None:
    """Why ``token`` does not vouch for ``data`` under ``chain``; None when it does."""
    if not chain:
        return "the token carries no certificate and none was kept"
    root = chain[-1]
    try:
        verifier = VerifierBuilder(
            roots=[root], intermediates=chain[1:-1] if len(chain) > 2 else []
        ).build()
        verifier.verify_message(token, data)
    except VerificationError as exc:
        return str(exc)
    except ValueError as exc:  # a token rfc3161-client cannot read
        return f"unreadable token ({exc})"
    return None


def is_mozilla_root(cert: x509.Certificate) -> bool:
    """Whether ``cert`` is in Mozilla's CA list (as certifi ships it)."""
    der = cert.public_bytes(Encoding.DER)
    return any(r.public_bytes(Encoding.DER) == der for r in mozilla_roots())
