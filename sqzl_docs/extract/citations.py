"""Citations — every 《…》 (and nested 〈…〉) that names a document, with the number attached to it.

The number is the 发文字号 in （）/() right after the title, or right after a chain of titles joined
by 和/、/及 (the number then belongs to each), or directly after the title. A short form of a title
already cited (以下简称《审议意见》, a later 《布点规划》) is not a citation of its own.

>>> from sqzl_docs.models import Document
>>> doc = Document.from_text("印发了《关于…的实施意见》和《细化清单》(渝民发〔2020〕27号)")
>>> [(c.title, c.doc_number) for c in extract(doc)]
[('关于…的实施意见', '渝民发〔2020〕27号'), ('细化清单', '渝民发〔2020〕27号')]
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from .. import lexicon
from ..models import Citation, DocNumber, Document
from . import extractor, records

_TITLE = re.compile(r"《\s*([^《》]{1,200}?)\s*》")
_INNER = re.compile(r"〈([^〈〉《》\n]{1,150})〉")
_JOINER = re.compile(r"\s*(?:和|及|与|、|，|,|以及)\s*")
_TRAILING_PAREN = re.compile(r"[（(][^（）()]{0,20}[）)]$")


@functools.cache
def _kinds() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    data = lexicon.load("citations.yaml")
    return tuple(data["document_kinds"]), tuple(data["not_documents"]), tuple(data["short_form_cues"])


_SPACE = re.compile(r"\s")


def names_document(title: str) -> bool:
    """Whether a 《》 title names a document (not a newspaper or a programme)."""
    kinds, media, _ = _kinds()
    core = _SPACE.sub("", title)
    while core.endswith((")", "）")) and _TRAILING_PAREN.search(core) and len(core) > 4:  # (no space left to end it)
        core = _TRAILING_PAREN.sub("", core)
    if core.endswith(media):
        return False
    return core.endswith(kinds)


def _squeeze(s: str) -> str:
    return _SPACE.sub("", s)


@extractor("citations", version=1, requires=("doc_numbers",), data=("citations.yaml",))
def extract(doc: Document) -> Iterator[Citation]:
    """Yield each cited document once, in reading order of its first mention."""
    text = doc.norm.text
    if "《" not in text:
        return  # no title, no citation
    numbers = records(doc, "doc_numbers")
    by_start = {doc.norm.from_source(n.span.start): n for n in numbers}
    titles = [(m.start(), m.end(), m.start(1), m.end(1)) for m in _TITLE.finditer(text)]
    attached = _attach_numbers(text, titles, by_start)
    seen: list[str] = []
    _, _, cues = _kinds()
    for (start, end, inner_start, inner_end), number in zip(titles, attached):
        candidates = [(inner_start, inner_end, number)]
        for inner in _INNER.finditer(text, inner_start, inner_end):
            candidates.append((inner.start(1), inner.end(1), None))
        for k, (s, e, num) in enumerate(candidates):
            source_start, source_end = doc.norm.source_range(s, e)
            title = doc.text[source_start:source_end]  # the span's text, no span made for it
            key = _squeeze(title)
            if not names_document(title) or key in seen:
                continue
            if k == 0 and text[max(0, start - 4):start].endswith(cues):
                continue
            if k == 0 and any(key in earlier and key != earlier for earlier in seen):
                continue  # a short form of a title already cited
            seen.append(key)
            span = doc.source_span(s - 1, e + 1)
            yield Citation(span=span, title=title, doc_number=num.canonical if num else None,
                           doc_number_span=num.span if num else None)


def _attach_numbers(text: str, titles: list[tuple[int, int, int, int]], numbers: dict[int, DocNumber]
                    ) -> list[DocNumber | None]:
    """For each title, the document number written right after it or after its chain of titles."""
    out: list[DocNumber | None] = [None] * len(titles)
    if not numbers:
        return out  # no number to attach (most texts)
    i = 0
    while i < len(titles):
        j = i
        while j + 1 < len(titles) and _JOINER.fullmatch(text, titles[j][1], titles[j + 1][0]):
            j += 1
        number = _number_after(text, titles[j][1], numbers)
        if number is not None:
            for k in range(i, j + 1):
                out[k] = number
        elif j > i:
            for k in range(i, j + 1):
                out[k] = _number_after(text, titles[k][1], numbers)
        i = j + 1
    return out


_BEFORE_NUMBER = re.compile(r"\s*[（(]?\s*(?:文号[:：])?\s*")


def _number_after(text: str, pos: int, numbers: dict[int, DocNumber]) -> DocNumber | None:
    m = _BEFORE_NUMBER.match(text, pos)
    start = m.end() if m else pos
    for offset in range(start, min(start + 2, len(text))):
        if offset in numbers:
            return numbers[offset]
    return None
