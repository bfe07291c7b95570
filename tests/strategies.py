"""Hypothesis helpers shared by the property tests: real inputs damaged the way transfers and
careless tools damage them (bytes flipped, cut, inserted or repeated)."""

from __future__ import annotations

from hypothesis import strategies as st


def mutate(
    data: bytes,
    draw: st.DrawFn,
    *,
    max_edits: int,
    max_cut: int | None,
    inserts: st.SearchStrategy[bytes],
    max_repeat: int,
) -> bytes:
    """``data`` with 1 to ``max_edits`` edits; a cut removes up to ``max_cut`` bytes, or the
    whole rest when ``max_cut`` is None."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, max_edits))):
        if not out:
            break
        where = draw(st.integers(0, len(out) - 1))
        action = draw(st.sampled_from(["flip", "cut", "insert", "repeat"]))
        if action == "flip":
            out[where] = draw(st.integers(0, 255))
        elif action == "cut":
            end = None if max_cut is None else where + draw(st.integers(1, max_cut))
            del out[where:end]
        elif action == "insert":
            out[where:where] = draw(inserts)
        else:
            out[where:where] = out[where : where + draw(st.integers(1, max_repeat))]
    return bytes(out)
