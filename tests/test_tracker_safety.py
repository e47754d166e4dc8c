"""The tracker under hostile conditions: SIGKILL mid-batch, two writers at once, a new extractor
version that changes commitments, and a database written by the schema's first version.

The kill test runs ``sqzl track add`` as a subprocess on a batch (bulk replies from ../shared plus
seed documents) and kills it with SIGKILL at seeded random moments in three phases (startup and
migration, mid-batch, near the end), 12 times by default; ``SQZL_KILLS=200`` runs a longer campaign
(``SQZL_KILL_SEED`` picks another seed). After every kill the database must be sound and hold only
whole documents; a final uninterrupted run must leave it equal to a reference built in one go.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

import sqzl_docs
from sqzl_docs.models import Document, Span
from sqzl_docs.tracker import link, review, schema, store, supersede

from .conftest import BULK, FIXTURES, RAW

pytestmark = pytest.mark.slow  # `make test-fast` leaves these out

SEEDS = [RAW / "000_a8a32f0196afeb02.txt", RAW / "003_bae5fa7c6a583b1e.txt"]
SEED_FILES = sorted(RAW.glob("00*.txt"))
CHILDREN = ("commitments", "progress", "metrics", "departments", "doc_numbers", "citations")
VOLATILE = {"documents": {"added_at", "run_id"}, "commitments": {"retired_at"}}
N_BULK = 120
KILLS = int(os.environ.get("SQZL_KILLS", "12"))
V1 = FIXTURES / "tracker" / "schema_v1.db"


def sqzl(*args: str) -> list[str]:
    return [sys.executable, "-m", "sqzl_docs", *args]


def snapshot(path: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """Table → id → row (without timestamps) for the documents and their child tables."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        out: dict[str, dict[str, dict[str, Any]]] = {}
        for table in ("documents", *CHILDREN):
            if table not in tables:
                continue
            rows = [dict(r) for r in conn.execute(f"SELECT * FROM [{table}]")]
            out[table] = {r["id"]: {k: v for k, v in r.items() if k not in VOLATILE.get(table, ())} for r in rows}
        return out
    finally:
        conn.close()


