"""Finding the body sentence that cites a footnote.

Readers flatten a paragraph to text with a marker where each footnote reference stood; the sentence
holding the marker is the citation's context.
"""

from __future__ import annotations

import re

MARK_OPEN = "\x00"
MARK_CLOSE = "\x01"
_MARK = re.compile(f"{MARK_OPEN}([^{MARK_CLOSE}]*){MARK_CLOSE}")
_SENTENCE_END = re.compile(
    f"[.!?…](?:[\"'”’»)]|{MARK_OPEN}[^{MARK_CLOSE}]*{MARK_CLOSE})*"
    r"\s+(?=[\"'“‘«(\[*]*[A-ZА-ЯЁ0-9])"
)
_SPACE_BEFORE_PUNCT = re.compile(r"\s+(?=[.,;:!?])")
_SPACES = re.compile(r"\s+")
MAX_CONTEXT = 600


_TYPED_REF = re.compile(r"\[(\d{1,4})\]|\^(\d{1,4})\b")


def mark_typed_references(text: str) -> str:
    """Put a marker where the text cites a note as ``[5]`` or ``^5`` (note-list documents)."""
    return _TYPED_REF.sub(lambda m: marker(m.group(1) or m.group(2)), text)


def marker(label: str) -> str:
    """The placeholder a reader puts where footnote ``label`` is referenced."""
    return f"{MARK_OPEN}{label}{MARK_CLOSE}"


def _split(text: str) -> list[str]:
    """Split at sentence ends, keeping a reference that follows the full stop in its sentence."""
    sentences, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        sentences.append(text[start:end])
        start = end
    sentences.append(text[start:])
    return sentences


def sentences_citing(paragraph: str) -> dict[str, str]:
    """Map each footnote label marked in ``paragraph`` to the sentence that holds its marker."""
    found: dict[str, str] = {}
    text = _SPACES.sub(" ", paragraph).strip()
    for sentence in _split(text):
        labels = _MARK.findall(sentence)
        if not labels:
            continue
        clean = _SPACE_BEFORE_PUNCT.sub("", _SPACES.sub(" ", _MARK.sub("", sentence))).strip()
        if len(clean) > MAX_CONTEXT:
            clean = clean[: MAX_CONTEXT - 1].rstrip() + "…"
        for label in labels:
            found.setdefault(label, clean)
    return found
