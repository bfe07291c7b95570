"""The stderr writer commands get: rich on a terminal, plain lines in a log or a pipe."""

from __future__ import annotations

import pytest

from kzarchive.cli.context import Settings, warn


def test_in_a_pipe_lines_are_written_as_given(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    settings = Settings("https://web.archive.org", quiet=False)
    settings.err.print("changed: https://example.org/a[b]/c: alive → dead")
    warn(settings, ["footnote [2] cites http://h/[x]"])
    settings.err.print("1", "2", sep="-", end="!\n")
    assert capsys.readouterr().err == (
        "changed: https://example.org/a[b]/c: alive → dead\n"
        "warning: footnote [2] cites http://h/[x]\n"
        "1-2!\n"
    )


def test_colour_forced_draws_with_rich(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    settings = Settings("https://web.archive.org", quiet=False)
    warn(settings, ["footnote [2] cites http://h/[x]"])
    settings.err.print("changed: https://example.org/a[b]/c")
    err = capsys.readouterr().err
    assert "\x1b[" in err  # drawn by rich, in colour
    assert "footnote [2] cites http://h/[x]\n" in err
    assert "changed: https://example.org/a[b]/c\n" in err


def test_quiet_writes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings("https://web.archive.org", quiet=True)
    warn(settings, ["slow"])
    settings.err.print("anything")
    assert capsys.readouterr().err == ""
