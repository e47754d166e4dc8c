"""DOCX reader (python-docx): paragraphs and tables in document order, tables as rows of cells.

The package is checked before it is opened: too many zip entries or too many uncompressed bytes
(a zip bomb) is refused, not unpacked.
"""

from __future__ import annotations

import io
import zipfile
import zlib

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
import lxml.etree
from lxml.etree import XMLSyntaxError

from ..errors import IngestError
from ..limits import DEFAULT, Limits
from ..models import Block, MetaField, Span
from . import Reading

_TEXT_TAGS = {"{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t",
              "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}delText"}
_DOCUMENT = "word/document.xml"

def read(data: bytes, *, source: str, limits: Limits = DEFAULT) -> Reading:
    _check_package(data, source, limits)
    _check_text(data, source, limits)
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, XMLSyntaxError, ValueError) as exc:
        raise IngestError(f"{source}: damaged or not a DOCX ({type(exc).__name__}: {exc})",
                          code="ingest.corrupt_docx") from exc
    parts: list[str] = []
    blocks: list[Block] = []
    pos = 0
    paragraph_index = table_index = 0

    def emit(text: str) -> int:
        nonlocal pos
        start = pos
        parts.append(text + "\n")
        pos += len(text) + 1
        return start

    try:
        for item in document.iter_inner_content():
            if isinstance(item, Table):
                for row_index, row in enumerate(item.rows):
                    cells, seen = [], set()
                    for cell in row.cells:
                        if id(cell._tc) in seen:
                            continue
                        seen.add(id(cell._tc))
                        cells.append(" ".join(p.text.strip() for p in cell.paragraphs if p.text.strip()))
                    line = "\t".join(cells)
                    if not line.strip():
                        continue
                    start = emit(line)
                    spans, offset = [], start
                    for cell_text in cells:
                        spans.append(Span(start=offset, end=offset + len(cell_text), text=cell_text))
                        offset += len(cell_text) + 1
                    blocks.append(Block(kind="table_row", start=start, end=start + len(line),
                                        table=table_index, row=row_index, cells=spans))
                table_index += 1
            else:
                text = item.text
                if text.strip():
                    start = emit(text)
                    blocks.append(Block(kind="paragraph", start=start, end=start + len(text),
                                        index=paragraph_index))
                paragraph_index += 1
    except (KeyError, XMLSyntaxError, ValueError, AttributeError) as exc:
        raise IngestError(f"{source}: damaged DOCX content ({type(exc).__name__}: {exc})",
                          code="ingest.corrupt_docx") from exc
    return Reading(text="".join(parts), blocks=blocks, metadata=_properties(document))


def _check_package(data: bytes, source: str, limits: Limits) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise IngestError(f"{source}: damaged or not a DOCX (not a valid zip: {exc})",
                          code="ingest.corrupt_docx") from exc
    if limits.max_zip_entries and len(infos) > limits.max_zip_entries:
        raise IngestError(f"{source}: {len(infos)} zip entries is over the limit of {limits.max_zip_entries}",
                          code="ingest.too_large")
    total = sum(i.file_size for i in infos)
    if limits.max_unzipped_bytes and total > limits.max_unzipped_bytes:
        raise IngestError(f"{source}: unpacks to {total:,} bytes, over the limit of {limits.max_unzipped_bytes:,} "
                          "(a zip bomb?)", code="ingest.too_large")
    if "word/document.xml" not in {i.filename for i in infos}:
        raise IngestError(f"{source}: a zip file without word/document.xml, not a DOCX",
                          code="ingest.corrupt_docx")


class _TooLong(Exception):
    pass


class _TextCounter:
    """A parser target counting the characters of text runs as the XML streams past."""

    def __init__(self, limit: int) -> None:
        self.limit, self.count, self.inside = limit, 0, 0

    def start(self, tag: str, attrib: object) -> None:
        if tag in _TEXT_TAGS:
            self.inside += 1

    def end(self, tag: str) -> None:
        if tag in _TEXT_TAGS:
            self.inside -= 1

    def data(self, text: str) -> None:
        if self.inside:
            self.count += len(text)
            if self.count > self.limit:
                raise _TooLong

    def close(self) -> int:
        return self.count


def _check_text(data: bytes, source: str, limits: Limits) -> None:
    """Refuse a document whose text is over :attr:`Limits.max_chars` while its XML is read in
    pieces, before python-docx builds it (100 MB in one paragraph took 102 s and 1.7 GB). A
    document.xml no longer than the limit in bytes cannot hold more characters, and is not read."""
    if not limits.max_chars:
        return
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        if zf.getinfo(_DOCUMENT).file_size <= limits.max_chars:
            return
        counter = _TextCounter(limits.max_chars)
        parser = lxml.etree.XMLParser(target=counter, huge_tree=True, resolve_entities=False, no_network=True)
        try:
            with zf.open(_DOCUMENT) as f:
                while chunk := f.read(1 << 20):
                    parser.feed(chunk)
            parser.close()
        except _TooLong:
            raise IngestError(f"{source}: over {limits.max_chars:,} characters of text, over the limit of "
                              f"{limits.max_chars:,} (counted while reading)", code="ingest.too_long") from None
        except (XMLSyntaxError, zipfile.BadZipFile, ValueError, OSError, EOFError, zlib.error):
            return  # python-docx says what is damaged


def _properties(document: docx.document.Document) -> list[MetaField]:
    props = document.core_properties
    fields = []
    if props.title:
        fields.append(MetaField(name="title", label="docx:title", value=props.title))
    if props.author:
        fields.append(MetaField(name="author", label="docx:author", value=props.author))
    return fields
