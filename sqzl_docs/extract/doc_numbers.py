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
from ..models import DocNumber, Document
from . import extractor


@functools.cache
def _stop() -> re.Pattern[str]:
    words = lexicon.load("doc_numbers.yaml")["stop_words"]
    return re.compile(rf".*(?:{lexicon.alternation(words)})")


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
    return {parsed.canonical for w in written if (parsed := docno.parse_doc_number(w))}


@extractor("doc_numbers", version=2, data=("doc_numbers.yaml",))
def extract(doc: Document) -> Iterator[DocNumber]:
    """Yield every document number in reading order."""
    yield from sorted([*_numbers(doc), *_own_order_number(doc)], key=lambda n: n.span.start)


def _numbers(doc: Document) -> Iterator[DocNumber]:
    text = doc.norm.text
    own: set[str] | None = None  # read once a number is found (most documents have none)
    for m in docno.find(text):
        if own is None:
            own = _own_numbers(doc)
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


def _own_order_number(doc: Document) -> Iterator[DocNumber]:
    """An order's own number in the page's metadata (发文字号：国令第707号): it has no year, so the grammar
    of 机关代字〔年份〕序号 does not find it; cited order numbers in running text are left alone."""
    for f in doc.metadata:
        if f.name == "doc_number" and f.value and f.span and (parsed := docno.parse_order_number(f.value)):
            yield DocNumber(span=f.span, canonical=parsed.canonical, issuer_code=parsed.issuer_code, year=None,
                            serial=parsed.serial, own=True)
