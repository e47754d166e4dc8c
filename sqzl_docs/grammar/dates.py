"""Absolute calendar dates: 2021年11月22日, 2021-11-22, 二〇二一年十一月二十二日, and the damaged
compact forms web scraping leaves at a signature (``2021511`` → 2021-05-11).

>>> parse_date("二〇二一年十一月二十二日")
ParsedDate(value=datetime.date(2021, 11, 22), repaired=False)
>>> parse_date("2021511")
ParsedDate(value=datetime.date(2021, 5, 11), repaired=True)
>>> parse_date("2021111") is None  # 11-1 or 1-11: not certain, not restored
True
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import NamedTuple

from .numerals import CN_DIGITS, to_int
from .scan import matches_at

_CN = f"[{CN_DIGITS}]"
ABSOLUTE_DAY = re.compile(
    rf"(?P<y>(?:19|20)\d\d|{_CN}{{4}})\s*年\s*(?P<m>\d{{1,2}}|{_CN}{{1,2}})\s*月\s*(?P<d>\d{{1,2}}|{_CN}{{1,3}})\s*[日号]"
    r"|(?P<y2>(?:19|20)\d\d)\s*[-/.]\s*(?P<m2>\d{1,2})\s*[-/.]\s*(?P<d2>\d{1,2})(?!\d)"
)
COMPACT = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)(?P<rest>\d{3,4})(?!\d)")
# Any whole date (absolute or compact), without named groups, for searching inside a line.
DATE_TOKEN = re.compile(
    re.sub(r"\(\?P<\w+>", "(?:", ABSOLUTE_DAY.pattern) + "|" + re.sub(r"\(\?P<\w+>", "(?:", COMPACT.pattern))
# Every date token starts with the 1 or 2 of 19xx/20xx or with a Chinese numeral.
_DATE_TOKEN_START = re.compile(rf"[12{CN_DIGITS}]")


def date_tokens(text: str) -> Iterator[re.Match[str]]:
    """``DATE_TOKEN.finditer(text)``, trying the pattern only where a date can start."""
    return matches_at(DATE_TOKEN, text, (m.start() for m in _DATE_TOKEN_START.finditer(text)))


class ParsedDate(NamedTuple):
    value: dt.date
    repaired: bool


def make_date(year: int | None, month: int | None, day: int | None) -> dt.date | None:
    if year is None or month is None or day is None:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str) -> ParsedDate | None:
    """Parse a string that is one whole date; None when it is not (or not certainly) one."""
    text = text.strip()
    m = ABSOLUTE_DAY.fullmatch(text)
    if m:
        if m["y"]:
            value = make_date(to_int(m["y"]), to_int(m["m"]), to_int(m["d"].rstrip("日号")))
        else:
            value = make_date(int(m["y2"]), int(m["m2"]), int(m["d2"]))
        return ParsedDate(value, False) if value else None
    m = COMPACT.fullmatch(text)
    if m:
        value = compact_date(int(m["y"]), m["rest"])
        return ParsedDate(value, True) if value else None
    return None


def compact_date(year: int, rest: str) -> dt.date | None:
    """Read ``MDD``/``MMD``/``MMDD`` after a year when exactly one reading is a real date."""
    readings = set()
    for cut in range(1, len(rest)):
        month, day = rest[:cut], rest[cut:]
        if len(month) > 2 or len(day) > 2 or (len(month) == 2 and month[0] == "0" and len(rest) == 3):
            continue
        value = make_date(year, int(month), int(day))
        if value:
            readings.add(value)
    return readings.pop() if len(readings) == 1 else None
