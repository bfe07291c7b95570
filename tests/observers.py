"""A progress observer for tests: it keeps every call the code under test makes, in order."""

from __future__ import annotations


class Recorder:
    """Events as tuples (``("started", phase, total)``, ``("advanced", phase, url, outcome)``,
    ``("noted", phase, event)``); outcomes as ``(url, outcome)``; warnings as said."""

    def __init__(self) -> None:
        self.warnings: list[str] = []
        self.outcomes: list[tuple[str, str]] = []
        self.events: list[tuple[object, ...]] = []  # every call, with its phase

    def phase_started(self, phase: str, total: int) -> None:
        self.events.append(("started", phase, total))

    def advanced(self, phase: str, url: str, outcome: str) -> None:
        self.events.append(("advanced", phase, url, outcome))
        self.outcomes.append((url, outcome))

    def noted(self, phase: str, event: str) -> None:
        self.events.append(("noted", phase, event))
        self.outcomes.append(("", event))

    def warn(self, message: str) -> None:
        self.warnings.append(message)
