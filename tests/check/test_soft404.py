"""The look-alike URLs soft-404 probing asks for, and the URL words a page may echo."""

from __future__ import annotations

import re

from kzarchive.check.soft404 import missing_twin, url_words


def test_a_path_named_page_gets_a_random_path_in_its_section() -> None:
    twin = missing_twin("https://a.org/X/story")
    assert twin is not None and twin.key == "https://a.org/X/" and twin.bare is None
    assert re.fullmatch(r"https://a\.org/X/kzarchive-[0-9a-f]{16}-missing", twin.missing)
    top = missing_twin("https://a.org/story")
    assert top is not None and top.key == "https://a.org/"
    assert re.fullmatch(r"https://a\.org/kzarchive-[0-9a-f]{16}-missing", top.missing)
    assert missing_twin("https://a.org/X/story").missing != twin.missing  # random each time


def test_random_values_are_as_long_as_what_they_replace() -> None:
    short = missing_twin("https://a.org/watch?v=abc12")
    assert short is not None
    assert re.fullmatch(r"https://a\.org/watch\?v=kzarchive[0-9a-f]{8}", short.missing)
    long = missing_twin("https://a.org/watch?v=abcdefghijkl")
    assert long is not None
    assert re.fullmatch(r"https://a\.org/watch\?v=kzarchive[0-9a-f]{12}", long.missing)
    digits = missing_twin("https://a.org/p?id=7")
    assert digits is not None and re.fullmatch(r"https://a\.org/p\?id=\d{12}", digits.missing)


def test_blank_parameters_are_kept_as_they_are() -> None:
    twin = missing_twin("https://a.org/page?id=123456&embed=")
    assert twin is not None
    assert twin.missing.endswith("&embed=") and twin.bare == "https://a.org/page?embed="


def test_url_words_are_the_path_and_the_query_values() -> None:
    assert url_words("https://a.org/p/q?x=1&y=two&z=") == ["/p/q", "1", "two"]
    assert url_words("https://a.org/") == ["/"]