def assert_sound(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "_sqlite_migrations" in tables:  # a schema is there only whole
            names = {r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations")}
            assert "m001_initial" in names and {"documents", *CHILDREN, "assessments"} <= tables
        else:
            assert not tables & {"documents", *CHILDREN}
        for fts in ("documents_fts", "commitments_fts", "progress_fts"):
            if fts in tables:
                conn.execute(f"INSERT INTO [{fts}]([{fts}]) VALUES ('integrity-check')")
        conn.rollback()
    finally:
        conn.close()


def assert_whole_documents(got: dict[str, Any], reference: dict[str, Any]) -> None:
    """Every stored document has exactly the rows the reference has for it; nothing else is stored."""
    docs = set(got.get("documents", {}))
    assert docs <= set(reference["documents"])
    for table in CHILDREN:
        rows = got.get(table, {})
        want = {i: r for i, r in reference[table].items() if r["document_id"] in docs}
        assert rows == want, f"{table}: {len(rows)} rows, {len(want)} expected for {len(docs)} documents"
    for i in docs:
        assert got["documents"][i] == reference["documents"][i]


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Bulk replies in a JSON Lines file plus the seed documents; the corpus files alone without ../shared."""
    if not BULK.exists():
        return [str(p) for p in sorted(RAW.glob("*.txt"))]
    lines = BULK.read_text(encoding="utf-8").splitlines(keepends=True)[:N_BULK]
    path = tmp_path_factory.mktemp("batch") / "replies.jsonl"
    path.write_text("".join(lines), encoding="utf-8")
    return [str(path), *map(str, SEED_FILES)]


@pytest.fixture(scope="module")
def reference(batch: list[str], tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], float, float]:
    """The reference database from one uninterrupted run; how long the run took, and when its first
    document was committed (watched from outside, to place the kills)."""
    db = tmp_path_factory.mktemp("reference") / "ref.db"
    start = time.monotonic()
    proc = subprocess.Popen(sqzl("track", "add", str(db), *batch, "-q"))
    first = None
    while proc.poll() is None:
        if first is None and db.exists():
            try:
                if sqlite3.connect(db).execute("SELECT 1 FROM documents LIMIT 1").fetchone():
                    first = time.monotonic() - start
            except sqlite3.Error:
                pass
        time.sleep(0.02)
    took = time.monotonic() - start
    assert proc.returncode == 0
    got = snapshot(db)
    assert len(got["documents"]) >= 20 and got["commitments"] and got["progress"]
    return got, took, first or took / 3


ROUND = ("migration", "migration", "startup", "middle", "startup", "middle", "middle", "startup", "middle",
         "middle", "end", "end")  # the kills of one round; then the batch is finished and checked


def _documents(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(db, timeout=0.1)
        try:
            return int(conn.execute("SELECT count(*) FROM documents").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def _run_and_kill(cmd: list[str], when: Any, extra: float) -> int:
    """Run ``cmd``; once ``when()`` holds, wait ``extra`` seconds more and SIGKILL it. The exit code."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while proc.poll() is None and time.monotonic() < deadline:
        if when():
            time.sleep(extra)
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.005)
    return proc.wait(timeout=60)


def test_sigkill_mid_batch_leaves_whole_documents_and_the_next_run_finishes(
        batch: list[str], reference: tuple[dict[str, Any], float, float], tmp_path: Path) -> None:
    """Rounds of kills on one database: twice while a new file gets its schema, at random moments of
    startup, at random points mid-batch (a random number of documents further on, plus up to 30 ms),
    and within the last few documents; after every kill the database is checked, and after each round
    a run without a kill must finish the batch and leave the database equal to the reference."""
    ref, took, first = reference
    n = len(ref["documents"])
    rng = random.Random(int(os.environ.get("SQZL_KILL_SEED", "7")))
    db = tmp_path / "killed.db"
    cmd = sqzl("track", "add", str(db), *batch, "-q")
    killed: dict[str, int] = dict.fromkeys(ROUND, 0)
    stored: list[int] = []
    for i in range(KILLS):
        phase = ROUND[i % len(ROUND)]
        have = _documents(db)
        if phase == "migration":
            if have == 0:  # nothing to lose: a new file, so the kill lands while the schema is made
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{db}{suffix}").unlink(missing_ok=True)
            code = _run_and_kill(cmd, db.exists, rng.uniform(0, 0.1))
        elif phase == "startup":
            t0, delay = time.monotonic(), rng.uniform(0, 1) * first
            code = _run_and_kill(cmd, lambda: time.monotonic() - t0 >= delay, 0)
        else:
            target = (have + rng.randint(1, max(1, (n - have) // 4)) if phase == "middle"
                      else n - rng.randint(0, 2))
            extra = rng.uniform(0, 0.03 if phase == "middle" else 0.05)
            code = _run_and_kill(cmd, lambda: _documents(db) >= target, extra)
        killed[phase] += code == -signal.SIGKILL
        assert code in (0, -signal.SIGKILL)
        assert_sound(db)
        got = snapshot(db)
        assert_whole_documents(got, ref)
        stored.append(len(got.get("documents", {})))
        if i % len(ROUND) == len(ROUND) - 1 or i == KILLS - 1:  # the round ends: the next run finishes it
            assert subprocess.run(cmd, timeout=600).returncode == 0
            assert_sound(db)
            assert snapshot(db) == ref
            conn = sqlite3.connect(db)
            assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == n
            conn.close()
            if i < KILLS - 1:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{db}{suffix}").unlink(missing_ok=True)
    print(f"\nkills survived: {sum(killed.values())} of {KILLS} runs ({killed}); documents stored after each: {stored}")
    assert sum(killed.values()) >= KILLS // 2


def test_two_writers_at_once_on_a_new_database_store_the_union(
        batch: list[str], reference: tuple[dict[str, Any], float, float], tmp_path: Path) -> None:
    ref = reference[0]
    jsonl = [p for p in batch if p.endswith(".jsonl")]
    files = [p for p in batch if not p.endswith(".jsonl")]
    halves: list[list[str]] = [files[: len(files) // 2 + 1], files[len(files) // 2:]]  # one file in both
    if jsonl:
        lines = Path(jsonl[0]).read_text(encoding="utf-8").splitlines(keepends=True)
        for k, part in enumerate((lines[: len(lines) // 2], lines[len(lines) // 2:])):
            (tmp_path / f"part{k}.jsonl").write_text("".join(part), encoding="utf-8")
            halves[k].append(str(tmp_path / f"part{k}.jsonl"))
    db = tmp_path / "two.db"
    procs = [subprocess.Popen(sqzl("track", "add", str(db), *half), stderr=subprocess.PIPE, text=True)
             for half in halves]
    results = [(p.wait(timeout=600), p.stderr.read() if p.stderr else "") for p in procs]
    for code, err in results:
        assert code == 0, err
        assert "Traceback" not in err
    assert_sound(db)
    got = snapshot(db)
    assert _without_source(got) == _without_source(ref)  # the JSON Lines file a reply came from differs
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0] == len(schema.MIGRATIONS._migrations)


def _without_source(snap: dict[str, Any]) -> dict[str, Any]:
    docs = {i: {k: v for k, v in r.items() if k not in ("source", "sources")} for i, r in snap["documents"].items()}
    return {**snap, "documents": docs}


def test_migrations_race_safely(tmp_path: Path) -> None:
    """Two connections opening the same new file at once: the schema is made once, both go on."""
    for n in range(8):
        path = tmp_path / f"race{n}.db"
        errors: list[BaseException] = []
        barrier = threading.Barrier(2)

        def open_it() -> None:
            try:
                barrier.wait()
                schema.connect(path).close()
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=open_it) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not errors, errors
        names = [r[0] for r in sqlite3.connect(path).execute("SELECT name FROM _sqlite_migrations")]
        assert names == [m.name for m in schema.MIGRATIONS._migrations]


def test_a_writer_that_cannot_get_the_lock_exits_2_with_a_clear_message(tmp_path: Path) -> None:
    for fresh in (True, False):
        db = tmp_path / ("fresh.db" if fresh else "old.db")
        if not fresh:
            schema.connect(db).close()
        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
        try:
            result = subprocess.run(sqzl("track", "add", str(db), str(SEEDS[0]), "--busy-timeout", "0.5"),
                                    capture_output=True, text=True, timeout=120)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert result.returncode == 2, result.stderr
        assert str(db) in result.stderr and "another sqzl process is writing" in result.stderr
        assert "Traceback" not in result.stderr
        assert_sound(db)
    assert store.add(schema.connect(db), [sqzl_docs.parse(SEEDS[0])])["added"] == 1  # the lock is free again


def test_every_tracker_connection_has_a_busy_timeout(tmp_path: Path) -> None:
    from sqzl_docs import cli

    db = schema.connect(tmp_path / "t.db", busy_timeout=2.5)
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 2500
    assert cli.BUSY_TIMEOUT == schema.BUSY_TIMEOUT


# Verdicts and a new extractor version


@pytest.fixture()
def seeded(tmp_path: Path) -> tuple[sqlite_utils.Database, list[Document]]:
    db = schema.connect(tmp_path / "v.db")
    docs = [sqzl_docs.parse(p) for p in SEEDS]
    store.add(db, docs)
    link.link(db, as_of=dt.date(2023, 12, 28))
    return db, docs


def _new_version(doc: Document, change: dict[str, str | None]) -> Document:
    """The document as a new extractor version would give it: commitments (by text) shortened by one
    character at the end (value "shorten"), or dropped (value None)."""
    commitments = []
    for c in doc.commitments:
        what = change.get(c.span.text, "keep")
        if what is None:
            continue
        if what == "shorten":
            span = Span(start=c.span.start, end=c.span.end - 1, text=c.span.text[:-1])
            c = c.model_copy(update={"span": span})
        commitments.append(c)
    return doc.model_copy(update={"commitments": commitments,
                                  "extractors": {**doc.extractors, "commitments": 999}})


def _status(db: sqlite_utils.Database) -> dict[str, dict[str, Any]]:
    return {r["commitment_id"]: r for r in db.query("SELECT * FROM commitment_status")}


def _history(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM assessments ORDER BY id"))


def test_a_changed_commitment_is_retired_and_its_verdict_carried_forward(
        seeded: tuple[sqlite_utils.Database, list[Document]]) -> None:
    db, docs = seeded
    parent = next(db.query("SELECT id FROM commitments WHERE text = '推进社区综合服务设施建设'"))["id"]
    multi = {r["target_text"]: r["id"] for r in db.query(  # its target clauses, one row each
        "SELECT id, target_text FROM commitments WHERE parent_id = ? AND id != ?", [parent, parent])}
    one = next(db.query("SELECT id FROM commitments WHERE text = '推广老旧小区治理经验'"))["id"]
    gone = next(db.query("SELECT id FROM commitments WHERE text = '强化社区人才队伍建设'"))["id"]
    review.verdict(db, one, "in_progress", note="现场会已召开", reviewer="张三",
                   evidence=["建成区县社会工作指导中心41个"])
    review.verdict(db, multi["70%以上"], "overdue", note="未见70%的数据", reviewer="李四")
    review.verdict(db, gone, "not_verifiable", note="无期限", reviewer="张三")
    before = _history(db)
    n_before = len(review.report_rows(db))

    newer = _new_version(docs[0], {"推广老旧小区治理经验": "shorten",
                                   "推进社区综合服务设施建设": "shorten", "强化社区人才队伍建设": None})
    assert store.add(db, [newer, docs[1]])["updated"] == 1
    assert _history(db)[: len(before)] == before  # the history is only appended to

    retired = {r["id"]: r for r in db.query("SELECT * FROM commitments WHERE retired_at IS NOT NULL")}
    assert set(retired) == {one, parent, *multi.values()}
    status = _status(db)
    assert not set(retired) & set(status)  # no stale duplicates
    # the judged commitment the new version dropped, with nothing to replace it, is kept with its verdict
    assert status[gone]["status"] == "not_verifiable" and status[gone]["assessor"] == "human:张三"
    successor = status[retired[one]["superseded_by"]]
    assert successor["commitment"] == "推广老旧小区治理经" and successor["status"] == "in_progress"
    assert successor["assessor"] == "human:张三" and successor["review_state"] == "carried_forward"
    by_target = status[retired[multi["70%以上"]]["superseded_by"]]
    assert by_target["target_text"] == "70%以上" and by_target["status"] == "overdue"
    other = status[retired[multi["不低于30平方米"]]["superseded_by"]]
    assert other["target_text"] == "不低于30平方米" and not (other["assessor"] or "").startswith("human:")

    rows = review.report_rows(db)
    assert len(rows) == n_before  # the changed ones replaced, the dropped judged one kept
    assert len({(r["document"], r["commitment"], r["target"]) for r in rows}) == len(rows)
    carried = next(r for r in rows if r["id"] == successor["commitment_id"])
    assert carried["evidence"] == ["建成区县社会工作指导中心41个"]

    # re-linking with another date, re-adding the same documents: the carried verdicts stay
    link.link(db, as_of=dt.date(2026, 1, 1))
    assert store.add(db, [newer, docs[1]])["unchanged"] == 2
    link.link(db, as_of=dt.date(2024, 6, 1))
    status = _status(db)
    assert status[successor["commitment_id"]]["assessor"] == "human:张三"
    assert status[by_target["commitment_id"]]["status"] == "overdue"
    with pytest.raises(review.ReviewError, match="retired"):
        review.verdict(db, one, "fulfilled", note="x")

    # the old extractor again: the original rows come back, with their own verdicts
    assert store.add(db, [docs[0]])["updated"] == 1
    status = _status(db)
    assert status[one]["assessor"] == "human:张三" and status[one]["review_state"] == "human_confirmed"
    assert successor["commitment_id"] not in status
    assert _history(db)[: len(before)] == before


def test_successor_rule() -> None:
    old = {"id": "a", "text": "推进社区综合服务设施建设", "start": 100, "end": 112, "target_text": None}
    far = {"id": "b", "text": "完全不同的一句话", "start": 300, "end": 308, "target_text": None}
    moved = {"id": "c", "text": "推进社区综合服务设施建设工作", "start": 500, "end": 514,
             "target_text": None}
    overlapping = {"id": "d", "text": "社区综合服务", "start": 102, "end": 108, "target_text": None}
    assert supersede.successor(old, [far]) is None
    assert supersede.successor(old, [far, moved])["id"] == "c"  # type: ignore[index]
    assert supersede.successor(old, [moved, overlapping])["id"] == "d"  # type: ignore[index]


def test_a_schema_v1_database_is_migrated_and_keeps_its_verdicts(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    shutil.copy(V1, path)
    old = sqlite3.connect(path)
    assert [r[0] for r in old.execute("SELECT name FROM _sqlite_migrations")] == ["m001_initial"]
    history = old.execute("SELECT * FROM assessments ORDER BY id").fetchall()
    verdicts = {r[0]: r[1] for r in old.execute(
        "SELECT commitment_id, status FROM assessments WHERE assessor LIKE 'human:%'")}
    n_commitments = old.execute("SELECT count(*) FROM commitments").fetchone()[0]
    old.close()
    assert len(verdicts) == 3

    db = schema.connect(path)
    assert [m.name for m in schema.MIGRATIONS.applied(db)] == ["m001_initial", "m002_retired_commitments",
                                                             "m003_application_id", "m004_targets_and_sources"]
    assert db.execute("PRAGMA application_id").fetchone()[0] == schema.APPLICATION_ID
    assert_sound(path)
    assert db.execute("SELECT * FROM assessments ORDER BY id").fetchall() == history

    def check() -> None:
        status = _status(db)
        assert len(status) == db.execute("SELECT count(*) FROM commitments WHERE retired_at IS NULL").fetchone()[0]
        assert len(status) >= n_commitments
        for cid, want in verdicts.items():
            assert status[cid]["status"] == want and status[cid]["assessor"] == "human:审核人"
        rows = {r["id"]: r for r in review.report_rows(db)}
        assert {cid: rows[cid]["status"] for cid in verdicts} == verdicts
        assert all(rows[cid]["evidence"] for cid in verdicts)

    check()
    # the fixture's documents were extracted by an older extractor: they are re-extracted once (the
    # extractor version follows the extraction code and data), then left alone
    assert store.add(db, [sqzl_docs.parse(p) for p in SEEDS])["updated"] == 2
    check()
    assert store.add(db, [sqzl_docs.parse(p) for p in SEEDS])["unchanged"] == 2
    link.link(db, as_of=dt.date(2025, 3, 1))
    check()
    bumped = [d.model_copy(update={"extractors": {**d.extractors, "commitments": 999}})
              for d in (sqzl_docs.parse(p) for p in SEEDS)]
    assert store.add(db, bumped)["updated"] == 2
    link.link(db, as_of=dt.date(2023, 12, 28))
    check()
    assert db.execute("SELECT * FROM assessments ORDER BY id").fetchall()[: len(history)] == history
    assert_sound(path)


def test_the_migration_retires_rows_an_earlier_extractor_version_left_behind(tmp_path: Path) -> None:
    """A v1 database where a re-extraction had left the old row of a changed commitment beside the new one
    (the stale duplicate m002 exists for): the migration retires it and carries its verdict forward."""
    path = tmp_path / "v1.db"
    shutil.copy(V1, path)
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    old = dict(conn.execute("SELECT * FROM commitments WHERE text = '推广老旧小区治理经验'").fetchone())
    with conn:
        conn.execute("UPDATE documents SET extractor_version = 'newer' WHERE id = ?", [old["document_id"]])
        conn.execute("UPDATE commitments SET extractor_version = 'newer' WHERE document_id = ? AND id != ?",
                     [old["document_id"], old["id"]])
        new = {**old, "id": "0" * 20, "text": old["text"][:-1], "end": old["end"] - 1, "extractor_version": "newer"}
        conn.execute(f"INSERT INTO commitments ({', '.join(new)}) VALUES ({', '.join('?' * len(new))})",
                     list(new.values()))
    conn.close()
    db = schema.connect(path)
    retired = list(db.query("SELECT id, superseded_by FROM commitments WHERE retired_at IS NOT NULL"))
    assert retired == [{"id": old["id"], "superseded_by": new["id"]}]
    status = _status(db)
    assert old["id"] not in status
    assert status[new["id"]]["assessor"] == "human:审核人" and status[new["id"]]["status"] == "in_progress"
    assert status[new["id"]]["review_state"] == "carried_forward"
    assert_sound(path)
