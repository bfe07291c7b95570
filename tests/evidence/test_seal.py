"""The seal: SHA256SUMS over a run's evidence, and RFC 3161 tokens over it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from rfc3161_client import decode_timestamp_response

from kzarchive.evidence.seal import check_token
from tests.evidence.conftest import Servers, run
from tests.shared import third_party


def _seal(out: Path) -> Path:
    return next((out / "evidence" / "seals").iterdir())


def test_a_real_token_vouches_for_its_data_only() -> None:
    # A token recorded from timestamp.sigstage.dev over b"hello" (rfc3161-client's fixtures)
    token = decode_timestamp_response(
        third_party("rfc3161/sigstage-response-sha256.tsr").read_bytes()
    )
    pem = third_party("rfc3161/sigstage-ts_chain.pem").read_bytes()
    chain = x509.load_pem_x509_certificates(pem)
    assert check_token(token, chain, b"hello") is None
    assert "Mismatch between messages" in (check_token(token, chain, b"hello!") or "")
    broken = third_party("rfc3161/sigstage-response-invalid-signature.tsr").read_bytes()
    assert check_token(decode_timestamp_response(broken), chain, b"hello") is not None
    assert check_token(token, [], b"hello") is not None


def test_the_seal_lists_every_evidence_file_for_sha256sum(sealed: Path) -> None:
    seal = _seal(sealed)
    listed = [line.split("  ", 1)[1] for line in (seal / "SHA256SUMS").read_text().splitlines()]
    assert f"{seal.relative_to(sealed).as_posix()}/manifest.json" in listed
    assert any(name.endswith(".warc.gz") for name in listed)
    assert any(name.endswith(".pages.jsonl") for name in listed)
    assert sum(name.startswith("media/") for name in listed) == 4  # two videos, two info.json
    # coreutils checks it without kzarchive
    done = subprocess.run(
        ["sha256sum", "-c", str(seal / "SHA256SUMS")],
        cwd=sealed,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_chain_is_completed_from_the_issuers_address(sealed: Path) -> None:
    # The local TSA's token carries only its own certificate; its CA is at its AIA address.
    seal = _seal(sealed)
    chain = x509.load_pem_x509_certificates(next(seal.glob("*.chain.pem")).read_bytes())
    assert [c.subject.rfc4514_string() for c in chain] == [
        "CN=kzarchive test TSA",
        "CN=kzarchive test TSA root",
    ]
    token = decode_timestamp_response(next(seal.glob("*.tsr")).read_bytes())
    assert len(token.signed_data.certificates) == 1
    assert check_token(token, chain, (seal / "SHA256SUMS").read_bytes()) is None


def test_when_every_authority_fails_the_run_succeeds_and_says_so_once(
    servers: Servers, tmp_path: Path
) -> None:
    assert servers.tsa is not None
    servers.tsa.server.state.fail[:] = [503]  # type: ignore[attr-defined]
    dead_tsa = "http://127.0.0.1:9/"  # nothing listens on the discard port
    result, out = run(
        servers, tmp_path, ["/page/1"], KZARCHIVE_TSA=f"{servers.tsa.base}/ {dead_tsa}"
    )
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("not timestamped") == 2  # the warning and the summary line
    assert "HTTP 503" in result.stderr and "cannot reach it" in result.stderr
    seal = _seal(out)
    assert (seal / "SHA256SUMS").exists() and not list(seal.glob("*.tsr"))


def test_one_authority_is_enough(servers: Servers, tmp_path: Path) -> None:
    assert servers.tsa is not None
    result, out = run(
        servers, tmp_path, ["/page/1"], KZARCHIVE_TSA=f"http://127.0.0.1:9/ {servers.tsa.base}/"
    )
    assert result.exit_code == 0, result.stderr
    assert "not timestamped" not in result.stderr
    assert "timestamped by 1 of 2 authorities" in result.stderr
    assert [p.name for p in _seal(out).glob("*.tsr")] == ["2-127.0.0.1.tsr"]


def test_a_tsa_that_is_not_a_url_is_a_usage_error(servers: Servers, tmp_path: Path) -> None:
    result, _ = run(servers, tmp_path, ["/page/1"], "--tsa", "timestamp.example")
    assert result.exit_code == 2
    assert "a timestamp authority is an http(s) URL" in result.stderr


def test_offline_nothing_is_captured_or_timestamped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from kzarchive.check import dns as net
    from kzarchive.cli import main
    from tests.conftest import ROOT

    monkeypatch.setattr(net, "_lookup", lambda host: net.DnsAnswer("nxdomain"))
    doc = tmp_path / "sources.txt"
    doc.write_bytes((ROOT / "sources.txt").read_bytes())
    result = CliRunner().invoke(
        main,
        ["run", str(doc), "--out", str(tmp_path / "out")],
        env={"KZARCHIVE_WAYBACK_URL": "https://web.archive.org"},
    )
    assert result.exit_code == 3
    assert result.stderr.count("looks offline") == 1
    assert "nothing can be archived or captured" in result.stderr
    assert not (tmp_path / "out" / "evidence").exists()
    import json

    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert {link["evidence"]["error"] for link in manifest["links"]} == {
        "nothing answered (offline)"
    }


def test_every_record_carries_a_base32_payload_digest_warcio_confirms(sealed: Path) -> None:
    from warcio.archiveiterator import ArchiveIterator

    warc = next((sealed / "evidence" / "warc").glob("*.warc.gz"))
    digests = []
    with warc.open("rb") as stream:
        for record in ArchiveIterator(stream, check_digests="raise"):
            record.content_stream().read()
            if said := record.rec_headers.get_header("WARC-Payload-Digest"):
                digests.append(said)
    # WARC 1.1 recommends base32 (what pywb, warcio and the Wayback Machine write and read)
    assert any(d.startswith("sha256:") for d in digests)
    assert all(re.fullmatch(r"(sha1|sha256):[A-Z2-7]+=*", d) for d in digests), digests


def test_a_replayed_token_is_refused_by_its_nonce(tmp_path: Path) -> None:
    import asyncio

    from kzarchive.evidence.seal import timestamp
    from tests.servers.tsa import tsa_server

    seals = [tmp_path / "first", tmp_path / "second"]
    for seal in seals:  # the same bytes twice: only the nonce tells the answers apart
        seal.mkdir()
        (seal / "SHA256SUMS").write_text("0" * 64 + "  evidence/x\n")
    with tsa_server(tmp_path / "tsa") as tsa:
        first = asyncio.run(timestamp(seals[0], [f"{tsa.base}/"]))
        tsa.server.state.replay = True  # type: ignore[attr-defined]
        second = asyncio.run(timestamp(seals[1], [f"{tsa.base}/"]))
    assert first[0].token is not None, first
    assert second[0].token is None and "nonce" in (second[0].error or "")
    assert not list(seals[1].glob("*.tsr"))


def test_the_own_copy_is_judged_as_the_archives_copies_are(sealed: Path) -> None:
    from tests.evidence.conftest import links

    found = {path: link["evidence"]["verdict"] for path, link in links(sealed).items()}
    assert found["/fb-video"] == "login-wall"
    assert found["/gone404"] == "error-page"
    assert found["/with-requisites"] == found["/two-hops"] == "content"
    lines = (sealed / "citations.md").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if "/fb-video>" in line)
    block = []
    for line in lines[start + 1 :]:
        if line.startswith("- <") or line.startswith("#"):
            break
        block.append(line)
    own = [line for line in block if line.lstrip().startswith("- Own copy:")]
    assert len(own) == 1 and "judged: a login wall;" in own[0], block


def test_every_file_of_a_run_is_as_readable_as_the_manifest(sealed: Path) -> None:
    # a shared folder or a web server serving the folder reads them all (umask 022 here)
    modes = {
        p.relative_to(sealed).as_posix(): p.stat().st_mode & 0o777
        for p in sealed.rglob("*")
        if p.is_file() and p.name != ".lock"
    }
    manifest = modes["manifest.json"]
    assert modes["evidence.wacz"] == manifest, modes
    assert {m for m in modes.values()} == {manifest}, modes
