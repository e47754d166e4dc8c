"""The end of a document: 落款 (signature and date), closing formula, contacts, 版记 (抄送/印发).

The signature date is read even when damaged (``2021511`` → 2021-05-11, ``repaired``).
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from .. import lexicon
from ..grammar.dates import DATE_TOKEN, ParsedDate, date_tokens, parse_date
from ..grammar.numerals import CN_DIGITS
from .lines import Line

TAIL_LINES = 12


@dataclass
class Tail:
    signature: tuple[int, int] | None = None  # normalised range
    date: tuple[int, int] | None = None
    date_value: ParsedDate | None = None
    formula: tuple[int, int] | None = None
    distribution: tuple[int, int] | None = None
    body_end: int = 0  # normalised position where the body ends
    contacts: list[tuple[str, str, str, int, int]] = field(default_factory=list)  # kind, label, value, start, end


@functools.cache
def _distribution() -> re.Pattern[str]:
    labels = lexicon.structure_cues()["distribution_labels"]
    return re.compile(rf"^({lexicon.alternation(labels)})\s*[:：]")


@functools.cache
def _formula() -> re.Pattern[str]:
    words = lexicon.structure_cues()["closing_formulas"]
    return re.compile(rf"^({lexicon.alternation(words)})[。.！!]?$")


@functools.cache
def _contact() -> re.Pattern[str]:
    cues = lexicon.structure_cues()["contacts"]
    labels = [label for words in cues.values() for label in words]
    label = lexicon.alternation(labels, spaced=True)
    return re.compile(rf"(?P<label>{label})\s*[:：]\s*(?P<value>[^\s,，;；。、]+(?:[ \-－][\d\-－]+)*)")


@functools.cache
def _contact_kinds() -> dict[str, str]:
    return {label.replace(" ", ""): kind for kind, words in lexicon.structure_cues()["contacts"].items()
            for label in words}


@functools.cache
def _label_ends() -> frozenset[str]:
    return frozenset(label[-1] for label in _contact_kinds())


def _may_hold_contact(text: str) -> bool:
    """Whether ``text`` may hold a contact (``_contact``): a colon with the last character of a label
    before it (spaces aside). Found with ``str.find``, quicker than the scan for labels, which is
    made only then."""
    ends = _label_ends()
    for colon in ("：", ":"):
        at = text.find(colon)
        while at >= 0:
            before = at - 1
            while before >= 0 and text[before].isspace():
                before -= 1
            if before >= 0 and text[before] in ends:
                return True
            at = text.find(colon, at + 1)
    return False


_NOTE = re.compile(r"^[（(][^）)]{1,20}[）)]$")  # （此件公开发布）
# Punctuation no organ's name holds: a sentence end (lines.SENTENCE_END), a clause mark or a quote.
_NOT_IN_ORGAN = re.compile(r"[。！？!?，,：:；;“”]")


def _organ_like(text: str) -> bool:
    if len(text) > 40 or _NOT_IN_ORGAN.search(text):
        return False
    endings = lexicon.structure_cues()["organ_endings"]
    parts = re.split(r"\s+", text.strip())
    return all(p.endswith(tuple(endings)) for p in parts if p)


def read_tail(lines: list[Line], skip: set[int], body_start: int, text: str) -> Tail:
    """Find the 落款, closing formula and 版记.

    The document's own 落款 is the first signed date (an organ line and a date line) after the
    head: a forwarding notice or an announcement is signed before the document it carries. A
    date alone on one of the last lines is taken when no signed date is found.
    """
    tail = Tail(body_end=lines[-1].end if lines else 0)
    candidates = [i for i in range(len(lines)) if i not in skip and lines[i].end > body_start]
    if not candidates:
        return tail
    last = candidates[-1]
    for i in candidates[-TAIL_LINES:]:
        if _distribution().match(lines[i].bare):
            tail.distribution = (lines[i].start, lines[last].end)
            last = max([k for k in candidates if k < i], default=i)
            break
    date_at = _dates_at_end(lines)
    block = (_first_signed_date(lines, candidates, text, date_at) or _trailing_date(lines, candidates, last, date_at)
             or _inline_date(lines, candidates, text))
    if block:
        tail.signature, tail.date, tail.date_value, date_line = block
    tail.contacts = _contacts(lines, skip, text)
    content_end = lines[last].end
    inline_tail = block is not None and text[block[1][1]:lines[block[3]].end].strip()
    if block and not inline_tail and all(_closing_matter(lines[k]) for k in candidates if date_line < k <= last):
        content_end = (tail.signature or tail.date)[0]  # type: ignore[index]
        for i in reversed([k for k in candidates if lines[k].start < content_end]):
            if not _contact_line(lines[i], tail.contacts):
                break
            content_end = lines[i].start
    tail.body_end = content_end
    for i in reversed(candidates):
        if lines[i].start >= tail.body_end:
            continue
        if _formula().match(lines[i].bare):
            tail.formula = (lines[i].bare_start, lines[i].end)
        break
    while tail.body_end > 0 and text[tail.body_end - 1] in " \n":
        tail.body_end -= 1
    return tail


_Block = tuple[tuple[int, int] | None, tuple[int, int], ParsedDate, int]
_DateAtEnd = tuple[int, int, ParsedDate]


def _dates_at_end(lines: list[Line]) -> Callable[[int], _DateAtEnd | None]:
    """Line index → the date ending that line (:func:`_date_at_end`), read at most once per line."""
    found: dict[int, _DateAtEnd | None] = {}

    def date_at(i: int) -> _DateAtEnd | None:
        if i not in found:
            found[i] = _date_at_end(lines[i])
        return found[i]
    return date_at


def _first_signed_date(lines: list[Line], candidates: list[int], text: str,
                       date_at: Callable[[int], _DateAtEnd | None]) -> _Block | None:
    for n, i in enumerate(candidates):
        date = date_at(i)
        if date is None:
            continue
        before = text[lines[i].bare_start:date[0]].strip()
        if before:
            return (lines[i].bare_start, lines[i].bare_start + len(before)), date[:2], date[2], i
        above = [k for k in candidates[max(0, n - 2):n]]
        while above and not _organ_like(lines[above[0]].bare):
            above.pop(0)
        if above and all(_organ_like(lines[k].bare) for k in above):
            return (lines[above[0]].bare_start, lines[above[-1]].end), date[:2], date[2], i
    return None


def _trailing_date(lines: list[Line], candidates: list[int], last: int,
                   date_at: Callable[[int], _DateAtEnd | None]) -> _Block | None:
    for i in reversed([k for k in candidates[-TAIL_LINES:] if k <= last]):
        if _closing_matter(lines[i]):
            continue
        date = date_at(i)
        if date is None or lines[i].bare.strip() != text_of(lines[i], date):
            return None
        return None, date[:2], date[2], i
    return None


INLINE_DATE_PLAIN = rf"(?<=[。！!])\s*(?P<date>{DATE_TOKEN.pattern})\s*(?=$|\n|附|网友|您|【)"
INLINE_SIGNED_PLAIN = rf"(?<=[。！!》])\s*(?P<org>[\u4e00-\u9fff]{{2,24}})\s*(?P<date>{DATE_TOKEN.pattern})"


# The same, with a look-ahead that rules a position out before the name is read back to each length: a date
# token starts with 1, 2 or a Chinese numeral (``_DATE_TOKEN_START``) within 24 characters, after two ideographs
# (``\s*[\u4e00-\u9fff]{2,24}?\s*[12…]``, read in one pass: the ideographs up to the first numeral at most;
# test_scanning compares the grammar with the plain one).
_INLINE_SIGNED_AHEAD = INLINE_SIGNED_PLAIN.replace(
    "])", rf"])(?=\s*[\u4e00-\u9fff]{{2}}{lexicon.ideographs_except(CN_DIGITS)}{{0,22}}+\s*[12{CN_DIGITS}])", 1)


def _mark_taken(plain: str) -> re.Pattern[str]:
    """A grammar that opens with a look-behind for a mark (``(?<=[。！!])``), with the mark taken as its
    first character instead: a pattern that opens with a character class is searched for quickly (in C,
    not tried after each mark in turn). Read its matches with :func:`_after_mark`."""
    behind = re.match(r"\(\?<=(\[[^]]+\])\)", plain)
    if behind is None:
        raise ValueError(f"not a grammar that opens with a look-behind for a mark: {plain[:40]}")
    return re.compile(behind[1] + plain[behind.end():])


_INLINE_DATE = _mark_taken(INLINE_DATE_PLAIN)
_INLINE_SIGNED = _mark_taken(_INLINE_SIGNED_AHEAD)


def _after_mark(pattern: re.Pattern[str], text: str, pos: int, endpos: int) -> Iterator[re.Match[str]]:
    """The matches of a grammar made by :func:`_mark_taken`, each of which starts with its mark: one for
    each match that ``finditer(text, pos, endpos)`` of the plain grammar gives (leftmost, non-overlapping),
    which starts right after the mark. The next match's mark may be the last character of the one before,
    as the plain grammar's look-behind may see it."""
    at = max(0, pos - 1)
    while m := pattern.search(text, at, endpos):
        yield m
        at = max(m.end() - 1, m.start() + 1)  # (past the mark, should the grammar take nothing after it)


