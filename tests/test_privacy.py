"""The privacy rules as pure functions: no packet is sent by any test here."""

from __future__ import annotations

from pathlib import Path

import pytest

from kzarchive.privacy import (
    SECRET_PARAMETERS,
    credentials_in,
    is_private_ip,
    is_private_name,
    redact,
    withheld,
)


@pytest.mark.parametrize("name", sorted(SECRET_PARAMETERS))
def test_every_listed_parameter_is_a_credential(name: str) -> None:
    url = f"https://files.example.org/report.pdf?lang=en&{name}=S3CR3TVALUE&page=2"
    assert credentials_in(url)
    assert withheld(url) == "credentials-in-url"
    shown = redact(url)
    assert "S3CR3TVALUE" not in shown
    assert shown == f"https://files.example.org/report.pdf?lang=en&{name}=REDACTED&page=2"


@pytest.mark.parametrize(
    "url",
    [
        "http://alice:hunter2@host.example.org/a",
        "https://maps.googleapis.com/maps/api/staticmap?center=Almaty&key=AIzaSyA1",
        "https://d111.cloudfront.net/f.mp4?Policy=eyJTdGF0&Key-Pair-Id=APKA&Signature=x",
        "https://api.example.org/v1?jwt=eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.SflKxwRJSMeKKF2QT4f",
        "https://acct.blob.core.windows.net/c/f.pdf?sv=2022-11-02&se=2026&sr=b&sp=r&sig=abc%3D",
        "https://storage.googleapis.com/b/o?X-Goog-Algorithm=GOOG4&X-Goog-Credential=a&X-Goog-Signature=b",
        "https://b.s3.amazonaws.com/f?X-Amz-Credential=AKIA%2F&X-Amz-Signature=abc&X-Amz-Date=1",
    ],
    ids=["userinfo-password", "google-api-key", "cloudfront", "jwt", "azure-sas", "gcs", "aws"],
)
def test_credentials(url: str) -> None:
    assert withheld(url) == "credentials-in-url"
    assert redact(url) != url and "REDACTED" in redact(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://fidu.it/en/?policy=privacy",  # a page name, without CloudFront's Key-Pair-Id
        "https://example.org/search?key=value",  # key is an API key only on Google's API hosts
        "https://alice@example.org/a",  # a user name alone is no secret
        "https://www.youtube.com/watch?v=NPO7vrFuRWY&t=8s",
        "https://www.facebook.com/permalink.php?story_fbid=1011416409&id=2364618",
    ],
)
def test_not_credentials(url: str) -> None:
    assert not credentials_in(url)
    assert redact(url) == url


def test_redaction_keeps_the_user_and_hides_the_password() -> None:
    assert redact("http://alice:hunter2@host.example.org/x?a=1") == (
        "http://alice:REDACTED@host.example.org/x?a=1"
    )


@pytest.mark.parametrize(
    "address",
    [
        "10.1.2.3",
        "172.16.0.1",
        "172.31.255.254",
        "192.168.1.1",
        "127.0.0.1",
        "127.8.9.10",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # CGNAT
        "100.127.255.254",
        "0.0.0.0",
        "::1",
        "fc00::1",  # unique local
        "fd12:3456::1",
        "fe80::1",  # link local
        "::ffff:10.0.0.1",  # IPv4-mapped
        "[::1]",
    ],
)
def test_private_addresses(address: str) -> None:
    assert is_private_ip(address)
    assert is_private_name(address)


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "172.32.0.1", "100.128.0.1", "193.0.6.139", "2001:4860:4860::8888"]
)
def test_public_addresses(address: str) -> None:
    assert not is_private_ip(address)
    assert not is_private_name(address)


@pytest.mark.parametrize(
    "host",
    [
        "printer.local",
        "wiki.internal",
        "nas.lan",
        "router.home.arpa",
        "intranet",
        "localhost",
        "app.localhost",
        "sharepoint.corp",
    ],
)
def test_names_that_cannot_be_public(host: str) -> None:
    assert is_private_name(host)
    assert withheld(f"http://{host}/admin") == "private-address"


@pytest.mark.parametrize("host", ["fidu.it", "www.hrw.org", "bureau.kz", "xn--e1afmkfd.xn--p1ai"])
def test_public_names(host: str) -> None:
    assert not is_private_name(host)
    assert withheld(f"https://{host}/a") is None


def test_a_public_name_that_resolves_to_a_private_address() -> None:
    assert withheld("https://mirror.example.org/a", ["203.0.113.5", "127.0.0.1"]) == (
        "private-address"
    )
    assert withheld("https://mirror.example.org/a", ["8.8.8.8"]) is None


def test_a_note_citing_several_urls_hides_each_ones_secrets_in_every_citation(
    tmp_path: Path,
) -> None:
    from kzarchive.extract import extract
    from kzarchive.scope import redact_extraction

    doc = tmp_path / "report.md"
    doc.write_text(
        "Text.[^1]\n\n[^1]: See https://example.org/open and "
        "https://files.example.org/r.pdf?X-Amz-Signature=abcdef123456 today.\n"
    )
    citations = redact_extraction(extract(doc)).extraction.citations
    assert len(citations) == 2
    for citation in citations:
        assert citation.note is not None and "abcdef123456" not in citation.note
        assert "X-Amz-Signature=REDACTED" in citation.note


def test_a_secret_in_a_citations_context_sentence_is_hidden_too(tmp_path: Path) -> None:
    from kzarchive.extract import extract
    from kzarchive.scope import redact_extraction

    url = "https://files.example.org/leak.pdf?access_token=S3CR3TVALUE"
    doc = tmp_path / "report.md"
    doc.write_text(f"The file {url} was taken down.[^1]\n\n[^1]: {url}\n", encoding="utf-8")
    cited = redact_extraction(extract(doc)).extraction.citations[0]
    assert cited.context is not None and "S3CR3TVALUE" not in cited.context
    assert "access_token=REDACTED" in cited.context
