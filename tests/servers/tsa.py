"""A timestamp authority on 127.0.0.1 that answers with OpenSSL's own TSA (``openssl ts -reply``).

Its tokens are made by the maintained implementation the real TSAs' software is measured against,
not by test code: only the certificates are made here (with ``cryptography``). The TSA's
certificate names its CA under "CA issuers" (AIA) at this server's ``/ca.der``, and the token
carries only the TSA's own certificate, as DigiCert's and Sectigo's do: kzarchive has to find
the root itself.
"""

from __future__ import annotations

import datetime
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

from tests.servers.base import RunningServer

OPENSSL = shutil.which("openssl")

CONFIG = """
[ tsa ]
default_tsa = tsa_config1

[ tsa_config1 ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.4146.2.3
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


@dataclass
class TsaState:
    folder: Path
    ca_der: bytes
    requests: int = 0
    fail: list[int] = field(default_factory=list)  # statuses to answer with, first in first out
    replay: bool = False  # answer every request with the last token made (a replay attack)
    last: bytes = b""
    # Answer as ``openssl ts -reply -chain <file>``: the token carries the TSA's certificate and
    # its CA's, in the file's order (the CA first here) rather than in DER SET OF order: the
    # token OpenSSL-based authorities give and rfc3161-client refuses (InvalidSetOrdering).
    chain: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def make_pki(folder: Path, ca_url: str) -> bytes:
    """A CA and a TSA certificate under it (critical EKU timeStamping); the CA's DER."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("kzarchive test TSA root"))
        .issuer_name(_name("kzarchive test TSA root"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    tsa_key = ec.generate_private_key(ec.SECP256R1())
    tsa = (
        x509.CertificateBuilder()
        .subject_name(_name("kzarchive test TSA"))
        .issuer_name(ca.subject)
        .public_key(tsa_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        AuthorityInformationAccessOID.CA_ISSUERS,
                        x509.UniformResourceIdentifier(ca_url),
                    )
                ]
            ),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    (folder / "tsa.pem").write_bytes(tsa.public_bytes(serialization.Encoding.PEM))
    (folder / "tsa.key").write_bytes(
        tsa_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    ca_pem = ca.public_bytes(serialization.Encoding.PEM)
    (folder / "chain.pem").write_bytes(ca_pem + tsa.public_bytes(serialization.Encoding.PEM))
    (folder / "serial").write_text("01\n")
    (folder / "tsa.cnf").write_text(CONFIG.format(dir=folder))
    return ca.public_bytes(serialization.Encoding.DER)


class TsaHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    @property
    def state(self) -> TsaState:
        return self.server.state  # type: ignore[attr-defined, no-any-return]

    def answer(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/ca.der":
            self.answer(200, self.state.ca_der, "application/pkix-cert")
        else:
            self.answer(404, b"not found", "text/plain")

    def do_POST(self) -> None:
        query = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        state = self.state
        with state.lock:
            state.requests += 1
            failure = state.fail.pop(0) if state.fail else None
            if failure is not None:
                self.answer(failure, b"<html>Service Unavailable</html>", "text/html")
                return
            if state.replay and state.last:
                self.answer(200, state.last, "application/timestamp-reply")
                return
            with tempfile.TemporaryDirectory(dir=state.folder) as work:
                request = Path(work) / "q.tsq"
                reply = Path(work) / "r.tsr"
                request.write_bytes(query)
                assert OPENSSL is not None
                done = subprocess.run(
                    [
                        OPENSSL,
                        "ts",
                        "-reply",
                        "-config",
                        str(state.folder / "tsa.cnf"),
                        "-queryfile",
                        str(request),
                        "-out",
                        str(reply),
                        *(["-chain", str(state.folder / "chain.pem")] if state.chain else []),
                    ],
                    capture_output=True,
                    timeout=20,
                    check=False,
                )
                if done.returncode != 0:
                    self.answer(400, done.stderr, "text/plain")
                    return
                body = state.last = reply.read_bytes()
        self.answer(200, body, "application/timestamp-reply")


def tsa_server(folder: Path) -> RunningServer:
    """The timestamp authority, its files in ``folder``; use as a context manager."""
    folder.mkdir(parents=True, exist_ok=True)
    state = TsaState(folder, b"")
    running = RunningServer(TsaHandler, state)
    state.ca_der = make_pki(folder, f"{running.base}/ca.der")
    return running
