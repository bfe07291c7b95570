"""Scope and privacy end to end: what reaches the (fake) Wayback Machine, what is fetched at all,
what is printed and written, and the configuration file with its precedence.

Every packet stays on this machine: cited hosts are 127.0.0.1 or names that the tests map to it
(``dns._lookup`` is replaced; no DNS query is sent), and private-range addresses such as
10.1.2.3 are only ever judged by the rules, never connected to (``--exclude-private`` or the
archive rules stop them first, and the tests assert that nothing was attempted).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kzarchive.check import dns
from kzarchive.cli import main
from tests.servers.base import RunningServer
from tests.servers.documents import footnoted_report
from tests.servers.fake_wayback import FakeState, cli_env

PASSWORD = "hunter2"
SIGNATURE = "c2lnbmF0dXJlLXNlY3JldA"


@pytest.fixture
def names(monkeypatch: pytest.MonkeyPatch) -> None:
    """A public-looking name that resolves to 127.0.0.1, and a public one that resolves to a
    public address. That address is only ever judged and handed to the fake Wayback Machine:
    the tests that use it run ``archive``, which never connects to cited hosts."""

    def lookup(host: str) -> dns.DnsAnswer:
        table = {"mirror.example.org": "127.0.0.1", "public.example.org": "93.184.215.14"}
        address = table.get(host.lower())
        return dns.DnsAnswer("ok", (address,)) if address else dns.DnsAnswer("nxdomain")

    monkeypatch.setattr(dns, "_lookup", lookup)


def env(wayback: RunningServer) -> dict[str, str]:
    # These tests decide what is private themselves: no blanket --archive-private.
    return {k: v for k, v in cli_env(wayback).items() if k != "KZARCHIVE_ARCHIVE_PRIVATE"}


PRIVATE_URLS = {
    f"http://alice:{PASSWORD}@files.example.org/share/report.pdf": "credentials-in-url",
    "https://bucket.s3.amazonaws.com/evidence.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256"
    f"&X-Amz-Credential=AKIAEXAMPLE%2F20261127&X-Amz-Signature={SIGNATURE}": "credentials-in-url",
    "http://10.1.2.3/intranet/report": "private-address",
    "http://printer.local/admin": "private-address",
    "https://mirror.example.org/copy": "private-address",
}
PUBLIC = "https://public.example.org/article"


def sent_to_wayback(state: FakeState) -> str:
    return json.dumps([[r.path, r.query, r.form] for r in state.requests])


def test_nothing_private_reaches_the_archive(
    wayback: tuple[RunningServer, FakeState], names: None, tmp_path: Path
) -> None:
    server, state = wayback
    doc = footnoted_report(tmp_path / "report.md", [*PRIVATE_URLS, PUBLIC])
    result = CliRunner().invoke(main, ["archive", str(doc), "--format", "json"], env=env(server))
    assert result.exit_code == 0, result.stderr
    links = {link["url"]: link["archive"] for link in json.loads(result.stdout)["links"]}
    sent = sent_to_wayback(state)
    for url, reason in PRIVATE_URLS.items():
        shown = next(u for u in links if u.split("?")[0].split("@")[-1] in url)
        assert (links[shown]["status"], links[shown]["error"]) == ("skipped", reason)
    for needle in ("files.example.org", "amazonaws", "10.1.2.3", "printer.local", "mirror."):
        assert needle not in sent  # not submitted, not even looked up
    assert links[PUBLIC]["status"] == "saved"
    assert [r.form["url"] for r in state.saves()] == [PUBLIC]
    assert PASSWORD not in result.stdout + result.stderr
    assert SIGNATURE not in result.stdout + result.stderr


def test_archive_private_lets_private_addresses_go_but_never_credentials(
    wayback: tuple[RunningServer, FakeState], names: None, tmp_path: Path
) -> None:
    server, state = wayback
    doc = footnoted_report(tmp_path / "report.md", list(PRIVATE_URLS))
    result = CliRunner().invoke(
        main,
        ["archive", str(doc), "--format", "json", "--archive-private"],
        env=env(server),
    )
    submitted = sorted(r.form["url"] for r in state.saves())
    assert submitted == sorted(
        [
            "http://10.1.2.3/intranet/report",
            "http://printer.local/admin",
            "https://mirror.example.org/copy",
        ]
    )
    assert PASSWORD not in sent_to_wayback(state) and SIGNATURE not in sent_to_wayback(state)
    assert result.exit_code in (0, 1)


def test_no_password_in_any_output_or_file(
    site: RunningServer, wayback: tuple[RunningServer, FakeState], names: None, tmp_path: Path
) -> None:
    server, _ = wayback
    secret_url = f"http://alice:{PASSWORD}@127.0.0.1:{site.port}/ok?token={SIGNATURE}"
    doc = footnoted_report(tmp_path / "report.md", [secret_url, f"{site.base}/ok"])
    out = tmp_path / "archive"
    runner = CliRunner()
    outputs = []
    for args in (
        ["extract", str(doc), "--format", "json"],
        ["extract", str(doc)],
        ["check", str(doc), "--format", "json"],
        ["run", str(doc), "--out", str(out)],
        ["report", str(out / "manifest.json"), "--format", "html"],
        ["report", str(out / "manifest.json"), "--format", "csv"],
    ):
        result = runner.invoke(main, args, env=env(server))
        assert result.exit_code in (0, 1), (args, result.stderr)
        outputs.append(result.stdout + result.stderr)
    files = [p.read_text(encoding="utf-8", errors="replace") for p in out.iterdir() if p.is_file()]
    for text in [*outputs, *files]:
        assert PASSWORD not in text and SIGNATURE not in text
    assert "alice:REDACTED@" in outputs[0]
    # The check itself used the URL as written: the site saw the credentials.
    seen = [r for r in site.server.state.requests if "Authorization" in r[2]]
    assert seen, "the link was checked with its credentials"


def test_keep_secrets_keeps_them_in_the_record_but_never_submits(
    wayback: tuple[RunningServer, FakeState], names: None, tmp_path: Path
) -> None:
    server, state = wayback
    url = f"http://alice:{PASSWORD}@files.example.org/share/report.pdf"
    doc = footnoted_report(tmp_path / "report.md", [url])
    result = CliRunner().invoke(
        main, ["archive", str(doc), "--format", "json", "--keep-secrets"], env=env(server)
    )
    assert json.loads(result.stdout)["links"][0]["url"] == url
    assert state.requests == [] or PASSWORD not in sent_to_wayback(state)
    assert state.saves() == []


def test_exclude_private_connects_to_nothing_private(
    site: RunningServer, names: None, tmp_path: Path
) -> None:
    urls = [f"{site.base}/ok", f"http://mirror.example.org:{site.port}/ok", "http://10.1.2.3/a"]
    doc = footnoted_report(tmp_path / "report.md", urls)
    result = CliRunner().invoke(main, ["check", str(doc), "--format", "json", "--exclude-private"])
    checks = {link["url"]: link["check"] for link in json.loads(result.stdout)["links"]}
    assert {(c["verdict"], c["reason"]) for c in checks.values()} == {
        ("excluded", "private-address")
    }
    assert site.server.state.requests == []  # no connection was attempted
    assert result.exit_code == 0


def test_exclude_and_include_patterns(site: RunningServer, tmp_path: Path) -> None:
    urls = [f"{site.base}/ok", f"{site.base}/gone404", f"{site.base}/moved"]
    doc = footnoted_report(tmp_path / "report.md", urls)
    result = CliRunner().invoke(
        main,
        ["check", str(doc), "--format", "json", "--exclude", "gone", "--include", "/(ok|gone)"],
    )
    checks = {
        link["url"].rsplit("/", 1)[1]: link["check"] for link in json.loads(result.stdout)["links"]
    }
    assert (checks["ok"]["verdict"], checks["gone404"]["reason"], checks["moved"]["reason"]) == (
        "alive",
        "excluded-by-pattern",
        "not-included",
    )
    paths = {r[1] for r in site.server.state.requests}
    assert "/gone404" not in paths and "/moved" not in paths
    assert result.exit_code == 0  # the dead link was excluded: no finding


def test_excluded_links_are_in_the_manifest(
    site: RunningServer, wayback: tuple[RunningServer, FakeState], tmp_path: Path
) -> None:
    server, state = wayback
    doc = footnoted_report(tmp_path / "report.md", [f"{site.base}/ok", f"{site.base}/gone404"])
    out = tmp_path / "archive"
    result = CliRunner().invoke(
        main,
        ["run", str(doc), "--out", str(out), "--exclude", "gone404", "--archive-private"],
        env=env(server),
    )
    assert result.exit_code == 0, result.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    gone = next(link for link in manifest["links"] if link["url"].endswith("gone404"))
    assert (gone["check"]["verdict"], gone["archive"]["status"]) == ("excluded", "excluded")
    assert all("gone404" not in r.form.get("url", "") for r in state.requests)
    assert manifest["summary"]["missing_snapshots"] == 0


def test_config_file_and_precedence(
    site: RunningServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    urls = [f"{site.base}/ok", f"{site.base}/gone404", f"{site.base}/moved"]
    doc = footnoted_report(tmp_path / "report.md", urls)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "kzarchive.toml").write_text('exclude = ["ok$"]\ntimeout = 4\n')

    def excluded(*args: str, **environment: str) -> set[str]:
        result = CliRunner().invoke(
            main, ["check", str(doc), "--format", "json", *args], env=environment
        )
        links = json.loads(result.stdout)["links"]
        return {x["url"].rsplit("/", 1)[1] for x in links if x["check"]["verdict"] == "excluded"}

    assert excluded() == {"ok"}  # the file
    assert excluded(KZARCHIVE_EXCLUDE="moved") == {"moved"}  # the environment over the file
    assert excluded("--exclude", "gone", KZARCHIVE_EXCLUDE="moved") == {"gone404"}  # the command
    shown = CliRunner().invoke(main, ["config", "--format", "json"], env={"KZARCHIVE_TIMEOUT": "9"})
    settings = {s["option"]: s for s in json.loads(shown.stdout)["settings"]}
    assert settings["--exclude"]["source"].endswith("kzarchive.toml:1")
    assert (settings["--timeout"]["value"], settings["--timeout"]["source"]) == (
        "9",
        "environment KZARCHIVE_TIMEOUT",
    )
    assert settings["--per-host"]["source"] == "default"


def test_pyproject_tool_table_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.kzarchive]\nper-host = 2\n'
    )
    shown = CliRunner().invoke(main, ["config", "--format", "json"])
    settings = {s["option"]: s for s in json.loads(shown.stdout)["settings"]}
    assert settings["--per-host"]["value"] == 2
    assert settings["--per-host"]["source"].endswith("pyproject.toml:5")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('timeout = 4\nper-host = "many"\n', "kzarchive.toml:2: per-host:"),
        ("\n\nno-such-option = 1\n", "kzarchive.toml:3: no-such-option: not an option"),
        ('exclude = ["(unclosed"]\n', "kzarchive.toml:1: exclude:"),
        ("timeout = \n", "kzarchive.toml: "),
    ],
    ids=["bad-value", "unknown-key", "bad-regex", "not-toml"],
)
def test_a_bad_config_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "kzarchive.toml").write_text(text)
    result = CliRunner().invoke(main, ["check", "whatever.md"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert "Traceback" not in result.stderr
