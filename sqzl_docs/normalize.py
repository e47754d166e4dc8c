"""Normalised view of a document's text (规范化文本), with a map back to the source.

Extractors match on the normalised view and report spans in the source text, so every value
can be shown exactly as the document wrote it. The view:

- maps full-width ASCII digits, letters and the symbols ％．／－＋＝＜＞～ to half-width, and other
  compatibility characters through NFKC (㎡ → m2, ﹝ → 〔); CJK punctuation that carries meaning
  (〔〕《》（）、；：，。) is kept as written;
- drops zero-width and control characters;
- collapses a whitespace run to one ``\\n`` when it holds a line break, and otherwise drops it when
  it touches a non-ASCII character (``2021 年`` → ``2021年``) or keeps one space between ASCII words;
- treats a run of two or more ideographic or em spaces (``　　``, the paragraph indent of scraped
  pages whose line breaks were lost) as a line break when it follows sentence-final punctuation,
  precedes an enumerator (一、, （一）, 1.), or follows a plain space after a numbered heading
  (``一、2019年工作回顾 　　过去一年``, as in reports exported as one line).

``NormText.to_source[i]`` is the source index of normalised character ``i`` (kept as runs of consecutive
source characters, a few numbers per line rather than one per character); it is monotone and in
range for any input, and ``to_source[len(text)]`` is the source length.

>>> n = normalize("２０２１ 年\\u3000第０８３６号")
>>> n.text
'2021年第0836号'
>>> n.source_range(0, 5)
(0, 6)
"""

from __future__ import annotations

import functools
import re
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from .grammar.enumerators import ITEM_MARKER

# Full-width punctuation kept as written: it carries meaning in Chinese text.
_KEEP = set("（）〔〕《》〈〉【】「」『』、；：，。！？“”‘’…—·～")
_HALF_WIDTH_SYMBOLS = set("％．／－＋＝＜＞")
_DROP_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}
_SENTENCE_END = set("。！？：；:;")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def replace_lone_surrogates(text: str) -> str:
    """Lone surrogates (from ``\\ud800`` escapes in JSON, or a damaged font map) cannot be written
    as UTF-8: each becomes U+FFFD, one character for one, so offsets hold. (Whether there is any is asked
    of the UTF-8 encoder, which refuses them: quicker than a scan for them.)"""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub("\ufffd", text)
    return text
_LINE_BREAKS = set("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def _is_wide(ch: str) -> bool:
    """Not ASCII: CJK text and punctuation, where a space carries no meaning."""
    return ch > "\x7f"


@functools.cache
def _char_table() -> dict[str, str]:
    """Replacement for every BMP character the view changes ('' = drop)."""
    table: dict[str, str] = {}
    for cp in range(0x80, 0x10000):
        ch = chr(cp)
        if ch in _KEEP or ch.isspace():
            continue
        cat = unicodedata.category(ch)
        if cat in _DROP_CATEGORIES:
            table[ch] = ""
            continue
        if 0xFF01 <= cp <= 0xFF5E and not (ch.isalnum() or ch in _HALF_WIDTH_SYMBOLS):
            continue  # full-width punctuation not listed above stays as written
        folded = unicodedata.normalize("NFKC", ch)
        if folded != ch:
            table[ch] = "".join(c for c in folded if not c.isspace()) or ""
    for ch in "\u200b\u200c\u200d\u2060\ufeff":
        table[ch] = ""
    return table


@functools.cache
def _spaces() -> str:
    """The characters ``\\s`` matches (those ``str.isspace`` accepts, all in the BMP)."""
    return "".join(c for c in map(chr, range(0x10000)) if c.isspace())


@functools.cache
def _special() -> re.Pattern[str]:
    """Characters the fast path cannot copy unchanged: a run of whitespace, a control or a character
    of the table (``\\s+|[…]``, written as one character class first, with the rest of a whitespace
    run after it: a pattern that opens with a class is searched for quickly). The spaces are listed in
    the class rather than written ``\\s``: a class of characters only is tested by one table look-up."""
    chars = "".join(re.escape(c) for c in _spaces() + "".join(_char_table()))
    return re.compile(rf"[{chars}\x00-\x08\x0e-\x1f\x7f](?:(?<=\s)\s*)?")


class OffsetMap:
    """``to_source`` as runs: a run is a stretch of the view whose characters come from consecutive
    source characters, so the map costs two numbers per run (where normalisation dropped, merged
    or expanded characters) instead of one per character. Reads like the sequence it stands for:
    ``m[i]``, ``len(m)``, iteration, ``bisect``.
    """

    __slots__ = ("_starts", "_sources", "_length")

    def __init__(self, starts: array, sources: array, length: int) -> None:
        self._starts = starts  # view index where each run begins (ascending, the first is 0)
        self._sources = sources  # source index of the run's first character
        self._length = length

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, i: int) -> int:
        if i < 0:
            i += self._length
        if not 0 <= i < self._length:
            raise IndexError("offset map index out of range")
        k = bisect_right(self._starts, i) - 1
        return self._sources[k] + (i - self._starts[k])

    def __iter__(self) -> Iterator[int]:
        starts, sources = self._starts, self._sources
        for k, first in enumerate(starts):
            stop = starts[k + 1] if k + 1 < len(starts) else self._length
            yield from range(sources[k], sources[k] + stop - first)

    def first_at_or_after(self, pos: int, hi: int) -> int:
        """``bisect_left(self, pos, 0, hi)``: the first index below ``hi`` whose value is ``pos`` or more."""
        k = bisect_left(self._sources, pos)
        if k > 0:  # inside the run before: its values go on rising by one
            before = self._sources[k - 1]
            stop = self._starts[k] if k < len(self._starts) else self._length
            if pos - before < stop - self._starts[k - 1]:
                return min(self._starts[k - 1] + (pos - before), hi)
        return min(self._starts[k], hi) if k < len(self._starts) else hi

    def __reduce__(self) -> tuple:  # type: ignore[type-arg]
        return OffsetMap, (self._starts, self._sources, self._length)


