"""发文字号 grammar: 机关代字〔YYYY〕N号, every bracket variant, and damaged forms — parse and find.

``parse_doc_number`` reads a string that is one whole number (a 发文字号 line, a metadata field);
``find`` scans running text for numbers. Both know the same brackets (``OPEN``/``CLOSE``), years
(``YEAR``, 1940–2049) and issuer codes (``CODE``, Chinese characters); the extractor decides only
what is its own (the document's own number or a cited one, where a code starts in running text).

>>> parse_doc_number("国办发[2018]108号").canonical
'国办发〔2018〕108号'
>>> parse_doc_number("渝府办发201923").canonical, parse_doc_number("渝府办发201923").repaired
('渝府办发〔2019〕23号', True)
>>> [m.group() for m in find("根据渝民〔202070和国办发﹝2018﹞108号")]
['根据渝民〔202070', '和国办发﹝2018﹞108号']
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import NamedTuple

from .. import lexicon

# Every bracket a year is written in: 〔〕 (GB/T 9704), [] 【】 () （） ﹝﹞ ［］.
OPEN = "〔\\[【(（﹝［"
CLOSE = "〕\\]】)）﹞］"
YEAR = r"(?:19[4-9]\d|20[0-4]\d)"
CODE = r"[\u4e00-\u9fff]"
MAX_CODE = 24  # characters of running text before a year that may hold the code (trimmed later)

# A whole string that is a number. Well-formed: code, bracketed year, serial, 号.
WELL_FORMED = re.compile(
    rf"(?P<code>{CODE}{{1,{MAX_CODE}}}?)\s*+[{OPEN}]\s*+(?P<year>{YEAR})\s*+[{CLOSE}]\s*+第?\s*+(?P<serial>\d{{1,5}})\s*+号"
)
# Damaged: a bracket lost, or 号 lost, or the year run into the serial.
DAMAGED = re.compile(
    rf"(?P<code>{CODE}{{1,{MAX_CODE}}}?)\s*+[{OPEN}]?\s*+(?P<year>{YEAR})\s*+[{CLOSE}]?\s*+第?\s*+(?P<serial>\d{{1,5}})\s*+号?"
)


# An order's number (令号), with no year: 国令第707号, 中华人民共和国国务院令第707号, 沪府令第39号.
ORDER = re.compile(rf"(?P<code>{CODE}{{1,12}}?令)\s*+第?\s*+(?P<serial>[1-9]\d{{0,4}})\s*+号")


class ParsedDocNumber(NamedTuple):
    canonical: str
    issuer_code: str
    year: int | None
    serial: int
    repaired: bool


def parse_order_number(text: str) -> ParsedDocNumber | None:
    """Parse a string that is one whole order number (国令第707号 → 国令第707号, year None)."""
    m = ORDER.fullmatch(re.sub(r"\s+", "", text))
    if not m:
        return None
    return ParsedDocNumber(f"{m['code']}第{int(m['serial'])}号", m["code"], None, int(m["serial"]), False)


def canonical(code: str, year: int, serial: int) -> str:
    return f"{code}〔{year}〕{serial}号"


def parse_doc_number(text: str) -> ParsedDocNumber | None:
    """Parse a string that is one whole document number (well-formed or certainly repairable)."""
    text = re.sub(r"\s+", "", text)
    m = WELL_FORMED.fullmatch(text)
    repaired = False
    if not m:
        m = DAMAGED.fullmatch(text)
        repaired = True
        if not m or not m["serial"] or int(m["serial"]) == 0:
            return None
    serial = int(m["serial"])
    if serial == 0:
        return None
    return ParsedDocNumber(canonical(m["code"], int(m["year"]), serial), m["code"], int(m["year"]), serial, repaired)


def _endings() -> str:
    """Characters an issuer code ends with when the brackets around the year are lost (data)."""
    return "".join(lexicon.load("doc_numbers.yaml")["unbracketed_code_endings"])


@functools.cache
def pattern() -> re.Pattern[str]:
    """A number in running text: up to ``MAX_CODE`` characters before it (the code, and maybe words
    before the code), then a bracketed year or a year right after a code's last character."""
    return re.compile(rf"(?P<code>{CODE}{{1,{MAX_CODE}}}?){_after_code_pattern()}")


def _after_code_pattern() -> str:
    """What follows a number's code: a bracketed year and a serial, or (no bracket) a year right after
    a code's last character and a serial."""
    return (rf"(?:(?P<open>[{OPEN}])(?P<year>{YEAR})(?P<close>[{CLOSE}])?(?P<di>第)?"
            rf"(?P<serial>[1-9]\d{{0,4}})(?P<hao>号)?"
            rf"|(?<=[{_endings()}])(?P<year2>{YEAR})(?P<serial2>[1-9]\d{{0,3}})(?P<hao2>号)?)"
            r"(?![\d年月日.\-/])")


@functools.cache
def _after_code() -> re.Pattern[str]:
    """:func:`pattern` less its code: whether a number's code can end at a position."""
    return re.compile(_after_code_pattern())


@functools.cache
def _year_after_code() -> re.Pattern[str]:
    """A year where a number's year can stand: after an opening bracket or a code's last character.
    The look-behind is taken after the year's first digit (the same matches as ``(?<=[…]){YEAR}``),
    so that each alternative opens with a literal, which the engine searches for quickly."""
    before = f"[{OPEN}{_endings()}]"
    return re.compile(rf"(?:1(?<={before}1)9[4-9]|2(?<={before}2)0[0-4])\d")


YEAR_AT = re.compile(YEAR)
_OPENING = frozenset(OPEN.replace("\\", ""))


def _is_code(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff"  # CODE


def find(text: str) -> Iterator[re.Match[str]]:
    """``pattern().finditer(text)``, the grammar matched only where a number starts. A number's code
    ends where a year follows a bracket (the bracket's position) or a code's last character (the
    year's), and what follows the code (:func:`_after_code`) does not depend on where the code starts:
    the first such end, in order, that the code characters before it reach from the end of the last
    number (at most ``MAX_CODE`` of them) gives the leftmost number, which starts as far back as they
    reach (the lazy code stops at the first end that fits, which is this one or an earlier one)."""
    found, after_code = pattern(), _after_code()
    pos = 0
    for year in _year_after_code().finditer(text):
        at = year.start()
        code_end = at - 1 if text[at - 1] in _OPENING else at
        if code_end <= pos or not after_code.match(text, code_end):
            continue
        start, reach = code_end, max(pos, code_end - MAX_CODE)
        while start > reach and _is_code(text[start - 1]):
            start -= 1
        if start == code_end:
            continue  # no code before it
        m = found.match(text, start)
        if m is None:  # cannot happen: the code reaches an end after which the rest matches
            raise AssertionError(f"document number at {start} not matched")
        yield m
        pos = m.end()
