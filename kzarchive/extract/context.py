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
    f"[.!?…](?:[\"'”’»)]|\\s?{MARK_OPEN}[^{MARK_CLOSE}]*{MARK_CLOSE})*"
    r"\s+(?=[\"'“‘«(\[*]*[A-ZА-ЯЁ0-9])"
)
_SPACE_BEFORE_PUNCT = re.compile(r"\s+(?=[.,;:!?])")
_SPACES = re.compile(r"\s+")
MAX_CONTEXT = 600


_TYPED_REF = re.compile(
    r"\[(\d{1,4})\]|(?<!\w)\^(\d{1,4})\b"
    # Superscript digits as characters ("a claim.¹²"), as word processors' plain-text and PDF
    # exports write them: after punctuation or a word of three letters or more, so that "m²" or
    # "km²" is not taken for a reference
    r"|(?:(?<=[.,;:!?\"'”’»)\]])|(?<=[^\W\d_]{3}))([⁰¹²³⁴⁵⁶⁷⁸⁹]{1,4})(?![⁰¹²³⁴⁵⁶⁷⁸⁹])"
)
_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


def mark_typed_references(text: str) -> str:
    """Put a marker where the text cites a note as ``[5]``, ``^5`` (note-list documents) or
    ``⁵``."""

    def mark(match: re.Match[str]) -> str:
        label = match.group(1) or match.group(2) or match.group(3).translate(_SUPERSCRIPT_DIGITS)
        return marker(label)

    return _TYPED_REF.sub(mark, text)


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
