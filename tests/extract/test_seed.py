"""The seed report, the project's first real document: every figure the issue names."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from kzarchive.extract import extract


def test_seed_counts(seed: Path) -> None:
    result = extract(seed)
    assert len(result.footnotes) == 19
    assert result.footnotes == [str(n) for n in range(1, 20)]
    assert len(result.citations) == 23
    assert len(result.links) == 21
    assert result.warnings == ()


def test_seed_notes_with_two_urls(seed: Path) -> None:
    per_note = Counter(c.footnote for c in extract(seed).citations)
    assert {n for n, count in per_note.items() if count == 2} == {"5", "6", "7", "8"}


def test_seed_repeated_urls(seed: Path) -> None:
    links = {link.url: link.footnotes for link in extract(seed).links}
    fidu = "https://fidu.it/en/kazakhstan-report-on-august-2018-human-rights-monitoring-mission/"
    assert links[fidu] == ("4", "10")
    assert links["https://www.facebook.com/lyudmyla.kozlovska/posts/10213792550710424"] == (
        "11",
        "19",
    )


def test_seed_escapes_undone(seed: Path) -> None:
    urls = [c.url for c in extract(seed).citations if c.footnote == "7"]
    assert urls == [
        "https://www.facebook.com/permalink.php?story_fbid=10114164092556794&id=2364618",
        "https://www.facebook.com/permalink.php?story_fbid=10114164095421054&id=2364618",
    ]
    assert all("\\" not in c.url for c in extract(seed).citations)
    note_17 = next(c.url for c in extract(seed).citations if c.footnote == "17")
    assert note_17.endswith("vO1oAP2HW7D_7UiNR8g")


def test_seed_mailto_not_cited(seed: Path) -> None:
    assert not any(
        "odfoundation.eu" in c.url and "mailto" in c.url for c in extract(seed).citations
    )
    assert all(
        c.url.startswith(("http://", "https://")) for c in extract(seed, all_links=True).citations
    )


def test_seed_order_lines_and_context(seed: Path) -> None:
    citations = extract(seed).citations
    assert [c.line for c in citations] == sorted(c.line for c in citations)
    first = citations[0]
    assert (first.footnote, first.line) == ("1", 21)
    assert first.context is not None
    assert first.context.startswith("He began to speak out on the street")
    assert first.context.endswith("Italian Federation for Human Rights.")
    six = next(c for c in citations if c.footnote == "6")
    assert six.context == "The recordings were posted on YouTube."
    assert six.url == "https://www.youtube.com/watch?v=NPO7vrFuRWY&t=8s"


def test_seed_cited_on(seed: Path) -> None:
    assert extract(seed).document.cited_on == date(2019, 2, 22)
