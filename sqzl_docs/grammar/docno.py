"""发文字号 grammar: 机关代字〔YYYY〕N号, every bracket variant, and damaged forms.

>>> parse_doc_number("国办发[2018]108号").canonical
'国办发〔2018〕108号'
>>> parse_doc_number("渝府办发201923").canonical, parse_doc_number("渝府办发201923").repaired
('渝府办发〔2019〕23号', True)
"""

from __future__ import annotations

import re
from typing import NamedTuple

_OPEN = "〔\\[【(（﹝［"
_CLOSE = "〕\\]】)）﹞］"
CODE = r"[\u4e00-\u9fff]{1,12}?"
# Well-formed: code, bracketed year, serial, 号.
WELL_FORMED = re.compile(
    rf"(?P<code>{CODE})\s*+[{_OPEN}]\s*+(?P<year>(?:19|20)\d\d)\s*+[{_CLOSE}]\s*+第?\s*+(?P<serial>\d{{1,5}})\s*+号"
)
# Damaged: a bracket lost, or 号 lost, or the year run into the serial.
DAMAGED = re.compile(
    rf"(?P<code>{CODE})\s*+[{_OPEN}]?\s*+(?P<year>(?:19|20)\d\d)\s*+[{_CLOSE}]?\s*+第?\s*+(?P<serial>\d{{1,5}})\s*+号?"
)


class ParsedDocNumber(NamedTuple):
    canonical: str
    issuer_code: str
    year: int
    serial: int
    repaired: bool


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
