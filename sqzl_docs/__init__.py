"""sqzl_docs: read Chinese government documents on community governance (社区治理), pull out what
they say and promise, and track whether the promises were kept.

>>> doc = parse_text("关于加强社区治理的通知\\n各区县：\\n一、总体要求\\n加强治理。")
>>> doc.structure.title_text, [s.heading.text for s in doc.structure.sections]
('关于加强社区治理的通知', ['一、总体要求'])
"""

from __future__ import annotations

from pathlib import Path

from . import ingest, pipeline
from .errors import IngestError, SqzlError
from .limits import Limits
from .models import Document, Problem, Span
from .version import __version__ as __version__

__all__ = ["Document", "IngestError", "Limits", "Problem", "Span", "SqzlError", "parse", "parse_text"]


def parse(path: str | Path, limits: Limits | None = None) -> Document:
    """Read and analyse one document file; the same record ``sqzl extract`` writes for it.

    Raises :class:`IngestError` when the file cannot be read, and :class:`SqzlError` when it breaks
    one of ``limits`` (by default the size limits only: a time limit applies when ``limits`` is given,
    since it uses the process's ``SIGALRM`` timer in the main thread). A JSON Lines file holds many
    documents: use :func:`sqzl_docs.pipeline.run` for those.
    """
    if Path(path).is_dir():
        raise IngestError(f"{path}: a folder; parse() reads one file: use sqzl_docs.pipeline.run([path]) "
                          "for every document in a folder", code="ingest.is_directory")
    if Path(path).suffix.lower() in (".jsonl", ".ndjson"):
        raise ValueError(f"{path}: a JSON Lines file holds many documents; use sqzl_docs.pipeline.run([path])")
    if limits is None:
        (doc,) = list(ingest.read(path))
        result = pipeline.process_document(doc)  # type: ignore[arg-type]
    else:
        (result,) = pipeline.process_path(str(path), limits=limits)
    if isinstance(result, Problem):
        raise SqzlError(result.reason, code=result.code)
    return result


def parse_text(text: str, name: str | None = None) -> Document:
    """Analyse a string as a document (``name`` is recorded as its source)."""
    result = pipeline.process_document(Document.from_text(text, source=name or "<text>"))
    if isinstance(result, Problem):
        raise SqzlError(result.reason, code=result.code)
    return result
