"""Retiring commitments a new extractor version no longer finds, and carrying reviewers' verdicts forward.

A commitment's id hashes its text, so when a document is stored again under a new extractor version
and a commitment's text changed, the new row has a new id. The old row is not deleted (its assessment
history points at it); it is *retired* (``retired_at``) and left out of ``commitment_status`` and the
reports. Its *successor* (``superseded_by``) is the new commitment of the same document that clearly
replaces it:

- their character spans in the document overlap by at least half of the shorter span, or
- their texts are at least 80% alike (difflib's ratio);

among several candidates the one with the same target wins, then the longest overlap, then the most
alike text. The retired commitment's current reviewer verdict (审核意见: the latest ``human:`` row) is
appended to the successor's history (same status, assessor and evidence; ``review_state``
``carried_forward``; the note names the assessment it came from), unless the successor already has a
reviewer's verdict of its own. Nothing in ``assessments`` is ever changed or deleted.

A reviewer's verdict never vanishes through an import: a commitment a reviewer judged that the new
extractor version no longer finds, and that nothing clearly replaces, is *not* retired. It stays in
``commitment_status`` with its verdict (its ``extractor_version`` still the older one, which tells
it apart), since its text still stands in the document (a stored document's text never changes).
"""

from __future__ import annotations

import datetime as dt
from difflib import SequenceMatcher
from typing import Any

from sqlite_utils import Database

MIN_OVERLAP = 0.5  # of the shorter span
MIN_SIMILARITY = 0.8


def retire(db: Database, document_id: str, keep: set[str]) -> dict[str, str | None]:
    """Retire the document's active commitments whose ids are not in ``keep`` (call inside a write
    transaction); returns retired id → successor id (or None). One a reviewer judged is kept active
    when nothing replaces it, so its verdict stays visible."""
    rows = list(db.query("SELECT id, text, start, end, target_text FROM commitments "
                         "WHERE document_id = ? AND retired_at IS NULL ORDER BY id", [document_id]))
    current = [r for r in rows if r["id"] in keep]
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    out: dict[str, str | None] = {}
    for old in rows:
        if old["id"] in keep:
            continue
        new = successor(old, current)
        if new is None and _judged(db, old["id"]):
            continue  # the reviewer's verdict stays in commitment_status
        out[old["id"]] = new["id"] if new else None
        db.execute("UPDATE commitments SET retired_at = ?, superseded_by = ? WHERE id = ?",
                   [now, out[old["id"]], old["id"]])
        if new:
            _carry_verdict(db, old["id"], new["id"], now)
    return out


def successor(old: dict[str, Any], candidates: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The candidate that clearly replaces ``old`` (the rule in the module docstring), or None."""
    best, best_key = None, None
    for new in candidates:
        overlap = min(old["end"], new["end"]) - max(old["start"], new["start"])
        shorter = max(1, min(old["end"] - old["start"], new["end"] - new["start"]))
        similarity = SequenceMatcher(None, old["text"], new["text"]).ratio()
        if overlap / shorter < MIN_OVERLAP and similarity < MIN_SIMILARITY:
            continue
        key = (old["target_text"] == new["target_text"], overlap, similarity)
        if best_key is None or key > best_key:
            best, best_key = new, key
    return best


def _judged(db: Database, commitment_id: str) -> bool:
    return db.execute("SELECT 1 FROM assessments WHERE commitment_id = ? AND assessor LIKE 'human:%' LIMIT 1",
                      [commitment_id]).fetchone() is not None


def _carry_verdict(db: Database, old_id: str, new_id: str, now: str) -> None:
    if db.execute("SELECT 1 FROM assessments WHERE commitment_id = ? AND assessor LIKE 'human:%'",
                  [new_id]).fetchone():
        return  # the successor's own verdict stands
    row = db.execute("SELECT id, status, as_of, evidence_ids, rationale, evidence_strength, ratio, late, assessor, "
                     "note FROM assessments WHERE commitment_id = ? AND assessor LIKE 'human:%' "
                     "ORDER BY id DESC LIMIT 1",
                     [old_id]).fetchone()
    if row is None:
        return
    aid, status, as_of, evidence_ids, rationale, strength, ratio, late, assessor, note = row
    carried = f"carried forward from assessment {aid} of commitment {old_id} (superseded)"
    db["assessments"].insert({
        "commitment_id": new_id, "status": status, "as_of": as_of, "evidence_ids": evidence_ids,
        "rationale": rationale, "evidence_strength": strength, "ratio": ratio, "late": late, "assessor": assessor,
        "review_state": "carried_forward", "note": f"{note} [{carried}]" if note else carried, "created_at": now,
    })
