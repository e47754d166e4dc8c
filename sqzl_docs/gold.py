"""The gold format of ``../shared/annotation-guide.md``: projecting a document onto it, and reading it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from .models import Document

FORMAT = 1

def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _number(v: float) -> int | float:
    return int(v) if float(v).is_integer() else v


def to_gold(doc: Document) -> dict[str, Any]:
    """The document as a gold record (what a careful reader would write), with a ``source`` key."""
    h = doc.header
    seen_numbers: list[str] = []
    for n in doc.doc_numbers:
        if n.canonical not in seen_numbers:
            seen_numbers.append(n.canonical)
    departments: list[str] = []
    for d in doc.departments:
        if d.name not in departments:
            departments.append(d.name)
    return {
        "source": doc.source,
        "format": FORMAT,
        "doc_type": h.doc_type if h else "other",
        "title": h.title if h else None,
        "issuer": h.issuer if h else None,
        "doc_number": h.doc_number if h else None,
        "published": _iso(h.published) if h else None,
        "written": _iso(h.written) if h else None,
        "proposal": h.proposal.model_dump() if h and h.proposal else None,
        "doc_numbers": seen_numbers,
        "citations": [{"title": c.title, "doc_number": c.doc_number} for c in doc.citations],
        "dates": [{"text": d.span.text, "start": _iso(d.start), "end": _iso(d.end)} for d in doc.dates],
        "metrics": [{"text": m.span.text, "value": _number(m.value), "unit": m.unit, "qualifier": m.qualifier}
                    for m in doc.metrics],
        "departments": departments,
        "commitments": [{"text": c.span.text, "deadline": {"start": _iso(c.deadline.start), "end": _iso(c.deadline.end)}
                         if c.deadline and c.deadline.end else None, "departments": c.departments}
                        for c in doc.commitments if c.part_of is None],
        # the guide keeps progress to progress and work reports; replies record theirs in the JSON Lines
        "progress": [{"text": p.span.text} for p in doc.progress]
        if h and h.doc_type in ("progress_report", "work_report") else [],
    }


def load_gold(directory: Path) -> dict[str, dict[str, Any]]:
    """Gold files of a directory by stem."""
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(directory.glob("*.json"))}
