"""Library messages gathered into the reader's warnings, once each, instead of printed.

PDF libraries log a line for every odd object in a PDF, on stderr, whatever ``--quiet`` says
(pypdf, the reader before PDFium: 1,412 lines for one 117-page report). While a reader runs, loggers
and Python warnings are captured here; the caller gets each distinct message once, with a count,
and at most a few of them.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections import Counter
from collections.abc import Iterator

LIBRARIES = ("pypdfium2", "pypdf", "fontTools", "PIL")
SHOWN = 3


class _Gather(logging.Handler):
    def __init__(self, found: Counter[str]) -> None:
        super().__init__(logging.WARNING)
        self.found = found

    def emit(self, record: logging.LogRecord) -> None:
        self.found[f"{record.name.split('.')[0]}: {record.getMessage()}"] += 1


@contextlib.contextmanager
def gathered(into: list[str], source: str) -> Iterator[None]:
    """Capture library log lines and warnings; append a summary of them to ``into``."""
    found: Counter[str] = Counter()
    handler = _Gather(found)
    loggers = [logging.getLogger(name) for name in LIBRARIES]
    saved = [(logger.propagate, logger.handlers[:]) for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.propagate = False
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
        for warning in caught:
            found[f"{warning.category.__name__}: {warning.message}"] += 1
    finally:
        for logger, (propagate, handlers) in zip(loggers, saved, strict=True):
            logger.handlers[:] = handlers
            logger.propagate = propagate
    if not found:
        return
    shown = [
        f"{message} ({count} times)" if count > 1 else message
        for message, count in found.most_common(SHOWN)
    ]
    more = sum(found.values()) - sum(count for _, count in found.most_common(SHOWN))
    into.append(
        f"{source}: the PDF library reported {sum(found.values())} oddities, read past: "
        + "; ".join(shown)
        + (f"; and {more} more" if more else "")
    )
