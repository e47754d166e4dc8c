"""Batch runs: paths → documents or problem records, in input order, for any number of jobs."""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from . import extract, ingest, structure
from .errors import SqzlError
from .models import Document, Problem

DOCUMENT_SUFFIXES = tuple(ingest.SUFFIXES)


def expand(paths: Iterable[str]) -> Iterator[str | Problem]:
    """Files named, files under directories (recursive, sorted) and glob matches; ``-`` is stdin.

    A directory or glob with no documents in it gives a problem record.
    """
    for raw in paths:
        if raw == "-":
            yield raw
            continue
        p = Path(raw)
        if p.is_dir():
            found = sorted(str(f) for f in p.rglob("*") if f.is_file() and f.suffix.lower() in DOCUMENT_SUFFIXES)
        elif p.exists():
            found = [raw]
        elif glob.has_magic(raw):
            found = sorted(f for f in glob.glob(raw, recursive=True) if os.path.isfile(f))
        else:
            found = [raw]  # reading it reports that it does not exist
        if not found:
            yield Problem(source=raw, stage="ingest", code="ingest.no_documents",
                          reason=f"{raw}: no documents ({', '.join(DOCUMENT_SUFFIXES)}) found here")
        yield from found


def process_document(doc: Document) -> Document | Problem:
    """Structure and extraction for one document that has been read."""
    try:
        doc = structure.analyse(doc)
    except Exception as exc:  # a bug in one document's analysis must not stop a batch
        return Problem(source=doc.source, stage="structure", code="structure.failed",
                       reason=f"{type(exc).__name__}: {exc}")
    try:
        return extract.run_all(doc)
    except Exception as exc:
        return Problem(source=doc.source, stage="extract", code="extract.failed",
                       reason=f"{type(exc).__name__}: {exc}")


def process_path(path: str, *, max_bytes: int = ingest.DEFAULT_MAX_BYTES, text_field: str | None = None
                 ) -> list[Document | Problem]:
    """Everything one path yields (a JSON Lines file yields one record per line). Never raises."""
    out: list[Document | Problem] = []
    try:
        for item in ingest.read(path, max_bytes=max_bytes, text_field=text_field):
            out.append(item if isinstance(item, Problem) else process_document(item))
    except SqzlError as exc:
        out.append(Problem(source=path, stage="ingest", code=exc.code, reason=exc.reason))
    except Exception as exc:  # an unexpected reader failure is still a record, not a crash
        out.append(Problem(source=path, stage="ingest", code="ingest.failed",
                           reason=f"{path}: {type(exc).__name__}: {exc}"))
    return out


def process_stdin(data: bytes, *, text_field: str | None = None) -> list[Document | Problem]:
    try:
        if data.lstrip()[:1] == b"{":
            from .ingest import jsonl
            return [item if isinstance(item, Problem) else process_document(item)
                    for item in jsonl.read(data, source="<stdin>", text_field=text_field)]
        return [process_document(ingest.read_bytes(data, source="<stdin>"))]
    except SqzlError as exc:
        return [Problem(source="<stdin>", stage="ingest", code=exc.code, reason=exc.reason)]


def run(paths: Iterable[str], *, jobs: int = 1, max_bytes: int = ingest.DEFAULT_MAX_BYTES,
        text_field: str | None = None) -> Iterator[Document | Problem]:
    """Read and analyse every document under ``paths``; output order is input order for any ``jobs``."""
    items = list(expand(paths))
    files = [i for i in items if isinstance(i, str) and i != "-"]
    results: Iterator[list[Document | Problem]]
    if jobs > 1 and len(files) > 1:
        import functools
        from concurrent.futures import ProcessPoolExecutor

        work = functools.partial(process_path, max_bytes=max_bytes, text_field=text_field)
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            done = pool.map(work, files, chunksize=max(1, min(16, len(files) // (jobs * 4) or 1)))
            yield from _merge(items, done)
        return
    done = (process_path(f, max_bytes=max_bytes, text_field=text_field) for f in files)
    yield from _merge(items, done, text_field=text_field)


def _merge(items: list[str | Problem], done: Iterable[list[Document | Problem]], *,
           text_field: str | None = None) -> Iterator[Document | Problem]:
    results = iter(done)
    for item in items:
        if isinstance(item, Problem):
            yield item
        elif item == "-":
            import sys
            yield from process_stdin(sys.stdin.buffer.read(), text_field=text_field)
        else:
            yield from next(results)
