"""Scanning a text with a large grammar only where a match can start.

``finditer`` tries a pattern at every position; a grammar whose matches can only start at certain
characters (digits, level words …) is tried there only. The matches are the same, leftmost and
non-overlapping, as ``pattern.finditer(text, 0, endpos)`` gives, as long as ``starts`` holds every
position where a match could begin.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Iterable, Iterator


def matches_at(pattern: re.Pattern[str], text: str, starts: Iterable[int], endpos: int = sys.maxsize
               ) -> Iterator[re.Match[str]]:
    """Leftmost, non-overlapping matches of ``pattern`` that begin at one of ``starts`` (ascending),
    with the text seen as ending at ``endpos``."""
    match = pattern.match
    pos = 0
    for p in starts:
        if p >= pos:
            m = match(text, p, endpos)
            if m is not None and m.end() > p:  # a match from p, not an empty one
                yield m
                pos = m.end()


@functools.cache
def guard(trigger: re.Pattern[str], grammar: re.Pattern[str]) -> re.Pattern[str]:
    """``grammar`` tried only where ``trigger`` matches, the scan left to ``finditer`` (in C, no loop
    over the trigger's matches here): the matches are those of :func:`matches_at` over the trigger's
    starts. ``trigger`` must hold no group, so that ``grammar``'s groups keep their numbers; made
    again for new patterns (data reloaded)."""
    return re.compile(f"(?={trigger.pattern})(?:{grammar.pattern})", grammar.flags)


def starts_after(marks: re.Pattern[str], text: str, pos: int, endpos: int) -> Iterator[int]:
    """The positions from ``pos`` to ``endpos`` right after a character that ``marks`` (a pattern of
    one character) matches: where a grammar opening with a look-behind for it can start."""
    return (m.end() for m in marks.finditer(text, max(0, pos - 1), endpos))


def starts_before(anchors: Iterable[int], reach: int) -> Iterator[int]:
    """The positions from ``reach`` characters before each anchor up to it, in order (``anchors``
    ascending: every position an anchor starts at, overlaps included): where a grammar every match
    of which reaches an anchor within ``reach`` characters of its start can begin."""
    pos = 0  # the first position not yet given (the anchors come in order: no set, no sort)
    for at in anchors:
        yield from range(max(pos, at - reach), at + 1)
        pos = at + 1


def search_holding(pattern: re.Pattern[str], text: str, anchor: str, reach: int | None = None
                   ) -> re.Match[str] | None:
    """``pattern.search(text)`` for a pattern every match of which holds ``anchor`` (starting at most
    ``reach`` characters after the match's start, when given): no search where the anchor is absent,
    and none from before the earliest start a match around its first occurrence could have."""
    at = text.find(anchor)
    if at < 0:
        return None
    return pattern.search(text, 0 if reach is None else max(0, at - reach))


def blank_out(text: str, ranges: Iterable[tuple[int, int]], filler: str = "□") -> str:
    """``text`` with every range [start, end) filled with ``filler`` (one character), same length.

    Built from slices of ``text``: no list of one-character strings, which costs some 80 bytes a
    character for CJK text (each is its own string object)."""
    pieces: list[str] = []
    pos = 0
    length = len(text)
    for start, end in sorted(ranges):
        if start < pos:
            start = pos  # overlapping the range before
        if end > length:
            end = length
        if end > start:
            pieces += (text[pos:start], filler * (end - start))
            pos = end
    if not pieces:
        return text
    pieces.append(text[pos:])
    return "".join(pieces)
