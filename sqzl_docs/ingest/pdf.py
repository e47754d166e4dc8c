"""PDF reader (pdfplumber): text in reading order with page numbers.

Running headers and footers and page numbers (``- 3 -``, ``— 3 —``, ``第3页``) are removed, and
lines broken by the page width are joined back into paragraphs: a line continues into the next
when it runs to the right margin and the next line is not indented. A PDF without a text layer
(a scan) is an error that says OCR is needed, not an empty document.
"""

from __future__ import annotations

import io
import re
import statistics
from collections import Counter
from dataclasses import dataclass

import threading

import pdfplumber
from pdfminer.converter import PDFLayoutAnalyzer
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFPageInterpreter
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.pdftypes import resolve1
from pdfminer.psparser import PSException
from pdfplumber.page import Page
from pdfplumber.utils.exceptions import PdfminerException

from ..errors import IngestError
from ..grammar.enumerators import MARKER
from ..limits import DEFAULT, Limits, checkpoint
from ..models import Block
from . import Reading

_PAGE_NUMBER = re.compile(r"^[\s\-—–－~·]*(第\s*)?\d{1,4}(\s*页)?(\s*[/共]\s*\d{1,4}\s*页?)?[\s\-—–－~·]*$")


@dataclass
class _Line:
    page: int
    text: str
    x0: float
    x1: float
    top: float
    bottom: float


# What one page may cost while it is drawn (a text-stream or form bomb is a few KB of PDF that
# draws millions of characters or operators): see :class:`_Budget`.
MAX_PAGE_CHARS = 100_000
"""Characters one page may draw (a page of 5-point type holds about 20,000)."""
FORM_COST = 1024
"""Content bytes charged for each form (XObject) drawn, on top of its stream's length."""


class _Budget(threading.local):
    """The cost of the page being drawn, counted by hooks in pdfminer's interpreter and device."""

    active = False
    source = ""
    content = chars = doc_chars = 0
    max_content = max_chars = max_doc_chars = 0


_budget = _Budget()
_execute = PDFPageInterpreter.execute
_render_char = PDFLayoutAnalyzer.render_char


def _counted_execute(self: PDFPageInterpreter, streams: object) -> None:
    b = _budget
    if b.active and b.max_content:
        size = FORM_COST
        for obj in streams:  # type: ignore[attr-defined]
            stream = resolve1(obj)
            get_data = getattr(stream, "get_data", None)
            size += len(get_data()) if get_data else 0
        b.content += size
        if b.content > b.max_content:
            raise IngestError(f"{b.source}: a page draws over {b.max_content:,} bytes of content (operators and "
                              "forms), over the limit", code="ingest.too_large")
    _execute(self, streams)  # type: ignore[arg-type]


def _counted_char(self: PDFLayoutAnalyzer, *args: object, **kwargs: object) -> float:
    b = _budget
    if b.active:
        b.chars += 1
        b.doc_chars += 1
        if b.chars > b.max_chars:
            raise IngestError(f"{b.source}: a page draws over {b.max_chars:,} characters, over the limit",
                              code="ingest.too_long")
        if b.max_doc_chars and b.doc_chars > b.max_doc_chars:
            raise IngestError(f"{b.source}: over {b.max_doc_chars:,} characters of text, over the limit",
                              code="ingest.too_long")
    return _render_char(self, *args, **kwargs)  # type: ignore[arg-type]


PDFPageInterpreter.execute = _counted_execute  # type: ignore[method-assign]
PDFLayoutAnalyzer.render_char = _counted_char  # type: ignore[method-assign]


def _inner(exc: PdfminerException) -> object:
    inner = exc.args[0] if exc.args else exc
    if isinstance(inner, IngestError):
        raise inner
    return inner


def read(data: bytes, *, source: str, limits: Limits = DEFAULT) -> Reading:
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except PdfminerException as exc:
        raise _classify(_inner(exc), source) from exc
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError) as exc:
        raise _classify(exc, source) from exc
    try:  # not pdf.close(): it makes an object for every page first, 300,000 if the file says so
        lines, pages, images = _lines(pdf, source, limits)
    except PdfminerException as exc:
        raise _classify(_inner(exc), source) from exc
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise _classify(exc, source) from exc
    finally:
        pdf.flush_cache()
        pdf.stream.close()
    if lines:
        lines = _drop_running_lines(lines, pages)
    if not lines:  # no text at all, or only running headers and page numbers
        if images:
            raise IngestError(f"{source}: {pages} page(s) with images and no text layer (at most a running header "
                              "or page number): a scanned PDF; OCR is needed to read it", code="ingest.no_text_layer")
        raise IngestError(f"{source}: the PDF has {pages} page(s) and no text", code="ingest.empty")
    text, blocks = _paragraphs(lines)
    sparse = _sparse_text(text, pages, images)
    return Reading(text=text, blocks=blocks, warnings=[f"{source}: {sparse}"] if sparse else [])


SPARSE_CHARS_PER_PAGE = 200
"""A page of body text (正文) holds some 500–1,000 characters; far fewer on pages with images means
that most of each page is a picture of text."""


def _sparse_text(text: str, pages: int, images: int) -> str | None:
    """A warning for a PDF that is mostly scanned pages with a line of printed text on each."""
    chars = sum(1 for c in text if not c.isspace())
    if not images or not pages or chars / pages >= SPARSE_CHARS_PER_PAGE:
        return None
    return (f"only {chars / pages:.0f} characters of text per page over {pages} page(s) with {images} image(s): "
            "most of the document is probably scanned images; OCR is needed to read the rest")


