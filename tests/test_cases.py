"""Case tables per extractor (tests/cases/*.yaml): input, expected records (partial match), why."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from sqzl_docs.extract import run_all
from sqzl_docs.models import Document, MetaField
from sqzl_docs.structure import analyse

from .conftest import assert_spans_hold

CASES = Path(__file__).parent / "cases"
FIELD = {"doc_numbers": "doc_numbers", "dates": "dates", "metrics": "metrics", "departments": "departments",
         "citations": "citations", "commitments": "commitments", "progress": "progress"}


def _load() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(CASES.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            out.append((path.stem, case))
    return out


def _doc(case: dict[str, Any]) -> Document:
    metadata = []
    if case.get("date"):
        d = case["date"] if isinstance(case["date"], dt.date) else dt.date.fromisoformat(case["date"])
        metadata.append(MetaField(name="written", label="成文日期", value=d.isoformat(), date=d))
    return run_all(analyse(Document.from_text(case["text"], metadata=metadata)))


def _value(record: Any, key: str) -> Any:
    if key == "text":
        return record.span.text
    if key == "part":
        return record.part_of is not None
    if key == "deadline_end":
        return record.deadline.end.isoformat() if record.deadline and record.deadline.end else None
    value = getattr(record, key)
    return value.isoformat() if isinstance(value, dt.date) else value


def _same(expected: Any, got: Any) -> bool:
    if isinstance(expected, dt.date):
        expected = expected.isoformat()
    if isinstance(expected, (int, float)) and isinstance(got, (int, float)) and not isinstance(expected, bool):
        return abs(expected - got) < 1e-6
    if isinstance(expected, dict):
        return all(_same(v, got.get(k) if isinstance(got, dict) else getattr(got, k)) for k, v in expected.items())
    return expected == got


@pytest.mark.parametrize(("kind", "case"), _load(), ids=lambda x: x if isinstance(x, str) else x["id"])
def test_case(kind: str, case: dict[str, Any]) -> None:
    doc = _doc(case)
    assert_spans_hold(doc)
    if kind == "header":
        header = doc.header.model_dump(mode="json")
        for key, value in case["expect"].items():
            assert _same(value, header[key]), f"{case['id']}: {key}: {header[key]!r} ({case['why']})"
        return
    records = getattr(doc, FIELD[kind])
    expect = case["expect"]
    assert len(records) == len(expect), (
        f"{case['id']}: {[_value(r, 'text') for r in records]} ({case['why']})")
    for want, got in zip(expect, records):
        for key, value in want.items():
            assert _same(value, _value(got, key)), f"{case['id']}: {key}={_value(got, key)!r}, want {value!r}"
