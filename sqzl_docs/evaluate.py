"""Scoring extraction against gold files: precision, recall and F1 per field, accuracy per header field.

Matching follows the annotation guide: texts are compared with whitespace removed and NFKC applied
(as ``check_gold.py`` does); document numbers, citations and departments are sets per document;
dates and metrics are multisets (once per occurrence); commitments and progress match on text.
Counts are summed over documents (micro-averaged).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .gold import load_gold, to_gold
from .models import Document

LIST_FIELDS = ("doc_numbers", "citations", "dates", "metrics", "departments", "commitments", "progress")
HEADER_FIELDS = ("doc_type", "title", "issuer", "doc_number", "published", "written",
                 "proposal.number", "proposal.session", "proposal.proposer", "proposal.title")


def squeeze(s: Any) -> Any:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s)) if isinstance(s, str) else s


def _keys(name: str, record: dict[str, Any]) -> list[tuple[Any, ...]]:
    items = record.get(name) or []
    if name == "doc_numbers":
        return sorted({(squeeze(x),) for x in items})
    if name == "departments":
        return sorted({(squeeze(x),) for x in items})
    if name == "citations":
        return sorted({(squeeze(c["title"]), c.get("doc_number")) for c in items})
    if name == "dates":
        return [(squeeze(d["text"]), d.get("start"), d.get("end")) for d in items]
    if name == "metrics":
        return [(squeeze(m["text"]), round(float(m["value"]), 4), squeeze(m["unit"]), m.get("qualifier"))
                for m in items]
    if name in ("commitments", "progress"):
        return [(squeeze(c["text"]).rstrip("。"),) for c in items]
    raise KeyError(name)


@dataclass
class Count:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0 if not self.fn else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    fields: dict[str, Count] = field(default_factory=lambda: {f: Count() for f in LIST_FIELDS})
    header: dict[str, list[int]] = field(default_factory=lambda: {f: [0, 0] for f in HEADER_FIELDS})
    documents: int = 0
    deadlines: list[int] = field(default_factory=lambda: [0, 0])  # matched commitments with the right end
    misses: list[dict[str, Any]] = field(default_factory=list)

    def add(self, stem: str, gold: dict[str, Any], predicted: dict[str, Any]) -> None:
        self.documents += 1
        for name in LIST_FIELDS:
            g, p = Counter(_keys(name, gold)), Counter(_keys(name, predicted))
            count = self.fields[name]
            count.tp += sum((g & p).values())
            count.fp += sum((p - g).values())
            count.fn += sum((g - p).values())
            for key in (g - p):
                self.misses.append({"document": stem, "field": name, "kind": "missed", "item": list(key)})
            for key in (p - g):
                self.misses.append({"document": stem, "field": name, "kind": "extra", "item": list(key)})
        self._deadlines(stem, gold, predicted)
        for name in HEADER_FIELDS:
            if name.startswith("proposal."):
                if not gold.get("proposal") and not predicted.get("proposal"):
                    continue
                sub = name.split(".", 1)[1]
                g_value = (gold.get("proposal") or {}).get(sub)
                p_value = (predicted.get("proposal") or {}).get(sub)
            else:
                g_value, p_value = gold.get(name), predicted.get(name)
            self.header[name][1] += 1
            if squeeze(g_value) == squeeze(p_value):
                self.header[name][0] += 1
            else:
                self.misses.append({"document": stem, "field": name, "kind": "wrong",
                                    "item": [g_value, p_value]})

    def _deadlines(self, stem: str, gold: dict[str, Any], predicted: dict[str, Any]) -> None:
        """Deadline end accuracy over the commitments matched by text (only ``end`` is compared)."""
        found = {squeeze(c["text"]).rstrip("。"): c for c in predicted.get("commitments") or []}
        for g in gold.get("commitments") or []:
            p = found.get(squeeze(g["text"]).rstrip("。"))
            if p is None:
                continue
            g_end = (g.get("deadline") or {}).get("end")
            p_end = (p.get("deadline") or {}).get("end")
            self.deadlines[1] += 1
            if g_end == p_end:
                self.deadlines[0] += 1
            else:
                self.misses.append({"document": stem, "field": "deadline", "kind": "wrong",
                                    "item": [g["text"][:40], g_end, p_end]})

    @property
    def deadline_accuracy(self) -> float:
        ok, n = self.deadlines
        return ok / n if n else 1.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "fields": {k: {"tp": c.tp, "fp": c.fp, "fn": c.fn, "precision": round(c.precision, 4),
                           "recall": round(c.recall, 4), "f1": round(c.f1, 4)} for k, c in self.fields.items()},
            "header": {k: {"correct": ok, "total": n, "accuracy": round(ok / n, 4) if n else None}
                       for k, (ok, n) in self.header.items()},
            "deadline_end_accuracy": {"correct": self.deadlines[0], "of": self.deadlines[1],
                                      "accuracy": round(self.deadline_accuracy, 4)},
            "header_accuracy": round(sum(ok for ok, _ in self.header.values())
                                     / max(1, sum(n for _, n in self.header.values())), 4),
            "misses": self.misses,
        }

    def table(self) -> str:
        lines = [f"{self.documents} documents", "",
                 "| field | gold | found | correct | precision | recall | F1 |", "|---|---|---|---|---|---|---|"]
        for name, c in self.fields.items():
            lines.append(f"| {name} | {c.tp + c.fn} | {c.tp + c.fp} | {c.tp} | {c.precision:.3f} | {c.recall:.3f} "
                         f"| {c.f1:.3f} |")
        ok, n = self.deadlines
        lines += ["", f"Deadline end accuracy on matched commitments: {ok}/{n} = {self.deadline_accuracy:.3f}"]
        lines += ["", "| header field | correct | of | accuracy |", "|---|---|---|---|"]
        for name, (ok, n) in self.header.items():
            lines.append(f"| {name} | {ok} | {n} | {ok / n:.3f} |" if n else f"| {name} | 0 | 0 | - |")
        total_ok = sum(ok for ok, _ in self.header.values())
        total = sum(n for _, n in self.header.values())
        lines.append(f"| **all header fields** | {total_ok} | {total} | {total_ok / max(1, total):.3f} |")
        return "\n".join(lines)


def evaluate(gold_dir: Path, documents: Iterable[Document]) -> Report:
    """Score documents against the gold files with the same stem."""
    gold = load_gold(gold_dir)
    report = Report()
    for doc in documents:
        stem = Path(doc.source.split("#", 1)[0]).stem
        if stem in gold:
            report.add(stem, gold[stem], to_gold(doc))
    return report


def raw_paths(gold_dir: Path, paths: list[str]) -> list[str]:
    """The documents to score: those given, else ``<gold_dir>/../raw/<stem>.*`` for each gold file."""
    if paths:
        return paths
    raw = gold_dir.parent / "raw"
    out = []
    for g in sorted(gold_dir.glob("*.json")):
        found = sorted(raw.glob(g.stem + ".*"))
        if found:
            out.append(str(found[0]))
    return out
