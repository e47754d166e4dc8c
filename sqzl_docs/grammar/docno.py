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
    return re.compile(
        rf"(?P<code>{CODE}{{1,{MAX_CODE}}}?)"
        rf"(?:(?P<open>[{OPEN}])(?P<year>{YEAR})(?P<close>[{CLOSE}])?(?P<di>第)?(?P<serial>[1-9]\d{{0,4}})(?P<hao>号)?"
        rf"|(?<=[{_endings()}])(?P<year2>{YEAR})(?P<serial2>[1-9]\d{{0,3}})(?P<hao2>号)?)"
        r"(?![\d年月日.\-/])"
    )


@functools.cache
def _year_after_code() -> re.Pattern[str]:
    """A year where a number's year can stand: after an opening bracket or a code's last character.
    The look-behind is taken after the year's first digit (the same matches as ``(?<=[…]){YEAR}``),
    so that each alternative opens with a literal, which the engine searches for quickly."""
    before = f"[{OPEN}{_endings()}]"
    return re.compile(rf"(?:1(?<={before}1)9[4-9]|2(?<={before}2)0[0-4])\d")


YEAR_AT = re.compile(YEAR)


def find(text: str) -> Iterator[re.Match[str]]:
    """``pattern().finditer(text)``, starting each search near a four-digit year (a code is at most
    ``MAX_CODE`` characters before its year); a search that finds nothing means there is nothing after
    it. A number's year follows a bracket or the code's last character: the search starts no earlier
    than ``MAX_CODE + 1`` characters before the first such year, and not at all when there is none."""
    found, years = pattern(), _year_after_code()
    pos = 0
    for y in YEAR_AT.finditer(text):
        if y.start() < pos:
            continue
        start = max(pos, y.start() - MAX_CODE - 2)
        after_code = years.search(text, start)
        if after_code is None:
            return
        m = found.search(text, max(start, after_code.start() - MAX_CODE - 1))
        if m is None:
            return
        yield m
        pos = m.end()
