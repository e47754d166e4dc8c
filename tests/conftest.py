from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel

from sqzl_docs.models import Document, Span

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "corpora" / "raw"
GOLD = ROOT / "corpora" / "gold"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = Path(os.environ.get("SQZL_SHARED") or ROOT.parent / "shared")  # the shared corpus beside the repo
BULK = SHARED / "corpus" / "bulk" / "citizen_replies.jsonl"


def corpus_files() -> list[Path]:
    return sorted(RAW.glob("*.txt"))


def fixture_files() -> list[Path]:
    return sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".txt", ".html", ".pdf", ".docx"))


def iter_spans(obj: object) -> Iterator[Span]:
    """Every Span anywhere inside a record."""
    if isinstance(obj, Span):
        yield obj
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from iter_spans(getattr(obj, name))
    elif isinstance(obj, (list, tuple)):
        for item in obj:
            yield from iter_spans(item)
    elif isinstance(obj, dict):
        for item in obj.values():
            yield from iter_spans(item)


def assert_spans_hold(doc: Document) -> int:
    """The span invariant: ``doc.text[start:end] == text`` for every span; returns how many."""
    n = 0
    for span in iter_spans(doc):
        assert 0 <= span.start <= span.end <= len(doc.text), (doc.source, span)
        assert doc.text[span.start:span.end] == span.text, (doc.source, span)
        n += 1
    return n


@pytest.fixture(scope="session")
def corpus_docs() -> dict[str, Document]:
    import sqzl_docs

    return {p.stem: sqzl_docs.parse(p) for p in corpus_files()}
