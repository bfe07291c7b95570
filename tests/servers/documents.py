"""Reports written on the fly for tests and benchmarks: one Markdown footnote per URL."""

from __future__ import annotations

from pathlib import Path


def footnoted_report(path: Path, urls: list[str], dateline: str = "Almaty, 1 June 2020") -> Path:
    """Write a report whose footnote N cites ``urls[N - 1]``, each from its own claim."""
    body = " ".join(f"Claim {n}.[^{n}]" for n in range(1, len(urls) + 1))
    notes = "".join(f"[^{n}]: <{url}>\n" for n, url in enumerate(urls, start=1))
    path.write_text(f"{dateline}\n\n{body}\n\n{notes}", encoding="utf-8")
    return path
