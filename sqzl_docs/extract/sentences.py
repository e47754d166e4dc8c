"""Sentences and item spans of the normalised text, shared by the commitment and progress extractors."""

from __future__ import annotations

import functools
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from operator import attrgetter
from typing import Generic, TypeVar

from .. import lexicon
from ..grammar.enumerators import ITEM_MARKER
from ..models import Document, Section

T = TypeVar("T")
_LEAD_IN = re.compile(r"[^。：:]{2,60}?(?:办理意见|答复如下|回复如下|情况如下|意见如下)[：:]")
_COLON = re.compile(r"[：:]")


@dataclass(frozen=True)
class Sentence:
    start: int  # normalised
    end: int  # without the closing mark
    text: str


_MARKS = "。！？!?\n"


@functools.cache
def _end() -> re.Pattern[str]:
    """Where a sentence ends: 。！？ or a line break, or a break lost between a count and a year (the
    count's unit is matched, the break is after it). One character class first: a quick search."""
    units = "".join(re.escape(u) for u in lexicon.load("commitment_cues.yaml")["lost_break_after_count"])
    return re.compile(rf"[{_MARKS}{units}](?:(?<=[{_MARKS}])|(?<=\d[{units}])(?=(?:19|20)\d\d年))")


def sentences(text: str, start: int, end: int, holding: re.Pattern[str] | None = None) -> Iterator[Sentence]:
    """Sentences of ``text[start:end]``: split at 。！？ and line breaks (and where scraping lost the
    break between a count and the year opening the next sentence), leading item markers and spaces
    stripped, the closing mark left out. With ``holding``, only the sentences whose text before the
    stripping holds a match of it (a quick test of the words a caller looks for: a sentence without
    them is never built)."""
    pos = start
    for m in _end().finditer(text, start, end):
        stop = m.start() if m.group() in _MARKS else m.end()  # else a count's unit before the next year
        if holding is None or holding.search(text, pos, stop):
            yield from _make(text, pos, stop)
        pos = m.end()
    if pos < end and (holding is None or holding.search(text, pos, end)):
        yield from _make(text, pos, end)


def _make(text: str, s: int, e: int) -> Iterator[Sentence]:
    while s < e and text[s] in " \u3000":
        s += 1
    while e > s and text[e - 1] in " \u3000":
        e -= 1
    # Only a marker at the very start of the text is stripped: the ``^``-anchored pattern this kept
    # the output of never matched at a later ``pos`` (issue 15 reports it; stripping every sentence's
    # marker changes progress and commitment spans, a behaviour change left to its own issue).
    m = ITEM_MARKER.match(text, s, e) if s == 0 else None
    if m:
        s = m.end()
    lead = _LEAD_IN.match(text, s, e) if _COLON.search(text, s, e) else None  # a lead-in ends with a colon
    if lead and e - lead.end() >= 6:
        s = lead.end()  # 财政部会同农业部研究提出了办理意见：该问题将…
    if e - s >= 2:
        yield Sentence(s, e, text[s:e])


def all_sections(sections: list[Section]) -> Iterator[Section]:
    for section in sections:
        yield section
        yield from all_sections(section.children)


def norm_range(doc: Document, start: int, end: int) -> tuple[int, int]:
    """A source range in normalised coordinates."""
    return doc.norm.from_source(start), doc.norm.from_source(end)


def strip_marker(text: str) -> str:
    m = ITEM_MARKER.match(text)
    return text[m.end():] if m else text


class Intervals:
    """Sorted, non-overlapping [start, end) ranges; membership by bisection (no scan per query)."""

    def __init__(self, ranges: list[tuple[int, int]]) -> None:
        merged: list[tuple[int, int]] = []
        for s, e in sorted(ranges):
            if merged and s < merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], e))
            else:
                merged.append((s, e))
        self.starts = [s for s, _ in merged]
        self.ends = [e for _, e in merged]

    def contains(self, pos: int) -> bool:
        i = bisect_right(self.starts, pos) - 1
        return i >= 0 and pos < self.ends[i]


_SPAN_START = attrgetter("span.start")


class ByStart(Generic[T]):
    """Records with a span, sorted by start; the ones starting inside a range, by bisection. Sorted
    on the first lookup: most documents ask for none (no commitment, no progress)."""

    def __init__(self, records: list[T]) -> None:
        self._given = records

    @functools.cached_property
    def records(self) -> list[T]:
        return sorted(self._given, key=_SPAN_START)

    @functools.cached_property
    def starts(self) -> list[int]:
        return list(map(_SPAN_START, self.records))

    def within(self, start: int, end: int) -> list[T]:
        starts = self.starts
        return self.records[bisect_left(starts, start):bisect_left(starts, end)]
