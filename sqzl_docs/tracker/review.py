"""Reviewers' verdicts and the report: what was promised, by when, who answers, what later showed.

A reviewer's verdict is a new assessment row (``assessor = human:<name>``); it never replaces a
machine row, and the ``commitment_status`` view prefers it over every machine assessment, so it
survives re-extraction and re-linking; when a new extractor version retires the commitment, the
verdict is carried to the one that replaces it (:mod:`.supersede`).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from sqlite_utils import Database

from .schema import STATUSES, migrate, write
from .store import now


class ReviewError(ValueError):
    """A verdict that cannot be recorded (unknown commitment or status, quote not in the text)."""


def verdict(db: Database, commitment: str, status: str, *, note: str, reviewer: str = "reviewer",
            evidence: list[str] | None = None) -> int:
    """Record a reviewer's verdict; ``commitment`` is an id or an id prefix, ``evidence`` quotes
    that must stand verbatim in one of the tracker's documents."""
    check_verdict(status, note=note, reviewer=reviewer, evidence=evidence)
    migrate(db)
    with write(db):  # the commitment cannot be retired between the check and the insert
        cid = _commitment_id(db, commitment)
        quotes = []
        for quote in evidence or []:
            hit = db.execute("SELECT id, instr(text, ?) FROM documents WHERE instr(text, ?) > 0 LIMIT 1",
                             [quote, quote]).fetchone()
            if hit is None:
                raise ReviewError(f"evidence quote not found verbatim in any document: {quote[:40]!r}")
            quotes.append({"document_id": hit[0], "start": hit[1] - 1, "end": hit[1] - 1 + len(quote),
                           "quote": quote})
        return int(db["assessments"].insert({
            "commitment_id": cid, "status": status, "as_of": now()[:10],
            "evidence_ids": json.dumps(quotes, ensure_ascii=False), "rationale": note, "evidence_strength": None,
            "ratio": None, "late": 0, "assessor": f"human:{reviewer}", "review_state": "human_confirmed",
            "note": note, "created_at": now(),
        }).last_pk)


def check_verdict(status: str, *, note: str, reviewer: str = "reviewer", evidence: list[str] | None = None) -> None:
    """Refuse a verdict that says nothing: an unknown status, an empty note (审核意见), reviewer or quote."""
    if status not in STATUSES:
        raise ReviewError(f"unknown status {status!r}; one of {', '.join(STATUSES)}")
    if not note.strip():
        raise ReviewError("a verdict needs a note giving the reviewer's reasons (--note must not be empty)")
    if not reviewer.strip():
        raise ReviewError("a verdict needs a reviewer's name (--reviewer must not be empty)")
    if any(not quote.strip() for quote in evidence or []):
        raise ReviewError("an evidence quote must not be empty (--evidence \"原文引文\")")


def _commitment_id(db: Database, prefix: str) -> str:
    """The one active commitment whose id starts with ``prefix``; a retired one is refused with its successor."""
    if not prefix.strip():
        raise ReviewError("give a commitment id (or a unique prefix of one)")
    match = "substr(id, 1, length(?)) = ?"  # a plain prefix: % and _ are not wildcards
    rows = db.execute(f"SELECT id FROM commitments WHERE {match} AND retired_at IS NULL", [prefix, prefix]).fetchall()
    if not rows:
        retired = db.execute(f"SELECT id, superseded_by FROM commitments WHERE {match} AND retired_at IS NOT NULL",
                             [prefix, prefix]).fetchone()
        if retired:
            raise ReviewError(f"commitment {retired[0]} is retired (no longer extracted); "
                              f"superseded by {retired[1] or 'nothing'}")
    if len(rows) != 1:
        raise ReviewError(f"{len(rows)} commitments match {prefix!r}; give more of the id")
    return str(rows[0][0])


def report_rows(db: Database, *, status: str | None = None, department: str | None = None,
                due_before: str | None = None) -> list[dict[str, Any]]:
    """One row per tracked commitment with its current status, evidence quotes and rationale (reads
    only: open the database with :func:`.schema.open_read`)."""
    where, params = [], []
    if status:
        where.append("s.status = ?")
        params.append(status)
    if department is not None:  # a plain substring of a department's name: % and _ are not wildcards
        where.append("EXISTS (SELECT 1 FROM json_each(s.departments) j WHERE instr(j.value, ?) > 0)")
        params.append(department)
    if due_before:
        where.append("s.deadline IS NOT NULL AND s.deadline < ?")
        params.append(due_before)
    sql = "SELECT s.*, a.evidence_ids FROM commitment_status s LEFT JOIN assessments a ON a.id = s.assessment_id"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY s.document, s.commitment_id"
    out = []
    for r in db.query(sql, params):
        evidence = _quotes(db, r["evidence_ids"])
        out.append({
            "id": r["commitment_id"], "commitment": r["commitment"], "target": r["target_text"],
            "indicator": r["indicator"], "target_value": r["target_value"], "target_unit": r["target_unit"],
            "comparator": r["target_qualifier"], "ratio": r["ratio"],
            "document": r["document"], "source": r["source"], "date": r["doc_date"], "issuer": r["issuer"],
            "deadline": r["deadline"],
            "departments": json.loads(r["departments"] or "[]"), "status": r["status"],
            "assessor": r["assessor"], "evidence": evidence, "rationale": r["rationale"],
        })
    return out


def _quotes(db: Database, evidence_ids: str | None) -> list[str]:
    if not evidence_ids:
        return []
    items = json.loads(evidence_ids)
    quotes = []
    for item in items:
        if isinstance(item, dict):
            quotes.append(item["quote"])
        else:
            row = db.execute("SELECT quote FROM evidence WHERE id = ?", [item]).fetchone()
            if row:
                quotes.append(row[0])
    return quotes


def format_report(rows: list[dict[str, Any]], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=1)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(["id", "commitment", "target", "indicator", "document", "source", "date", "deadline",
                         "departments", "status", "evidence", "rationale"])
        for r in rows:
            writer.writerow([r["id"], r["commitment"], r["target"] or "", r["indicator"] or "", r["document"],
                             r["source"] or "", r["date"] or "", r["deadline"] or "",
                             "、".join(r["departments"]), r["status"], " | ".join(r["evidence"]), r["rationale"] or ""])
        return buf.getvalue()
    lines = []
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
        target = f" [{r['target']}]" if r["target"] else ""
        lines.append(f"{r['status']:<20} {r['deadline'] or '-':<10}  {r['id'][:8]}  {r['commitment'][:40]}{target}"
                     f"  ({(r['document'] or r['source'] or '')[:24]}{', ' + r['date'] if r['date'] else ''})")
        for q in r["evidence"][:1]:
            lines.append(f"{'':<20} evidence: {q[:70]}")
    lines.append("")
    lines.append("  ".join(f"{k}: {v}" for k, v in sorted(counts.items())) + f"  (total {len(rows)})")
    return "\n".join(lines)
