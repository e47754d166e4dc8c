"""The commitment tracker: seed-pair verdicts, idempotent re-runs, append-only history, Chinese search."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils
import yaml
from typer.testing import CliRunner

import sqzl_docs
from sqzl_docs.cli import app
from sqzl_docs.tracker import link, review, store
from sqzl_docs.tracker.text import fts_query

from .conftest import RAW

SEEDS = [RAW / "000_a8a32f0196afeb02.txt", RAW / "003_bae5fa7c6a583b1e.txt"]
READING = yaml.safe_load((Path(__file__).parent / "data" / "seed_pair.yaml").read_text(encoding="utf-8"))


@pytest.fixture()
def db(tmp_path: Path) -> sqlite_utils.Database:
    database = sqlite_utils.Database(tmp_path / "t.db")
    store.add(database, [sqzl_docs.parse(p) for p in SEEDS])
    link.link(database, as_of=dt.date.fromisoformat(str(READING["as_of"])))
    return database


def _status(db: sqlite_utils.Database) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for r in db.query("SELECT p.text AS commitment, s.status FROM commitment_status s "
                      "JOIN commitments c ON c.id = s.commitment_id JOIN commitments p ON p.id = c.parent_id "
                      "JOIN documents d ON d.id = s.document_id WHERE d.issuer = '重庆市民政局'"):
        out.setdefault(r["commitment"], set()).add(r["status"])
    return out


def test_seed_pair_statuses_match_the_written_reading(db: sqlite_utils.Database) -> None:
    """Each commitment, and the target clauses tracked under it (same parent), has the reader's status."""
    got = _status(db)
    assert len(got) == 6
    for item in READING["commitments"]:
        assert got[item["text"]] == {item["status"]}, f"{item['text']}: {got[item['text']]} ({item['why']})"


def test_evidence_is_later_same_line_and_quoted_verbatim(db: sqlite_utils.Database) -> None:
    rows = list(db.query("""SELECT e.*, c.doc_date AS c_date, d.doc_date AS e_date, d.text AS text,
                                   cd.jurisdiction AS c_line, d.jurisdiction AS e_line
                            FROM evidence e JOIN commitments c ON c.id = e.commitment_id
                            JOIN documents d ON d.id = e.document_id JOIN documents cd ON cd.id = c.document_id"""))
    assert rows
    for r in rows:
        assert r["e_date"] > r["c_date"]
        assert r["e_line"] == r["c_line"] == "重庆市"
        assert r["text"][r["start"]:r["end"]] == r["quote"]
        assert json.loads(r["reasons"])


def test_re_adding_and_re_linking_change_nothing(db: sqlite_utils.Database) -> None:
    before = {t: db[t].count for t in db.table_names()}
    counts = store.add(db, [sqzl_docs.parse(p) for p in SEEDS])
    assert counts["unchanged"] == 2 and counts["added"] == counts["updated"] == 0
    link.link(db, as_of=dt.date(2023, 12, 28))
    after = {t: db[t].count for t in db.table_names()}
    assert {k: v for k, v in after.items() if k != "runs"} == {k: v for k, v in before.items() if k != "runs"}


def test_assessments_are_append_only(db: sqlite_utils.Database) -> None:
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE assessments SET status = 'fulfilled'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM assessments")


def test_reviewer_verdict_survives_relink_reextraction_and_new_extractor_version(db: sqlite_utils.Database) -> None:
    cid = next(db.query("SELECT id FROM commitments WHERE text = '推广老旧小区治理经验'"))["id"]
    quote = "建成区县社会工作指导中心41个"
    review.verdict(db, cid[:10], "in_progress", note="现场会已召开（审核人核实）", reviewer="张三", evidence=[quote])
    link.link(db, as_of=dt.date(2025, 1, 1))
    newer = sqzl_docs.parse(SEEDS[0])
    newer = newer.model_copy(update={"extractors": {**newer.extractors, "commitments": 99}})
    assert store.add(db, [newer])["updated"] == 1
    link.link(db, as_of=dt.date(2025, 6, 1))
    row = next(db.query("SELECT status, assessor FROM commitment_status WHERE commitment_id = ?", [cid]))
    assert row == {"status": "in_progress", "assessor": "human:张三"}
    machine = list(db.query("SELECT status FROM assessments WHERE commitment_id = ? AND assessor LIKE 'machine:%'",
                            [cid]))
    assert machine  # the machine's own history is kept beside the reviewer's


def test_verdict_checks_status_and_quotes(db: sqlite_utils.Database) -> None:
    cid = next(db.query("SELECT id FROM commitments LIMIT 1"))["id"]
    with pytest.raises(review.ReviewError):
        review.verdict(db, cid, "kept", note="x")
    with pytest.raises(review.ReviewError, match="not found verbatim"):
        review.verdict(db, cid, "fulfilled", note="x", evidence=["这句话不在任何文件里"])


