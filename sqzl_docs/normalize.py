"""Normalised view of a document's text (规范化文本), with a map back to the source.

Extractors match on the normalised view and report spans in the source text, so every value
can be shown exactly as the document wrote it. The view:

- maps full-width ASCII digits, letters and the symbols ％．／－＋＝＜＞～ to half-width, and other
  compatibility characters through NFKC (㎡ → m2, ﹝ → 〔); CJK punctuation that carries meaning
  (〔〕《》（）、；：，。) is kept as written;
- drops zero-width and control characters;
- collapses a whitespace run to one ``\\n`` when it holds a line break, and otherwise drops it when
  it touches a non-ASCII character (``2021 年`` → ``2021年``) or keeps one space between ASCII words;
- treats a run of two or more ideographic spaces (``　　``, the paragraph indent of scraped pages
  whose line breaks were lost) as a line break when it follows sentence-final punctuation or
  precedes an enumerator (一、, （一）, 1.).

``NormText.to_source[i]`` is the source index of normalised character ``i``; it is monotone and in
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
from bisect import bisect_left
from dataclasses import dataclass

# Full-width punctuation kept as written: it carries meaning in Chinese text.
_KEEP = set("（）〔〕《》〈〉【】「」『』、；：，。！？“”‘’…—·～")
_HALF_WIDTH_SYMBOLS = set("％．／－＋＝＜＞")
_DROP_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}
_ENUMERATOR_AHEAD = re.compile(r"[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d{1,2}[.、．]")
_SENTENCE_END = set("。！？：；:;")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def replace_lone_surrogates(text: str) -> str:
    """Lone surrogates (from ``\\ud800`` escapes in JSON, or a damaged font map) cannot be written
    as UTF-8: each becomes U+FFFD, one character for one, so offsets hold."""
    return _LONE_SURROGATE.sub("\ufffd", text)
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
def _special() -> re.Pattern[str]:
    """Characters the fast path cannot copy unchanged: whitespace, controls and the table."""
    chars = "".join(re.escape(c) for c in _char_table())
    return re.compile(rf"\s+|[{chars}\x00-\x08\x0e-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class NormText:
    """A normalised text and, per character, the index in the source it came from."""

    text: str
    to_source: array  # array('q'): len(text) + 1 entries, the last is len(source)

    def source_range(self, start: int, end: int) -> tuple[int, int]:
        """Map the normalised range [start, end) to the source range it covers."""
        if end <= start:
            pos = self.to_source[start]
            return pos, pos
        return self.to_source[start], self.to_source[end - 1] + 1

    def from_source(self, pos: int) -> int:
        """The first normalised index whose source position is at or after ``pos``."""
        return bisect_left(self.to_source, pos, 0, len(self.text))


@functools.cache
def _ascending() -> array:
    """0, 1, 2 … 65535 as ``array('q')`` (512 KiB): copying a slice of it is much cheaper than
    converting each number of a ``range``."""
    return array("q", range(1 << 16))


def _extend_ascending(to_source: array, start: int, end: int) -> None:
    """Append ``start, start + 1 … end - 1`` to ``to_source``."""
    ascending = _ascending()
    if end <= len(ascending):
        to_source.extend(ascending[start:end])
    else:
        to_source.extend(range(start, end))


def normalize(source: str) -> NormText:
    """Build the normalised view of ``source`` with its offset map."""
    table = _char_table()
    out: list[str] = []
    to_source = array("q")
    pos = 0
    n = len(source)
    for m in _special().finditer(source):
        s, e = m.span()
        if s > pos:
            out.append(source[pos:s])
            _extend_ascending(to_source, pos, s)
        piece = m.group()
        if piece[0].isspace():
            repl = _whitespace(source, s, e, piece)
            if repl:
                out.append(repl)
                to_source.append(s)
        else:
            repl = table.get(piece, "")
            if repl:
                out.append(repl)
                to_source.extend([s] * len(repl))
        pos = e
    if pos < n:
        out.append(source[pos:])
        _extend_ascending(to_source, pos, n)
    to_source.append(n)
    return NormText("".join(out), to_source)


def _whitespace(source: str, s: int, e: int, run: str) -> str:
    """What a whitespace run becomes in the view: '\\n', ' ' or nothing."""
    if any(c in _LINE_BREAKS for c in run):
        return "\n"
    before = source[s - 1] if s > 0 else ""
    after = source[e] if e < len(source) else ""
    if run.count("\u3000") >= 2 and before and after:
        if before in _SENTENCE_END or _ENUMERATOR_AHEAD.match(source, e):
            return "\n"
    if not before or not after:
        return ""
    if _is_wide(before) or _is_wide(after):
        return ""
    return " "
