"""HTML reader for government web pages: the main text, and the page's metadata table.

Navigation, breadcrumbs, font-size widgets, share/print/download links and footers are left out;
the metadata table (索引号, 主题分类, 发布机构, 成文日期, 发布日期, 标题, 发文字号, 有效性 …) is read
into :class:`~sqzl_docs.models.MetaField` records and written as ``label：value`` lines at the top
of the text, so each value has a span.
"""

from __future__ import annotations

import re

import lxml.etree
import lxml.html

from .. import lexicon
from ..errors import IngestError
from ..limits import DEFAULT, Limits
from ..models import Block, MetaField, Span
from . import Reading
from .encoding import canonical_encoding, decode

_DROP_TAGS = ("script", "style", "noscript", "iframe", "nav", "header", "footer", "form", "select",
              "button", "object", "embed", "svg", "head", "input", "textarea")
_BLOCK_TAGS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section",
               "article", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "hr", "center", "tbody", "thead"}
_CONTENT_IDS = re.compile(r"^(UCAP-CONTENT|zoom|Zoom|content|Content|article|TRS_Editor|pages_content|"
                          r"xxgk_content|detail|main-content|mainText|art_con|news_content|conTxt|text)$")
_FURNITURE = re.compile(r"nav|menu|breadcrumb|crumb|position|location|footer|foot|share|print|fontsize|"
                        r"font-size|zoom-btn|toolbar|sidebar|related|relevant|copyright|qrcode|ewm",
                        re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_ASCII_SPACE = re.compile(r"[ \t\r\n\f]+")


def read(data: bytes, *, source: str, limits: Limits = DEFAULT) -> Reading:
    text, encoding = _decode(data, source=source)
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    parser = lxml.html.HTMLParser()
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise IngestError(f"{source}: not a readable HTML page: {exc}", code="ingest.binary") from exc
    for error in parser.error_log:  # libxml2 stops at depth 256, and at a text run of 10,000,000 bytes
        if error.type_name != "ERR_RESOURCE_LIMIT":
            continue
        if "depth" in error.message.lower():
            raise IngestError(f"{source}: elements nest deeper than the HTML parser reads (256); the rest of the page "
                              "would be lost", code="ingest.too_deep")
        raise IngestError(f"{source}: a run of text longer than the HTML parser reads (10,000,000 bytes); the rest "
                          "of the page would be lost", code="ingest.too_long")
    _check_depth(root, source, limits.max_html_depth)
    # In one pass each, in C, keeping tails: not an xpath over the comments (100k comments made one
    # C call of minutes that no timer could stop), nor one removal at a time (each glued the tail to
    # its neighbour's text, quadratic in a run of empty <script></script>).
    lxml.etree.strip_elements(root, lxml.etree.Comment, lxml.etree.ProcessingInstruction, with_tail=False)
    lxml.etree.strip_elements(root, *_DROP_TAGS, with_tail=False)
    fields = _metadata(root)
    content = _content(root)
    out = _Builder()
    metadata: list[MetaField] = []
    for label, name, value in fields:
        start = out.pos
        out.add(f"{label}：")
        vstart = out.pos
        out.add(value)
        metadata.append(MetaField(name=name, label=label, value=value,
                                  span=Span(start=vstart, end=out.pos, text=value)))
        out.blocks.append(Block(kind="metadata", start=start, end=out.pos))
        out.add("\n")
    if fields:
        out.add("\n")
    _render(content, out)
    reading = Reading(text=out.text(), blocks=out.blocks, metadata=metadata, encoding=encoding)
    if content is root or content.tag == "body":
        reading.warnings.append("no main-content element found; the whole page body was read")
    return reading


def _check_depth(root: lxml.etree._Element, source: str, limit: int) -> None:
    """Refuse a page that nests elements deeper than ``limit`` (walked without recursion)."""
    depth = deepest = 0
    for event, _ in lxml.etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    if limit and deepest > limit:
        raise IngestError(f"{source}: elements nest {deepest} deep, over the limit of {limit}", code="ingest.too_deep")


def _decode(data: bytes, *, source: str) -> tuple[str, str]:
    m = _META_CHARSET.search(data[:4096])
    if m:
        name = m.group(1).decode("ascii").lower()
        name = canonical_encoding(name)
        try:
            return data.decode(name).replace("\r\n", "\n"), name
        except (LookupError, UnicodeDecodeError):
            pass
    return decode(data, source=source)


def _clean(s: str) -> str:
    return _ASCII_SPACE.sub(" ", s).strip()


def _metadata(root: lxml.etree._Element) -> list[tuple[str, str, str]]:
    """(label as written, canonical name, value) for each metadata cell pair of the page."""
    labels = lexicon.metadata_labels()
    found: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for cell in root.iter("td", "th", "dt", "li", "span", "b", "strong", "label"):
        raw = _clean(cell.text_content())
        key = re.sub(r"[\s\u3000:：]", "", raw)
        if key not in labels or key in seen or len(raw) > 12:
            continue
        value_el = _next_cell(cell)
        if value_el is None:
            continue
        value = _clean(value_el.text_content())
        if re.sub(r"[\s\u3000:：]", "", value) in labels:
            value = ""
        seen.add(key)
        found.append((key, labels[key], value))
    return found


def _next_cell(cell: lxml.etree._Element) -> lxml.etree._Element | None:
    """The element holding the value of a label cell: the next cell, or the label's parent's next."""
    el = cell
    for _ in range(3):
        nxt = el.getnext()
        if nxt is not None:
            return nxt
        el = el.getparent()
        if el is None or el.tag in ("tr", "table", "ul", "body"):
            return None
    return None


def _content(root: lxml.etree._Element) -> lxml.etree._Element:
    """The element holding the document's main text."""
    for el in root.iter():
        ident = el.get("id") or ""
        classes = (el.get("class") or "").split()
        if _CONTENT_IDS.match(ident) or any(_CONTENT_IDS.match(c) for c in classes):
            if len(_clean(el.text_content())) >= 50:
                return el
    best, best_score = None, 0
    for el in root.iter("div", "td", "article", "section", "main"):
        score = sum(len(_clean(p.text_content())) for p in el if p.tag in ("p", "br", "span", "font"))
        score += len(_clean(el.text or ""))
        if score > best_score:
            best, best_score = el, score
    if best is not None:
        return best
    body = root.find("body")
    return body if body is not None else root


class _Builder:
    """Accumulates text, one line per block element, and records table-row blocks."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.blocks: list[Block] = []
        self.at_line_start = True

    def add(self, s: str) -> None:
        if not s:
            return
        self.parts.append(s)
        self.pos += len(s)
        self.at_line_start = s.endswith("\n")

    def inline(self, s: str | None) -> None:
        if not s:
            return
        s = _ASCII_SPACE.sub(" ", s)
        if self.at_line_start:
            s = s.lstrip(" ")
        self.add(s)

    def newline(self) -> None:
        if not self.parts or self.at_line_start:
            return
        last = self.parts[-1]
        stripped = last.rstrip(" ")
        if stripped != last:
            self.pos -= len(last) - len(stripped)
            self.parts[-1] = stripped
        self.add("\n")

    def text(self) -> str:
        return "".join(self.parts).rstrip("\n") + "\n"


def _render(el: lxml.etree._Element, out: _Builder) -> None:
    for event, node in lxml.etree.iterwalk(el, events=("start", "end")):
        tag = node.tag if isinstance(node.tag, str) else ""
        if event == "start":
            if _is_furniture(node):
                continue
            if tag in _BLOCK_TAGS:
                out.newline()
            if tag in ("td", "th") and node.getprevious() is not None:
                out.add("\t")
            if not _inside_furniture(node, el):
                out.inline(node.text)
        else:
            if tag in _BLOCK_TAGS:
                out.newline()
            if node is not el and not _inside_furniture(node.getparent(), el):
                out.inline(node.tail)


def _is_furniture(node: lxml.etree._Element) -> bool:
    marks = f"{node.get('id') or ''} {node.get('class') or ''}"
    return bool(marks.strip()) and bool(_FURNITURE.search(marks))


def _inside_furniture(node: lxml.etree._Element | None, stop: lxml.etree._Element) -> bool:
    while node is not None and node is not stop:
        if _is_furniture(node):
            return True
        node = node.getparent()
    return False