def test_chinese_full_text_search_finds_a_two_character_word(db: sqlite_utils.Database) -> None:
    hits = list(db.query("SELECT c.text FROM commitments_fts f JOIN commitments c ON c.rowid = f.rowid "
                         "WHERE commitments_fts MATCH ?", [fts_query("社区")]))
    assert "持续开展社区减负行动" in {h["text"] for h in hits}
    docs = list(db.query("SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?", [fts_query("减负")]))
    assert len(docs) == 2


def test_wal_mode(db: sqlite_utils.Database) -> None:
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_one_tracked_commitment_per_target_clause(db: sqlite_utils.Database) -> None:
    """A commitment promising figures in its body keeps its own row and gets one row per target clause,
    the clause as its text (issue 12)."""
    parent = db.execute("SELECT id FROM commitments WHERE text = '推进社区综合服务设施建设'").fetchone()[0]
    rows = list(db.query("SELECT text, target_text, target_qualifier, indicator FROM commitments "
                         "WHERE parent_id = ? AND id != ?", [parent, parent]))
    assert sorted(r["target_text"] for r in rows) == ["70%以上", "不低于30平方米"]
    assert all(r["target_text"] in r["text"] and r["target_qualifier"] == "gte" for r in rows)
    assert any(r["text"].startswith("全市70%以上城乡社区达到每百户居民") for r in rows)


def test_a_clause_with_two_indicators_gives_a_row_per_indicator(tmp_path: Path) -> None:
    """城镇调查失业率、城镇登记失业率分别为4.8%左右和4.3%左右: one clause, a row for each indicator, both
    standing where the clause does (issue 12); a work report's sub-item heading is a row too."""
    text = ("各位代表：\n一、2022年工作回顾\n新建公园12座。\n二、2023年主要任务\n今年发展的主要预期目标是：地区生产总值"
            "增长6%左右，农村居民收入、城镇居民收入分别增长7%左右和6%左右。\n（一）扩大内需。围绕消费发力。\n"
            "加快建设国际消费中心城市。\n各位代表！")
    db = sqlite_utils.Database(tmp_path / "r.db")
    store.add(db, [sqzl_docs.parse_text(text, "plan.txt")])
    rows = list(db.query("SELECT text, target_text, indicator, start, end FROM commitments ORDER BY start, indicator"))
    both = [r for r in rows if r["text"] == "农村居民收入、城镇居民收入分别增长7%左右和6%左右"]
    assert sorted((r["indicator"], r["target_text"]) for r in both) == [("农村居民收入", "7%左右"), ("城镇居民收入", "6%左右")]
    assert len({(r["start"], r["end"]) for r in both}) == 1
    assert "加快建设国际消费中心城市" in {r["text"] for r in rows}


def test_track_cli_round_trip(tmp_path: Path) -> None:
    runner = CliRunner()
    dbp = tmp_path / "c.db"
    assert runner.invoke(app, ["track", "add", str(dbp), *map(str, SEEDS)]).exit_code == 0
    assert runner.invoke(app, ["track", "link", str(dbp), "--as-of", "2023-12-28"]).exit_code == 0
    result = runner.invoke(app, ["track", "report", str(dbp), "--format", "json", "--status", "fulfilled"])
    rows = json.loads(result.stdout)
    assert [r["commitment"] for r in rows] == ["着力提升社区服务专业化水平"]
    assert {"commitment", "document", "deadline", "departments", "status", "evidence", "rationale"} <= set(rows[0])
    assert rows[0]["evidence"] and "社会工作指导中心41个" in rows[0]["evidence"][0]
    overdue = runner.invoke(app, ["track", "report", str(dbp), "--due-before", "2022-01-01", "--format", "csv"])
    assert "推进社区综合服务设施建设" in overdue.stdout
    cid = rows[0]["id"]
    ok = runner.invoke(app, ["track", "verdict", str(dbp), cid, "partially_fulfilled", "--note", "专业化水平难以衡量"])
    assert ok.exit_code == 0
    result = runner.invoke(app, ["track", "report", str(dbp), "--format", "json", "--status", "partially_fulfilled"])
    assert cid in {r["id"] for r in json.loads(result.stdout)}
    assert runner.invoke(app, ["track", "verdict", str(dbp), cid, "done", "--note", "x"]).exit_code == 2


def test_missing_database_is_a_clear_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["track", "report", str(tmp_path / "nope.db")])
    assert result.exit_code == 2 and "no tracker database" in result.stderr
    made = tmp_path / "new" / "dir" / "t.db"
    assert CliRunner().invoke(app, ["track", "add", str(made), str(SEEDS[0]), "-q"]).exit_code == 0
    assert made.is_file()
