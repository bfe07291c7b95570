"""How the core reports progress without knowing who listens.

Steps call an :class:`Observer`; the CLI passes one that draws rich progress bars, tests pass one
that records, and everything else gets :data:`SILENT`.
"""

from __future__ import annotations

from typing import Protocol


class Observer(Protocol):
    def phase_started(self, phase: str, total: int) -> None:
        """A phase (``check``, ``archive``) is about to handle ``total`` links."""

    def advanced(self, phase: str, url: str, outcome: str) -> None:
        """One link of ``phase`` is done with ``outcome`` (a verdict or an archive status)."""

    def noted(self, phase: str, event: str) -> None:
        """Something happened on the way (a capture ``submitted``) that finishes nothing."""

    def warn(self, message: str) -> None:
        """Something the user should know, said once."""


class SilentObserver:
    def phase_started(self, phase: str, total: int) -> None:
        pass

    def advanced(self, phase: str, url: str, outcome: str) -> None:
        pass

    def noted(self, phase: str, event: str) -> None:
        pass

    def warn(self, message: str) -> None:
        pass


SILENT: Observer = SilentObserver()


class DocumentObserver:
    """One document's progress in a library run: its phases named by the document
    (``reports/a.md: check: 2 links``), and a warning another document's run already gave (the
    Wayback Machine not answering, every timestamp authority failing) not given again."""

    def __init__(self, inner: Observer, document: str, said: set[str]) -> None:
        self.inner = inner
        self.document = document
        self.said = said  # shared by every document of the run

    def phase_started(self, phase: str, total: int) -> None:
        self.inner.phase_started(f"{self.document}: {phase}", total)

    def advanced(self, phase: str, url: str, outcome: str) -> None:
        self.inner.advanced(f"{self.document}: {phase}", url, outcome)

    def noted(self, phase: str, event: str) -> None:
        self.inner.noted(f"{self.document}: {phase}", event)

    def warn(self, message: str) -> None:
        if message not in self.said:
            self.said.add(message)
            self.inner.warn(message)
