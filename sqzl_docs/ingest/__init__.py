"""Readers: bytes of a file → :class:`~sqzl_docs.models.Document` (text, blocks, page metadata).

No Chinese-language analysis happens here; that is :mod:`sqzl_docs.structure`'s job. Each reader
returns a :class:`Reading`; :func:`read` dispatches on the suffix and on sniffed magic bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from ..errors import IngestError
from ..limits import DEFAULT, Limits, check_chars
from ..models import Block, Document, MetaField, Problem
from ..normalize import replace_lone_surrogates
SUFFIXES = {".txt": "txt", ".text": "txt", ".html": "html", ".htm": "html", ".shtml": "html",
            ".pdf": "pdf", ".docx": "docx", ".doc": "doc", ".jsonl": "jsonl", ".ndjson": "jsonl"}


OLE = "ole (.doc/.xls)"


@dataclass
class Reading:
    """What a reader made of a file: the text as read and where each part came from."""

    text: str
    blocks: list[Block] = field(default_factory=list)
    metadata: list[MetaField] = field(default_factory=list)
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)


def sniff(data: bytes) -> str | None:
    """The format the bytes declare by their magic number, if any."""
    head = data[:1024].lstrip()
    if data.startswith(b"%PDF") or b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx" if b"word/" in data[:65536] or b"[Content_Types].xml" in data[:65536] else "zip"
    for magic, kind in ((b"\x89PNG", "png"), (b"\xff\xd8\xff", "jpeg"), (b"GIF8", "gif"),
                        (b"\x7fELF", "elf"), (b"\xd0\xcf\x11\xe0", OLE),
                        (b"\x1f\x8b", "gzip"), (b"Rar!", "rar"), (b"7z\xbc\xaf", "7z")):
        if data.startswith(magic):
            return kind
    lowered = head[:512].lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<html" in lowered[:256]:
        return "html"
    return None


def document_from(reading: Reading, *, source: str, data: bytes, reader: str) -> Document:
    """Wrap a reading in a Document with its identity (sha256 of the bytes)."""
    digest = hashlib.sha256(data).hexdigest()
    return Document(
        doc_id=digest[:16], source=source, sha256=digest, reader=reader, encoding=reading.encoding,
        text=replace_lone_surrogates(reading.text), blocks=reading.blocks, metadata=reading.metadata,
        warnings=[Problem(source=source, stage="ingest", code="ingest.warning", reason=w)
                  for w in reading.warnings],
    )


def read(path: str | Path, *, limits: Limits = DEFAULT, text_field: str | None = None
         ) -> Iterator[Document | Problem]:
    """Read one file into documents (one, or one per line for JSON Lines).

    Raises :class:`IngestError` when the file cannot be read at all; a JSON Lines file yields a
    :class:`Problem` for each bad line and goes on.
    """
    path = Path(path)
    source = str(path)
    try:
        info = path.stat()
        check_size(info.st_size, source, limits)
        with open(path, "rb") as f:  # a device or FIFO says its size is 0: read one byte past the limit at most
            data = read_at_most(f, limits.max_bytes + 1 if limits.max_bytes else -1)
    except OSError as exc:
        raise IngestError(f"{source}: cannot read: {exc.strerror or exc}", code="ingest.not_found") from exc
    if limits.max_bytes and len(data) > limits.max_bytes:
        raise IngestError(f"{source}: more than {limits.max_bytes:,} bytes (reading stopped there), over the limit "
                          f"of {limits.max_bytes:,} bytes", code="ingest.too_large")
    kind = SUFFIXES.get(path.suffix.lower())
    if kind == "jsonl":
        from . import jsonl
        yield from jsonl.read(data, source=source, text_field=text_field, limits=limits)
        return
    yield read_bytes(data, source=source, kind=kind, limits=limits)


def read_at_most(f: BinaryIO, size: int) -> bytes:
    """At most ``size`` bytes of a stream (all of it for ``size < 0``), as ``head -c`` reads."""
    if size < 0:
        return f.read()
    parts: list[bytes] = []
    while size > 0:
        chunk = f.read(min(size, 1 << 20))
        if not chunk:
            break
        parts.append(chunk)
        size -= len(chunk)
    return b"".join(parts)


def check_size(size: int, source: str, limits: Limits) -> None:
    """Refuse input of ``size`` bytes over :attr:`Limits.max_bytes` (before it is read, for files)."""
    if limits.max_bytes and size > limits.max_bytes:
        raise IngestError(f"{source}: {size:,} bytes is over the limit of {limits.max_bytes:,} bytes",
                          code="ingest.too_large")


def read_bytes(data: bytes, *, source: str, kind: str | None = None, limits: Limits = DEFAULT) -> Document:
    """Read a file's bytes with the reader for ``kind`` (sniffed when ``None``)."""
    if not data.strip():
        raise IngestError(f"{source}: the file is empty", code="ingest.empty")
    sniffed = sniff(data)
    if kind is None:
        kind = "doc" if sniffed == OLE else sniffed if sniffed in ("pdf", "docx", "html") else "txt"
    if kind == "doc" and sniffed in ("docx", "pdf", "html"):
        kind = sniffed  # a file saved as .docx (or PDF, or a web page) but named .doc
    if kind in ("txt", "html") and sniffed == OLE:
        raise IngestError(f"{source}: the file is an OLE compound file (a Word 97–2003 .doc, or an .xls or .ppt), "
                          "not text: if it is a Word document, name it .doc or convert it to .docx", code="ingest.binary")
    if kind in ("txt", "html") and sniffed not in (None, "html"):
        raise IngestError(f"{source}: the file is {sniffed} data, not text", code="ingest.binary")
    if kind == "pdf" and sniffed != "pdf":
        raise IngestError(f"{source}: not a PDF (no %PDF header)", code="ingest.corrupt_pdf")
    if kind == "docx" and sniffed not in ("docx", "zip"):
        raise IngestError(f"{source}: not a DOCX (not a zip package)", code="ingest.corrupt_docx")
    if kind == "txt":
        from . import txt as module
    elif kind == "html":
        from . import html as module
    elif kind == "pdf":
        from . import pdf as module
    elif kind == "docx":
        from . import docx as module
    elif kind == "doc":
        from . import legacy as module
    else:
        raise IngestError(f"{source}: unsupported file type", code="ingest.unsupported")
    reading = module.read(data, source=source, limits=limits)
    if not reading.text.strip():
        raise IngestError(f"{source}: no text in the file", code="ingest.empty")
    check_chars(reading.text, source, limits)
    return document_from(reading, source=source, data=data, reader=kind)