class _Runs:
    """Builds an :class:`OffsetMap` from appended stretches, merging a stretch that goes on from
    the previous one."""

    def __init__(self) -> None:
        self.starts = array("q")
        self.sources = array("q")
        self.length = 0
        self._next_source = -1  # the source index that would continue the last run

    def add(self, source: int, count: int) -> None:
        """``count`` view characters from ``source``, ``source + 1`` …"""
        if count <= 0:
            return
        if source != self._next_source:
            self.starts.append(self.length)
            self.sources.append(source)
        self.length += count
        self._next_source = source + count

    def repeat(self, source: int, count: int) -> None:
        """``count`` view characters that all come from ``source``."""
        self.add(source, 1)
        for _ in range(count - 1):
            self.starts.append(self.length)
            self.sources.append(source)
            self.length += 1

    def build(self) -> OffsetMap:
        return OffsetMap(self.starts, self.sources, self.length)


@dataclass(frozen=True, slots=True)
class NormText:
    """A normalised text and, per character, the index in the source it came from."""

    text: str
    to_source: OffsetMap  # len(text) + 1 entries, the last is len(source)

    def source_range(self, start: int, end: int) -> tuple[int, int]:
        """Map the normalised range [start, end) to the source range it covers."""
        m = self.to_source
        if 0 <= start < m._length and end <= m._length:  # the common case, inline: one bisection
            starts, sources = m._starts, m._sources
            k = bisect_right(starts, start) - 1
            first = sources[k] + (start - starts[k])
            if end <= start:
                return first, first
            end -= 1
            if k + 1 < len(starts) and end >= starts[k + 1]:
                k = bisect_right(starts, end, k + 1) - 1
            return first, sources[k] + (end - starts[k]) + 1
        if end <= start:  # out of range: read as a list would be (negative indexes, IndexError)
            return m[start], m[start]
        return m[start], m[end - 1] + 1

    def from_source(self, pos: int) -> int:
        """The first normalised index whose source position is at or after ``pos``."""
        return self.to_source.first_at_or_after(pos, len(self.text))


def normalize(source: str) -> NormText:
    """Build the normalised view of ``source`` with its offset map."""
    table = _char_table()
    out: list[str] = []
    runs = _Runs()
    pos = 0
    n = len(source)
    for m in _special().finditer(source):
        s, e = m.span()
        if s > pos:
            out.append(source[pos:s])
            runs.add(pos, s - pos)
        piece = m.group()
        if piece[0].isspace():
            repl = _whitespace(source, s, e, piece)
            if repl:
                out.append(repl)
                runs.add(s, 1)
        else:
            repl = table.get(piece, "")
            if repl:
                out.append(repl)
                if len(repl) == 1:
                    runs.add(s, 1)
                else:
                    runs.repeat(s, len(repl))
        pos = e
    if pos < n:
        out.append(source[pos:])
        runs.add(pos, n - pos)
    runs.add(n, 1)
    return NormText("".join(out), runs.build())


def _indent_width(run: str) -> int:
    """Wide spaces in a run: the ideographic space (U+3000) and the em space (U+2003), both used as
    paragraph indents."""
    return run.count("\u3000") + run.count("\u2003")


def _after_heading(source: str, s: int) -> bool:
    """Whether the text before ``s`` (back to the last sentence end) is a numbered heading
    (``一、2019年工作回顾``): a paragraph indent after it ends the heading's line."""
    back = max(0, s - 60)
    cut = max(source.rfind(p, back, s) for p in _SENTENCE_END)
    segment = source[cut + 1 if cut >= 0 else back:s].lstrip(" \t\u3000\u2003")
    return bool(ITEM_MARKER.match(segment))


def _whitespace(source: str, s: int, e: int, run: str) -> str:
    """What a whitespace run becomes in the view: '\\n', ' ' or nothing."""
    if not _LINE_BREAKS.isdisjoint(run):
        return "\n"
    if s == 0 or e == len(source):
        return ""
    before, after = source[s - 1], source[e]
    if _indent_width(run) >= 2:
        if before in _SENTENCE_END or ITEM_MARKER.match(source, e) or run[0] == " " and _after_heading(source, s):
            return "\n"
    if _is_wide(before) or _is_wide(after):
        return ""
    return " "