def _classify(exc: object, source: str) -> IngestError:
    if isinstance(exc, (PDFPasswordIncorrect, PDFEncryptionError)):
        return IngestError(f"{source}: the PDF is encrypted and needs a password", code="ingest.encrypted_pdf")
    kind = type(exc).__name__
    detail = str(exc) or "no detail"
    return IngestError(f"{source}: damaged or not a PDF ({kind}: {detail})", code="ingest.corrupt_pdf")


def _count_pages(pdf: pdfplumber.PDF, source: str, max_pages: int) -> int:
    """The page count, from the page tree before any page is read: its stated /Count first (one
    object), then the pages themselves, walked no further than one past the limit."""
    too_many = f"{source}: {{}} pages is over the limit of {max_pages}"
    if max_pages:
        stated = resolve1((resolve1(pdf.doc.catalog.get("Pages")) or {}).get("Count"))
        if isinstance(stated, int) and stated > max_pages:
            raise IngestError(too_many.format(f"{stated:,}"), code="ingest.too_large")
    pages = 0
    for _ in PDFPage.create_pages(pdf.doc):
        pages += 1
        if max_pages and pages > max_pages:
            raise IngestError(too_many.format(f"over {max_pages:,}"), code="ingest.too_large")
    return pages


def _lines(pdf: pdfplumber.PDF, source: str, limits: Limits) -> tuple[list[_Line], int, int]:
    pages = _count_pages(pdf, source, limits.max_pages)
    out: list[_Line] = []
    images = 0
    b = _budget
    b.source, b.doc_chars, b.max_doc_chars = source, 0, limits.max_chars
    b.max_content, b.max_chars = limits.max_page_content, MAX_PAGE_CHARS
    doctop = 0.0
    try:
        for number, page_obj in enumerate(PDFPage.create_pages(pdf.doc), start=1):
            checkpoint()
            page = Page(pdf, page_obj, page_number=number, initial_doctop=doctop)
            doctop += float(page.height)
            b.content = b.chars = 0
            b.active = True  # the page is drawn here, on its first use
            images += len(page.images)
            height = float(page.height)
            for ln in page.extract_text_lines(strip=True, return_chars=False):
                text = ln["text"]
                if text.strip():
                    out.append(_Line(number, text, float(ln["x0"]), float(ln["x1"]),
                                     float(ln["top"]) / height, float(ln["bottom"]) / height))
            b.active = False
            page.flush_cache()
    finally:
        b.active = False
    return out, pages, images


def _drop_running_lines(lines: list[_Line], pages: int) -> list[_Line]:
    """Remove page numbers, and header/footer lines that repeat at the same edge on many pages."""
    def edge(ln: _Line) -> str | None:
        if ln.top < 0.1:
            return "top"
        if ln.bottom > 0.9:
            return "bottom"
        return None

    def shape(ln: _Line) -> str:
        return re.sub(r"\d+", "#", re.sub(r"\s+", "", ln.text))

    repeated = Counter((edge(ln), shape(ln)) for ln in lines if edge(ln))
    threshold = max(3, pages // 2 + 1)
    kept = []
    for ln in lines:
        where = edge(ln)
        if where and _PAGE_NUMBER.match(ln.text):
            continue
        if where and pages >= 3 and repeated[(where, shape(ln))] >= threshold:
            continue
        kept.append(ln)
    return kept


def _paragraphs(lines: list[_Line]) -> tuple[str, list[Block]]:
    widths = [(ln.x1 - ln.x0) / len(ln.text.replace(" ", "")) for ln in lines if len(ln.text) >= 10]
    char = statistics.median(widths) if widths else 10.0
    left = Counter(round(ln.x0) for ln in lines).most_common(1)[0][0]
    right = statistics.quantiles([ln.x1 for ln in lines], n=10)[-1] if len(lines) >= 2 else lines[0].x1
    parts: list[str] = []
    blocks: list[Block] = []
    pos = 0
    start = 0
    page = lines[0].page
    for i, ln in enumerate(lines):
        text = ln.text
        parts.append(text)
        pos += len(text)
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if nxt is not None and _continues(ln, nxt, left, right, char):
            if re.match(r"[A-Za-z0-9]", text[-1]) and re.match(r"[A-Za-z0-9]", nxt.text[0]):
                parts.append(" ")
                pos += 1
            continue
        blocks.append(Block(kind="paragraph", start=start, end=pos, page=page, index=len(blocks)))
        if nxt is not None:
            parts.append("\n")
            pos += 1
            start = pos
            page = nxt.page
    return "".join(parts) + "\n", blocks


def _continues(ln: _Line, nxt: _Line, left: float, right: float, char: float) -> bool:
    """Whether ``nxt`` carries on the paragraph of ``ln`` (a line broken by the page width)."""
    if ln.x1 < right - 2.5 * char:  # a short line ends its paragraph
        return False
    if ln.x0 > left + 2.5 * char and ln.x1 - ln.x0 < 0.7 * (right - left):
        return False  # a centred or right-aligned line (title, signature, date) stands alone
    if nxt.x0 > left + 0.8 * char:  # an indented line starts a new one
        return False
    return not MARKER.match(nxt.text.lstrip())
