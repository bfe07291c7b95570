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
