"""发文字号 — document numbers such as 渝民函〔2021〕204号, with every bracket variant and the damaged
forms web scraping leaves (渝府办发201923, 渝民〔202070, 夏民政【20221号), restored only when the
reading is certain (the year is the four digits after the code; the serial the rest).

>>> from sqzl_docs.models import Document
>>> doc = Document.from_text("根据《方案》(渝民〔202070)和国办发[2018]108号文件")
>>> [(r.canonical, r.repaired) for r in extract(doc)]
[('渝民〔2020〕70号', True), ('国办发〔2018〕108号', False)]
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from .. import lexicon
from ..grammar import docno
from ..grammar.docno import parse_doc_number
from ..models import DocNumber, Document
from . import extractor

_OPEN = "〔\\[【(（［"
_CLOSE = "〕\\]】)）］"
_YEAR = r"(?:19[4-9]\d|20[0-4]\d)"


@functools.cache
def _pattern() -> re.Pattern[str]:
    data = lexicon.load("doc_numbers.yaml")
    endings = "".join(data["unbracketed_code_endings"])
    return re.compile(
        rf"(?P<code>[\u4e00-\u9fff]{{1,24}}?)"
        rf"(?:(?P<open>[{_OPEN}])(?P<year>{_YEAR})(?P<close>[{_CLOSE}])?(?P<di>第)?(?P<serial>[1-9]\d{{0,4}})(?P<hao>号)?"
        rf"|(?<=[{endings}])(?P<year2>{_YEAR})(?P<serial2>[1-9]\d{{0,3}})(?P<hao2>号)?)"
        r"(?![\d年月日.\-/])"
    )


@functools.cache
def _year_after_code() -> re.Pattern[str]:
    """A year where a number's year can stand: after an opening bracket or a code's last character."""
    endings = "".join(lexicon.load("doc_numbers.yaml")["unbracketed_code_endings"])
    return re.compile(rf"(?<=[{_OPEN}{endings}]){_YEAR}")


@functools.cache
def _stop() -> re.Pattern[str]:
    words = lexicon.load("doc_numbers.yaml")["stop_words"]
    return re.compile(rf".*(?:{lexicon.alternation(words)})")


_YEAR_AT = re.compile(_YEAR)


def _matches(text: str) -> Iterator[re.Match[str]]:
    """``_pattern().finditer(text)``, starting each search near a four-digit year (an issuer code is at
    most 24 characters before its year); a search that finds nothing means there is nothing after it.
    A number's year follows a bracket or the code's last character: the search starts no earlier than
    25 characters before the first such year, and not at all when there is none."""
    pattern, years = _pattern(), _year_after_code()
    pos = 0
    for y in _YEAR_AT.finditer(text):
        if y.start() < pos:
            continue
        start = max(pos, y.start() - 26)
        after_code = years.search(text, start)
        if after_code is None:
            return
        m = pattern.search(text, max(start, after_code.start() - 25))
        if m is None:
            return
        yield m
        pos = m.end()


def _trim_code(code: str) -> str:
    """Cut the words before the issuer code (根据国办发 → 国办发)."""
    m = _stop().match(code)
    if m and m.end() < len(code):
        code = code[m.end():]
    return code[-lexicon.load("doc_numbers.yaml")["max_code_length"]:]


def _own_numbers(doc: Document) -> set[str]:
    """Canonical forms of the document's own number: metadata 发文字号 and the line under the title."""
    written = [f.value for f in doc.metadata if f.name == "doc_number" and f.value]
    if doc.structure.doc_number_line:
        written.append(doc.structure.doc_number_line.text)
    return {parsed.canonical for w in written if (parsed := parse_doc_number(w))}


@extractor("doc_numbers", version=1, data=("doc_numbers.yaml",))
def extract(doc: Document) -> Iterator[DocNumber]:
    """Yield every document number in reading order."""
    text = doc.norm.text
    own = _own_numbers(doc)
    for m in _matches(text):
        raw_code = m["code"]
        code = _trim_code(raw_code)
        start = m.end("code") - len(code)
        if m["year"]:
            year, serial = int(m["year"]), int(m["serial"])
            damaged = not (m["close"] and m["hao"])
            if not m["close"] and not m["hao"] and len(m["serial"]) > 4:
                continue
        else:
            year, serial = int(m["year2"]), int(m["serial2"])
            damaged = True
        canonical = docno.canonical(code, year, serial)
        yield DocNumber(span=doc.source_span(start, m.end()), canonical=canonical, issuer_code=code, year=year,
                        serial=serial, repaired=damaged, own=canonical in own)
