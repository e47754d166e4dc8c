"""Scanning a text with a large grammar only where a match can start.

``finditer`` tries a pattern at every position; a grammar whose matches can only start at certain
characters (digits, level words …) is tried there only. The matches are the same, leftmost and
non-overlapping, as ``pattern.finditer(text)`` gives, as long as ``starts`` holds every position where
a match could begin.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator


def matches_at(pattern: re.Pattern[str], text: str, starts: Iterable[int]) -> Iterator[re.Match[str]]:
    """Leftmost, non-overlapping matches of ``pattern`` that begin at one of ``starts`` (ascending)."""
    pos = 0
    for p in starts:
        if p < pos:
            continue
        m = pattern.match(text, p)
        if m and m.end() > m.start():
            yield m
            pos = m.end()
