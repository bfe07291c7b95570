"""The rule that a URL broken at a line end goes on at the start of the next line."""

from __future__ import annotations

import pytest

from kzarchive.extract.urls import continues_url


@pytest.mark.parametrize(
    ("url", "token"),
    [
        # broken where URLs are broken: the next line is the rest, whatever it looks like
        ("https://example.org/reports/", "annual"),
        ("https://example.org/a-", "b"),
        ("https://example.org/?q=", "x"),
        # broken anywhere else: the next line goes on only if it looks like a path or a query
        ("https://example.org/world-repo", "rt/2019.html"),
        ("https://example.org/download", ".aspx?symbolno=A"),
        ("https://example.org/a", "b_c"),
    ],
)
def test_a_url_goes_on_at_the_next_line(url: str, token: str) -> None:
    assert continues_url(url, token)


@pytest.mark.parametrize(
    ("url", "token"),
    [
        ("https://example.org/page", "and"),  # a word of the sentence
        ("https://example.org/page.", "The"),  # the sentence ended
        ("https://example.org/page)", "x/y"),
        ("https://example.org/", "«see»"),  # not URL characters
        ("", "path/x"),
    ],
)
def test_a_url_stops_at_the_line_end(url: str, token: str) -> None:
    assert not continues_url(url, token)
