"""Reference readings of before/after pairs (人工研判), and how far the tracker agrees with them.

A reading (``tests/data/tracker_pairs/*.yaml``) is what a careful reader takes out of an earlier
document's undertakings and what the later document shows of each: status, evidence quotes, reasons.
It is written by reading, before the tracker runs on the pair. :func:`score` matches the tracker's
rows to the undertakings by where they stand in the earlier document (spans overlapping by at least
half of the shorter, one row per undertaking) and counts how many were found and on how many statuses
the two agree.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlite_utils import Database


@dataclass
class Undertaking:
    """One thing the earlier document undertook, as the reader judged it."""

    text: str
    status: str
    kind: str = "task"
    deadline: str | None = None
    target: dict[str, Any] | None = None
    evidence: list[str] = field(default_factory=list)
    why: str = ""


@dataclass
class Reading:
    earlier: str
    later: str
    as_of: dt.date
    negative: bool
    undertakings: list[Undertaking]
    name: str = ""

    @classmethod
    def load(cls, path: Path) -> Reading:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        items = data.get("undertakings") or data.get("commitments") or []
        known = set(Undertaking.__dataclass_fields__)
        as_of = data["as_of"]
        return cls(earlier=data.get("earlier", ""), later=data.get("later", ""),
                   as_of=as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(str(as_of)),
                   negative=bool(data.get("negative")), name=path.stem,
                   undertakings=[Undertaking(**{k: (str(v) if k == "deadline" and v else v)
                                                for k, v in u.items() if k in known}) for u in items])


@dataclass
class Agreement:
    """How the tracker's rows compare with a reading."""

    undertakings: int = 0
    found: int = 0
    agreed: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)  # (reader, machine) → count
    false_fulfilled: list[str] = field(default_factory=list)  # machine says fulfilled, the reader does not
    missed: list[str] = field(default_factory=list)

    @property
    def found_share(self) -> float:
        return self.found / self.undertakings if self.undertakings else 1.0

    @property
    def agreement(self) -> float:
        """Share of the found undertakings whose status agrees."""
        return self.agreed / self.found if self.found else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"undertakings": self.undertakings, "found": self.found, "found_share": round(self.found_share, 3),
                "agreed": self.agreed, "agreement": round(self.agreement, 3),
                "agreement_of_all": round(self.agreed / self.undertakings, 3) if self.undertakings else 1.0,
                "false_fulfilled": self.false_fulfilled, "missed": self.missed,
                "confusion": {f"{r}->{m}": n for (r, m), n in sorted(self.confusion.items())}}


def _locate(text: str, needle: str, after: int = 0) -> tuple[int, int] | None:
    at = text.find(needle, after)
    if at < 0:
        at = text.find(needle)
    return (at, at + len(needle)) if at >= 0 else None


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    shorter = min(a[1] - a[0], b[1] - b[0]) or 1
    return inter / shorter if inter > 0 else 0.0


def score(db: Database, reading: Reading, earlier_id: str) -> Agreement:
    """Compare the tracker's current statuses for the earlier document with the reading."""
    text = db["documents"].get(earlier_id)["text"]
    rows = list(db.query(
        "SELECT c.id, c.start, c.end, c.target_text, s.status FROM commitments c "
        "JOIN commitment_status s ON s.commitment_id = c.id WHERE c.document_id = ?", [earlier_id]))
    out = Agreement(undertakings=len(reading.undertakings))
    taken: set[str] = set()
    cursor = 0
    for u in reading.undertakings:
        where = _locate(text, u.text, cursor)
        if where is None:
            out.missed.append(u.text)
            continue
        cursor = where[0]
        best, best_share = None, 0.0
        for r in rows:
            if r["id"] in taken:
                continue
            span = (r["start"], r["end"])
            if r["target_text"]:  # a per-target row stands where its clause does
                clause = _locate(text, r["target_text"], max(0, r["start"] - 1))
                span = clause if clause and clause[0] < r["end"] + 200 else span
            share = _overlap(where, span)
            if share > best_share:
                best, best_share = r, share
        if best is None or best_share < 0.5:
            out.missed.append(u.text)
            continue
        taken.add(best["id"])
        out.found += 1
        out.confusion[(u.status, best["status"])] += 1
        if best["status"] == u.status:
            out.agreed += 1
        elif best["status"] == "fulfilled":
            out.false_fulfilled.append(u.text)
    return out
