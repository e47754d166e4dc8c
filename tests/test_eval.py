"""Accuracy floors on corpora/gold (issue 3 targets), the gold projection, and the scorer itself."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sqzl_docs import pipeline
from sqzl_docs.cli import app
from sqzl_docs.evaluate import Report, evaluate, raw_paths
from sqzl_docs.models import Document

from .conftest import GOLD, RAW, ROOT, SHARED

# Floors on the tuned documents. The gold of 2026-11-26 (rules of 1.1, corpora/gold/CHANGES-1.1.md) moved
# dates to 0.954, published to 0.917 and proposal.title to 0.818: floors at those measures, not below.
FLOORS = {"doc_numbers": 0.97, "citations": 0.97, "dates": 0.95, "metrics": 0.93, "departments": 0.93,
          "commitments": 0.85, "progress": 0.80}
HEADER_FLOOR = 0.95
HEADER_FLOORS = {"published": 0.9, "proposal.title": 0.8}


# Batches of documents scored at first sight (corpora/FIRST_SIGHT.md): the tuned floors below are for
# the rest of corpora/gold; these may never score below their first run.
LEDGER = json.loads((ROOT / "corpora" / "first_sight" / "ledger.json").read_text(encoding="utf-8"))
FIRST_SIGHT = {stem for batch in LEDGER for stem in batch["documents"]}


@pytest.fixture(scope="module")
def scored() -> list[Document]:
    return [r for r in pipeline.run(raw_paths(GOLD, [])) if isinstance(r, Document)]


def _stem(doc: Document) -> str:
    return Path(doc.source).stem


@pytest.fixture(scope="module")
def report(scored: list[Document]) -> Report:
    return evaluate(GOLD, [d for d in scored if _stem(d) not in FIRST_SIGHT])


def test_every_gold_file_has_its_document(scored: list[Document], report: Report) -> None:
    assert len(scored) == len(list(GOLD.glob("*.json")))
    assert report.documents == len(scored) - len(FIRST_SIGHT) >= 10
    assert FIRST_SIGHT <= {_stem(d) for d in scored}


@pytest.mark.parametrize("batch", LEDGER, ids=lambda b: b["date"] + b.get("batch", ""))
def test_no_field_falls_below_its_first_sight(scored: list[Document], batch: dict) -> None:
    now = evaluate(GOLD, [d for d in scored if _stem(d) in set(batch["documents"])])
    first = batch["scores"]
    assert now.documents == len(batch["documents"])
    for field, counts in first["fields"].items():
        assert now.fields[field].f1 >= counts["f1"] - 0.0005, (field, now.table())
    ok, n = now.deadlines
    assert (ok / n if n else 1.0) >= first["deadline_end_accuracy"]["accuracy"] - 0.0005, now.table()


@pytest.mark.parametrize("field", sorted(FLOORS))
def test_f1_floor(report: Report, field: str) -> None:
    assert report.fields[field].f1 >= FLOORS[field], report.table()


def test_deadline_end_accuracy_floor(report: Report) -> None:
    assert report.deadlines[1] >= 50 and report.deadline_accuracy >= 0.9, report.table()


@pytest.mark.parametrize("field", ["doc_type", "title", "issuer", "doc_number", "published", "written",
                                   "proposal.number", "proposal.session", "proposal.proposer", "proposal.title"])
def test_header_accuracy_floor(report: Report, field: str) -> None:
    ok, n = report.header[field]
    assert n and ok / n >= HEADER_FLOORS.get(field, HEADER_FLOOR), report.table()


def test_scorer_counts_multisets_and_sets() -> None:
    r = Report()
    gold = {"dates": [{"text": "2021年", "start": "2021-01-01", "end": "2021-12-31"}] * 2,
            "departments": ["市民政局", "市财政局"], "doc_type": "reply"}
    got = {"dates": [{"text": "2021 年", "start": "2021-01-01", "end": "2021-12-31"}],
           "departments": ["市民政局", "市民政局", "国务院"], "doc_type": "notice"}
    r.add("x", gold, got)
    assert (r.fields["dates"].tp, r.fields["dates"].fn) == (1, 1)
    assert (r.fields["departments"].tp, r.fields["departments"].fp, r.fields["departments"].fn) == (1, 1, 1)
    assert r.header["doc_type"] == [0, 1]


def test_gold_format_output_has_the_gold_shape(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["extract", "-q", "--format", "gold", str(RAW)])
    assert result.exit_code == 0
    out = tmp_path / "gold"
    out.mkdir()
    for line in result.stdout.splitlines():
        record = json.loads(line)
        stem = Path(record.pop("source")).stem
        (out / f"{stem}.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    checker = SHARED / "tools" / "check_gold.py"
    if not checker.exists():
        pytest.skip("../shared/tools/check_gold.py is not beside the repo")
    proc = subprocess.run([sys.executable, str(checker), str(out), str(RAW)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:]


def test_eval_command_writes_table_and_json(tmp_path: Path) -> None:
    scores = tmp_path / "scores.json"
    result = CliRunner().invoke(app, ["eval", str(GOLD), "--json", str(scores)])
    assert result.exit_code == 0 and "| dates |" in result.stdout
    data = json.loads(scores.read_text(encoding="utf-8"))
    assert data["documents"] >= 10 and set(FLOORS) <= set(data["fields"])
