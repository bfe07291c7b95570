"""Scoring a reader against documents with known citations (``../shared/corpus/real-reports/``).

The corpus README gives the truth format: ``expected`` (footnote, URL) pairs, ``optional`` pairs
that are right either way, and ``optional_any_label`` URLs fine under any label. Recall is
matched / expected; precision is matched / (matched + reported pairs that are none of those).
Shared by ``bench/extract.py`` (which prints the figures) and the tests (which lock them in).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SHARED = ROOT.parent / "shared"
REAL_REPORTS = SHARED / "corpus" / "real-reports"

Pair = tuple[str, str]


@dataclass(frozen=True)
class Score:
    """One document's figures, with what was missed and what was wrong, for reading."""

    name: str
    expected: int
    matched: int
    wrong: int
    missed: tuple[Pair, ...] = field(default=())
    extra: tuple[Pair, ...] = field(default=())

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        reported = self.matched + self.wrong
        return self.matched / reported if reported else 1.0


def documents(folder: Path = REAL_REPORTS) -> list[Path]:
    """The corpus documents that have a truth file, by name."""
    return sorted(p for p in folder.glob("*") if Path(f"{p}.truth.json").is_file())


def truth(document: Path) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(
        Path(f"{document}.truth.json").read_text(encoding="utf-8")
    )
    return loaded


def _pairs(items: object) -> list[Pair]:
    assert isinstance(items, list)
    return [(str(item["footnote"]), str(item["url"])) for item in items]


def _urls(items: object) -> set[str]:
    assert isinstance(items, list)
    return {str(item["url"]) if isinstance(item, dict) else str(item) for item in items}


def score(name: str, found: Iterable[Pair], expected_truth: dict[str, object]) -> Score:
    """Compare the multiset of (footnote, URL) pairs found with the truth."""
    expected = Counter(_pairs(expected_truth["expected"]))
    optional = set(_pairs(expected_truth.get("optional", [])))
    any_label = _urls(expected_truth.get("optional_any_label", []))
    reported = Counter(found)
    matched = expected & reported
    extra = [
        pair
        for pair in (reported - matched).elements()
        if pair not in optional and pair[1] not in any_label
    ]
    return Score(
        name,
        expected=sum(expected.values()),
        matched=sum(matched.values()),
        wrong=len(extra),
        missed=tuple(sorted((expected - matched).elements())),
        extra=tuple(sorted(extra)),
    )


def overall(scores: list[Score]) -> Score:
    """The figures over every document's pairs together."""
    return Score(
        "overall",
        expected=sum(s.expected for s in scores),
        matched=sum(s.matched for s in scores),
        wrong=sum(s.wrong for s in scores),
    )
