"""Extractors: pure generators over a Document, each yielding typed records with spans.

The registry is a dict of name → (version, function); :func:`run_all` fills a document's record
lists in dependency order. Extractors match on ``doc.norm.text`` and map back with
``doc.source_span``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ..models import Document

Extractor = Callable[[Document], Iterator[Any]]
REGISTRY: dict[str, tuple[int, Extractor]] = {}


def extractor(name: str, version: int) -> Callable[[Extractor], Extractor]:
    def register(fn: Extractor) -> Extractor:
        REGISTRY[name] = (version, fn)
        return fn
    return register


# Order matters: later extractors read the records of earlier ones.
ORDER = ("doc_numbers", "citations", "dates", "metrics", "departments", "header", "commitments", "progress")


def run_all(doc: Document) -> Document:
    """The document with every extractor's records filled in."""
    from . import citations, commitments, dates, departments, doc_numbers, header, metrics, progress  # noqa: F401

    doc = doc.model_copy(update={"extractors": dict(doc.extractors)})  # this run's own copy
    for name in ORDER:
        version, fn = REGISTRY[name]
        records = list(fn(doc))
        _fill(doc, **({"header": records[0] if records else None} if name == "header" else {name: records}))
        doc.extractors[name] = version
    return doc


def _fill(doc: Document, **fields: Any) -> None:
    """Set fields of a document that only :func:`run_all` holds, as ``model_copy(update=…)`` sets
    them on a copy: without a new copy of the (frozen) document after every extractor."""
    doc.__dict__.update(fields)
    doc.__pydantic_fields_set__.update(fields)