def _inline_date(lines: list[Line], candidates: list[int], text: str) -> _Block | None:
    """A reply that lost its line breaks: an organ's name and a date after a sentence or title
    (…》王家河街道办事处2019年3月27日), or a date right after the last sentence, before the end, an
    attachment (附：) or the next reply on the page."""
    if not candidates:
        return None
    region_start, region_end = lines[candidates[0]].start, lines[candidates[-1]].end
    for m in _after_mark(_INLINE_SIGNED, text, region_start, region_end):
        parsed = parse_date(m["date"])
        if parsed and _organ_like(m["org"]):
            line = next(i for i in candidates if lines[i].start <= m.start("date") < lines[i].end + 1)
            return (m.start("org"), m.end("org")), (m.start("date"), m.end("date")), parsed, line
    for m in _after_mark(_INLINE_DATE, text, region_start, region_end):
        parsed = parse_date(m["date"])
        if parsed:
            line = next(i for i in candidates if lines[i].start <= m.start("date") < lines[i].end + 1)
            return None, (m.start("date"), m.end("date")), parsed, line
    return None


def text_of(line: Line, date: tuple[int, int, ParsedDate]) -> str:
    return line.text[date[0] - line.start:date[1] - line.start]


_PERSON_DAMAGED = re.compile(r"\s*人\s*[:：].{2,4}")  # 联系人 damaged to 人：
_PERSON_LINE = re.compile(r"\s*人\s*[:：]\s*([\u4e00-\u9fff]{2,4})\s*")
_WHITESPACE = re.compile(r"\s")
_PHONE = re.compile(r"[\d\-－()（） ]{5,}")
_POSTCODE = re.compile(r"\d{6}")
_PERSON = re.compile(r"[\u4e00-\u9fff]{2,4}(同志)?")


