"""The tracker's SQLite schema, as named migrations (sqlite-utils ``Migrations``); never edit one
after release, add another.

Every table links to its document by a foreign key; ids are deterministic (content hash of the
document, and a hash of the document id and the item's text for what was extracted from it), so
re-adding a document changes nothing and a new extractor version updates the machine rows in place.
``assessments`` is append-only: triggers refuse UPDATE and DELETE.

Crash and concurrency safety: every write is one transaction that takes the write lock up front
(``BEGIN IMMEDIATE``, see :func:`write`), migrations included, so a killed process leaves the database
as it was before the transaction, and a second writer waits for the first (up to the busy timeout)
instead of failing half-way or applying a migration twice.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils
from sqlite_utils import Database

MIGRATIONS = sqlite_utils.Migrations("sqzl_tracker")

STATUSES = ("not_assessed", "no_evidence", "in_progress", "partially_fulfilled", "fulfilled", "overdue",
            "not_verifiable")


@MIGRATIONS()
def m001_initial(db: Database) -> None:
    db["documents"].create({
        "id": str, "source": str, "sha256": str, "title": str, "doc_type": str, "issuer": str,
        "jurisdiction": str, "doc_number": str, "published": str, "written": str, "doc_date": str,
        "text": str, "text_seg": str, "extractor_version": str, "added_at": str, "run_id": int,
    }, pk="id")
    db["commitments"].create({
        "id": str, "document_id": str, "parent_id": str, "text": str, "text_seg": str, "item_text": str,
        "start": int, "end": int, "section_path": str, "action": str, "deadline_start": str,
        "deadline_end": str, "deadline_source": str, "departments": str, "departments_defaulted": int,
        "strength": str, "keywords": str, "testable": int, "testability_reasons": str,
        "target_text": str, "target_value": float, "target_unit": str, "target_qualifier": str,
        "target_subject": str, "doc_date": str, "extractor_version": str,
    }, pk="id", foreign_keys=[("document_id", "documents", "id")])
    db["progress"].create({
        "id": str, "document_id": str, "text": str, "text_seg": str, "start": int, "end": int,
        "departments": str, "keywords": str, "doc_date": str, "extractor_version": str,
    }, pk="id", foreign_keys=[("document_id", "documents", "id")])
    db["metrics"].create({
        "id": str, "document_id": str, "text": str, "start": int, "end": int, "value": float, "unit": str,
        "qualifier": str, "from_value": float, "subject": str, "per": str,
    }, pk="id", foreign_keys=[("document_id", "documents", "id")])
    db["departments"].create({
        "id": str, "document_id": str, "name": str, "canonical": str, "role": str, "start": int, "end": int,
    }, pk="id", foreign_keys=[("document_id", "documents", "id")])
    db["doc_numbers"].create({
        "id": str, "document_id": str, "text": str, "canonical": str, "own": int, "repaired": int,
        "start": int, "end": int,
    }, pk="id", foreign_keys=[("document_id", "documents", "id")])
    db["citations"].create({
        "id": str, "document_id": str, "title": str, "doc_number": str, "start": int, "end": int,
    }, pk="id", foreign_keys=[("document_id", "documents", "id")])
    db["runs"].create({
        "id": int, "command": str, "started_at": str, "finished_at": str, "version": str, "n_ok": int,
        "n_failed": int,
    }, pk="id")
    db["problems"].create({
        "id": int, "run_id": int, "source": str, "stage": str, "code": str, "reason": str,
    }, pk="id", foreign_keys=[("run_id", "runs", "id")])
    db["evidence"].create({
        "id": str, "commitment_id": str, "progress_id": str, "document_id": str, "quote": str, "start": int,
        "end": int, "score": float, "reasons": str, "relation": str, "strength": str, "reported_value": float,
        "created_by": str, "created_at": str,
    }, pk="id", foreign_keys=[("commitment_id", "commitments", "id"), ("progress_id", "progress", "id"),
                              ("document_id", "documents", "id")])
    db["assessments"].create({
        "id": int, "commitment_id": str, "status": str, "as_of": str, "evidence_ids": str, "rationale": str,
        "evidence_strength": str, "ratio": float, "late": int, "assessor": str, "review_state": str,
        "note": str, "created_at": str,
    }, pk="id", foreign_keys=[("commitment_id", "commitments", "id")])
    for table, columns in (("commitments", ["document_id"]), ("progress", ["document_id"]),
                           ("metrics", ["document_id"]), ("departments", ["document_id"]),
                           ("evidence", ["commitment_id"]), ("assessments", ["commitment_id"]),
                           ("departments", ["name"]), ("commitments", ["deadline_end"])):
        db[table].create_index(columns, if_not_exists=True)
    db.execute("""CREATE TRIGGER assessments_append_only_update BEFORE UPDATE ON assessments
                  BEGIN SELECT RAISE(ABORT, 'assessments are append-only'); END""")
    db.execute("""CREATE TRIGGER assessments_append_only_delete BEFORE DELETE ON assessments
                  BEGIN SELECT RAISE(ABORT, 'assessments are append-only'); END""")
    db.execute("""CREATE VIEW commitment_status AS
        WITH ranked AS (
          SELECT a.*, ROW_NUMBER() OVER (
            PARTITION BY a.commitment_id
            ORDER BY CASE WHEN a.assessor LIKE 'human:%' THEN 0 ELSE 1 END, a.id DESC) AS rn
          FROM assessments a)
        SELECT c.id AS commitment_id, c.text AS commitment, c.target_text, d.title AS document,
               d.issuer, c.document_id, c.deadline_end AS deadline, substr(c.deadline_end, 1, 4) AS deadline_year,
               c.departments,
               COALESCE(r.status, 'not_assessed') AS status, r.assessor, r.review_state, r.rationale,
               r.as_of, r.evidence_strength, r.id AS assessment_id
        FROM commitments c JOIN documents d ON d.id = c.document_id
        LEFT JOIN ranked r ON r.commitment_id = c.id AND r.rn = 1""")
    for table in ("documents", "commitments", "progress"):
        db[table].enable_fts(["text_seg"], create_triggers=True, tokenize="unicode61")


@MIGRATIONS()
def m002_retired_commitments(db: Database) -> None:
    """Commitments a new extractor version no longer finds are retired, not deleted (their assessment
    history points at them): ``retired_at``, and ``superseded_by`` naming the commitment that replaces
    one (see :mod:`.supersede`). ``commitment_status`` leaves retired commitments out. Rows left behind
    by an earlier extractor version (an extractor version other than their document's) are retired now."""
    from .supersede import retire

    db["commitments"].add_column("retired_at", str)
    db["commitments"].add_column("superseded_by", str)
    db.execute("DROP VIEW commitment_status")
    db.execute("""CREATE VIEW commitment_status AS
        WITH ranked AS (
          SELECT a.*, ROW_NUMBER() OVER (
            PARTITION BY a.commitment_id
            ORDER BY CASE WHEN a.assessor LIKE 'human:%' THEN 0 ELSE 1 END, a.id DESC) AS rn
          FROM assessments a)
        SELECT c.id AS commitment_id, c.text AS commitment, c.target_text, d.title AS document,
               d.issuer, c.document_id, c.deadline_end AS deadline, substr(c.deadline_end, 1, 4) AS deadline_year,
               c.departments,
               COALESCE(r.status, 'not_assessed') AS status, r.assessor, r.review_state, r.rationale,
               r.as_of, r.evidence_strength, r.id AS assessment_id
        FROM commitments c JOIN documents d ON d.id = c.document_id
        LEFT JOIN ranked r ON r.commitment_id = c.id AND r.rn = 1
        WHERE c.retired_at IS NULL""")
    for doc in list(db.query("SELECT id, extractor_version FROM documents ORDER BY id")):
        keep = {r["id"] for r in db.query("SELECT id FROM commitments WHERE document_id = ? AND extractor_version = ?",
                                          [doc["id"], doc["extractor_version"]])}
        retire(db, doc["id"], keep)


BUSY_TIMEOUT = 30.0  # seconds a tracker connection waits for another process's write lock


def connect(path: str | Path, *, busy_timeout: float = BUSY_TIMEOUT) -> Database:
    """Open (or create) a tracker database: busy timeout set, schema migrated."""
    db = Database(path)
    db.execute(f"PRAGMA busy_timeout = {max(0, int(busy_timeout * 1000))}")
    migrate(db)
    return db


@contextlib.contextmanager
def write(db: Database) -> Iterator[Database]:
    """One write transaction with the write lock taken first (``BEGIN IMMEDIATE``): it waits for another
    writer up to the busy timeout, never fails part-way on a stale snapshot, and commits whole or not at all."""
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    db.conn.commit()


def _enable_wal(db: Database) -> None:
    """Switch to WAL. Two connections switching a new file at once can deadlock on the lock upgrade,
    and SQLite then answers "locked" at once, without waiting: retry, within the busy timeout."""
    timeout = db.execute("PRAGMA busy_timeout").fetchone()[0] / 1000
    deadline = time.monotonic() + timeout
    while True:
        try:
            db.enable_wal()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def migrate(db: Database) -> None:
    """Bring a database up to the current schema; WAL so readers never wait on the writer. Pending
    migrations are applied under the write lock, so two processes opening a new file migrate it once.
    The busy timeout is the connection's (:func:`connect` sets it; Python's sqlite3 default is 5 s)."""
    _enable_wal(db)
    db.execute("PRAGMA foreign_keys = ON")
    if MIGRATIONS.pending(db):
        with write(db):
            MIGRATIONS.apply(db)  # checks again under the lock
