"""URL clean-up: what belongs to a URL and what belongs to the sentence around it."""

from __future__ import annotations

from pathlib import Path

import pytest

from kzarchive.extract import extract
from kzarchive.extract.urls import clean_url, find_bare_urls, strip_trailing


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://a.org/x.", "https://a.org/x"),
        ("https://a.org/x,", "https://a.org/x"),
        ("https://a.org/x;", "https://a.org/x"),
        ("https://a.org/x:", "https://a.org/x"),
        ("https://a.org/x)", "https://a.org/x"),
        ("https://a.org/x].", "https://a.org/x"),
        ("https://en.wikipedia.org/wiki/Foo_(bar)", "https://en.wikipedia.org/wiki/Foo_(bar)"),
        ("https://en.wikipedia.org/wiki/Foo_(bar)).", "https://en.wikipedia.org/wiki/Foo_(bar)"),
        ("https://a.org/?q=1&r=2#frag", "https://a.org/?q=1&r=2#frag"),
    ],
)
def test_strip_trailing(raw: str, expected: str) -> None:
    assert strip_trailing(raw) == expected


def test_clean_url_undoes_escapes_and_entities() -> None:
    assert clean_url(r"https://a.org/x\_y\\_z?a=1&amp;b=2") == "https://a.org/x_y_z?a=1&b=2"


def test_bare_urls_in_prose() -> None:
    text = "See (https://a.org/p) and https://b.org/q,\nthen <https://c.org/r>.\n\nhttps:// x"
    assert find_bare_urls(text) == [
        ("https://a.org/p", 0),
        ("https://b.org/q", 0),
        ("https://c.org/r", 1),
    ]


def write(tmp_path: Path, text: str, name: str = "doc.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_link_target_wins_over_text(tmp_path: Path) -> None:
    doc = write(tmp_path, "Claim.[^1]\n\n[^1]: [https://shown.org/](https://target.org/real)\n")
    assert [c.url for c in extract(doc).citations] == ["https://target.org/real"]


def test_non_web_schemes_are_not_citations(tmp_path: Path) -> None:
    doc = write(
        tmp_path,
        "Claim.[^1]\n\n[^1]: [mail](mailto:a@b.org), ftp://files.org/x and https://ok.org/\n",
    )
    assert [c.url for c in extract(doc).citations] == ["https://ok.org/"]


def test_an_unusable_url_is_still_cited_and_a_warning_says_its_line(tmp_path: Path) -> None:
    # Every footnote is accounted for: the check gives it verdict error, reason invalid-url
    doc = write(
        tmp_path,
        "Claim.[^1] Other.[^2]\n\n[^1]: https://good.org/\n[^2]: [x](<https://bad host/>) "
        "and http://[::1/\n",
    )
    result = extract(doc)
    assert [(c.footnote, c.url) for c in result.citations] == [
        ("1", "https://good.org/"),
        ("2", "https://bad host/"),
        ("2", "http://[::1/"),
    ]
    assert len(result.warnings) == 2
    assert all(w.startswith("line 4:") for w in result.warnings)


def test_same_url_twice_in_one_note_is_one_citation(tmp_path: Path) -> None:
    doc = write(tmp_path, "A.[^1]\n\n[^1]: https://a.org/ and again <https://a.org/>\n")
    assert len(extract(doc).citations) == 1


def test_non_ascii_url_kept_as_written(tmp_path: Path) -> None:
    doc = write(tmp_path, "A.[^1]\n\n[^1]: <https://пример.рф/путь?q=é>\n")
    assert [c.url for c in extract(doc).citations] == ["https://пример.рф/путь?q=é"]