def _closing_matter(line: Line) -> bool:
    """Lines that may follow a 落款: notes such as （此件公开发布）, contacts, very short lines."""
    bare = line.bare
    return bool(_NOTE.match(bare) or _may_hold_contact(bare) and _contact().search(bare) or len(bare) <= 1
                or _PERSON_DAMAGED.fullmatch(bare))


def _contact_line(line: Line, contacts: list[tuple[str, str, str, int, int]]) -> bool:
    return any(line.start <= c[3] < line.end for c in contacts)


def _date_at_end(line: Line) -> _DateAtEnd | None:
    """A date that ends the line and is all or the tail of it (signature + date)."""
    bare = line.bare.rstrip()
    if not _may_end_date(bare[-1:]) or _NOT_IN_ORGAN.search(bare):
        return None  # a date token holds none of that punctuation: it would stand in the prefix, no organ
    for m in date_tokens(bare):
        if m.end() != len(bare):
            continue
        prefix = bare[:m.start()].strip()
        if prefix and not _organ_like(prefix):
            return None
        parsed = parse_date(m.group())
        if parsed is None:
            return None
        start = line.bare_start + m.start()
        return start, start + len(m.group()), parsed
    return None


def _may_end_date(ch: str) -> bool:
    """Whether a date token can end with ``ch``: 日 or 号, or a digit (``\\d``: any decimal digit)."""
    return ch in ("日", "号") or ch.isdecimal()


def _contacts(lines: list[Line], skip: set[int], text: str) -> list[tuple[str, str, str, int, int]]:
    found = []
    kinds = _contact_kinds()
    for i, line in enumerate(lines):
        if i in skip or not _may_hold_contact(line.text):
            continue
        for m in _contact().finditer(line.text):
            label = _WHITESPACE.sub("", m["label"])
            kind = kinds[label]
            value = m["value"]
            if kind == "phone" and not _PHONE.fullmatch(value):
                continue
            if kind == "postcode" and not _POSTCODE.fullmatch(value):
                continue
            if kind == "person" and not _PERSON.fullmatch(value):
                continue
            found.append((kind, label, value, line.start + m.start("value"), line.start + m.end("value")))
    if not found:
        return found  # a damaged 联系人 is read only beside another contact
    # 联系人 damaged to 人：NAME beside another contact line
    starts = sorted(c[3] for c in found)
    contact_lines = {i for i, line in enumerate(lines) if _any_within(starts, line.start, line.end)}
    for i, line in enumerate(lines):
        person = _PERSON_LINE.fullmatch(line.text)
        if person and (i - 1 in contact_lines or i + 1 in contact_lines):
            found.append(("person", "人", person[1], line.start + person.start(1), line.start + person.end(1)))
    return sorted(found, key=lambda c: c[3])


def _any_within(starts: list[int], start: int, end: int) -> bool:
    """Whether a position of the sorted ``starts`` lies in [start, end)."""
    at = bisect_left(starts, start)
    return at < len(starts) and starts[at] < end
