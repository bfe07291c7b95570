"""Tokens OpenSSL's TSA writes with ``ts -reply -chain``: certificates out of DER set order.

rfc3161-client refuses them (``InvalidSetOrdering``); kzarchive keeps them as the authority sent
them and verifies them through a DER re-encoding of their certificate set (seal.read_token).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from rfc3161_client import decode_timestamp_response

from kzarchive.evidence.seal import SUMS_NAME, read_token, timestamp
from kzarchive.evidence.verify import token_findings
from tests.servers.base import RunningServer
from tests.servers.tsa import OPENSSL, tsa_server


@pytest.fixture
def chained_tsa(tmp_path: Path) -> Iterator[RunningServer]:
    if OPENSSL is None:
        pytest.skip("the local timestamp authority needs the openssl command")
    with tsa_server(tmp_path / "tsa") as tsa:
        tsa.server.state.chain = True  # type: ignore[attr-defined]
        yield tsa


def test_a_chain_token_is_kept_as_sent_and_verified(
    chained_tsa: RunningServer, tmp_path: Path
) -> None:
    seal = tmp_path / "seal"
    seal.mkdir()
    (seal / SUMS_NAME).write_text("0" * 64 + "  manifest.json\n")
    [stamp] = asyncio.run(timestamp(seal, [f"{chained_tsa.base}/"]))
    assert stamp.error is None and stamp.token is not None and stamp.time is not None
    raw = stamp.token.read_bytes()
    # What was kept is the authority's own token, which rfc3161-client alone refuses
    with pytest.raises(ValueError, match="InvalidSetOrdering"):
        decode_timestamp_response(raw)
    token = read_token(raw)
    assert len(token.signed_data.certificates) == 2  # the TSA's and its CA's, carried in it
    chain = x509.load_pem_x509_certificates(next(seal.glob("*.chain.pem")).read_bytes())
    assert [c.subject.rfc4514_string() for c in chain] == [
        "CN=kzarchive test TSA",
        "CN=kzarchive test TSA root",
    ]
    # kzarchive verify reads it too, and tells a changed SHA256SUMS
    findings = list(token_findings(tmp_path, seal, (seal / SUMS_NAME).read_bytes()))
    assert [f.status for f in findings] == ["holds"]
    assert "SHA256SUMS existed at" in findings[0].detail
    changed = list(token_findings(tmp_path, seal, b"another file\n"))
    assert [f.status for f in changed] == ["altered"]


def test_what_is_no_token_at_all_is_still_refused() -> None:
    with pytest.raises(ValueError):
        read_token(b"\x30\x03\x02\x01\x00")
    with pytest.raises(ValueError):
        read_token(b"<html>Service Unavailable</html>")
