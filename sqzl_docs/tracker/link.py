"""Linking commitments to later progress statements, and the machine's verdicts.

Candidates for a commitment are progress statements of documents dated after it, of the same
government line (same jurisdiction, or issued by a department the commitment names), never earlier
ones. Each pair is
scored by BM25-weighted topic overlap over jieba words (the commitment's keywords and heading), shared
departments, and metrics in the same unit; the reasons are kept with the link. An inverted index
over the candidates' words keeps the work proportional to the matches, not to all pairs.

The verdict rules follow promise-tracking practice (PolitiFact, Polimeter, the CPPG):
- not testable → ``not_verifiable``;
- a quantitative target is compared with the reported value in the same unit (ratio kept): met →
  ``fulfilled``, short → ``partially_fulfilled``; without a reported value a target is not fulfilled;
- strong evidence (a completion statement on the topic) → ``fulfilled``; delivered after the deadline
  → ``partially_fulfilled`` (late); a period still running on the as-of date → ``in_progress``;
- effort alone (高度重视, 积极推进) is never fulfilment;
- deadline passed without fulfilment evidence → ``overdue`` (as of the date given);
- evidence of action without completion → ``in_progress``; later reports with nothing relevant →
  ``no_evidence``; no later report of the same line → ``not_assessed``.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from .. import lexicon

from .schema import migrate, write
from .store import _now, row_id
from .text import tokens

RULE_VERSION = "link/1"
LINK_COVERAGE = 0.34  # share of the query's IDF weight a statement must cover to be linked
STRONG_COVERAGE = 0.40
_DONE = re.compile(r"已|建成|完成|实现|达到|出台|建立|印发|制定|成立|覆盖|开通|设立|组建|召开|发布|新增|累计|打造")
_ACTION = re.compile(r"推进|开展|实施|推动|部署|启动|试点|研究|编制|指导")
_EFFORT = re.compile(r"高度重视|积极推进|认真研究|大力推进|持续推进|加快推进|积极协调|努力")
@functools.cache
def _stop() -> frozenset[str]:
    """Words that say nothing about a topic (data/topic_words.yaml)."""
    words = lexicon.load("topic_words.yaml")
    return frozenset(words["stop_words"] + words["link_stop_words"])


@dataclass
class Statement:
    id: str
    document_id: str
    doc_date: str
    text: str
    start: int
    end: int
    words: Counter[str]
    length: int
    metrics: list[dict[str, Any]] = field(default_factory=list)


class Index:
    """BM25 over the jieba words of progress statements, with postings per word."""

    def __init__(self, statements: list[Statement]) -> None:
        self.statements = statements
        self.postings: dict[str, list[int]] = defaultdict(list)
        for i, s in enumerate(statements):
            for w in s.words:
                self.postings[w].append(i)
        n = max(1, len(statements))
        self.idf = {w: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for w, p in self.postings.items()}
        self.avg = sum(s.length for s in statements) / n if statements else 1.0

    def scores(self, query: list[str], allowed: set[int] | None) -> dict[int, tuple[float, float, list[str]]]:
        """statement index → (bm25, coverage of the query's IDF weight, words matched)."""
        weights = {w: self.idf.get(w, math.log(1 + len(self.statements) + 0.5)) for w in set(query)}
        total = sum(weights.values()) or 1.0
        out: dict[int, list[Any]] = {}
        for w in weights:
            for i in self.postings.get(w, ()):
                if allowed is not None and i not in allowed:
                    continue
                s = self.statements[i]
                tf = s.words[w]
                bm = weights[w] * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * s.length / self.avg))
                acc = out.setdefault(i, [0.0, 0.0, []])
                acc[0] += bm
                acc[1] += weights[w] / total
                acc[2].append(w)
        return {i: (v[0], v[1], v[2]) for i, v in out.items()}


def link(db: Database, *, as_of: dt.date | None = None) -> Counter[str]:
    """Link every commitment to later progress statements and append the machine's assessments (one
    transaction under the write lock, so what is read is what the links are written against)."""
    migrate(db)
    with write(db):
        return _link(db, as_of or dt.date.today())


def _link(db: Database, as_of: dt.date) -> Counter[str]:
    documents = {r["id"]: r for r in db.query("SELECT id, jurisdiction, doc_date, issuer FROM documents")}
    dept_docs: dict[str, set[str]] = defaultdict(set)  # department → the documents it issued
    for r in documents.values():
        if r["issuer"]:
            dept_docs[r["issuer"]].add(r["id"])
    metrics_by_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in db.query("SELECT document_id, start, end, value, unit, subject, qualifier FROM metrics"):
        metrics_by_doc[r["document_id"]].append(r)
    statements = []
    stop = _stop()
    for r in db.query("SELECT id, document_id, doc_date, text, text_seg, start, end FROM progress ORDER BY rowid"):
        words = Counter(w for w in (r["text_seg"] or "").split() if w not in stop)
        s = Statement(r["id"], r["document_id"], r["doc_date"] or "", r["text"], r["start"], r["end"], words,
                      sum(words.values()) or 1)
        s.metrics = [m for m in metrics_by_doc[r["document_id"]] if s.start <= m["start"] < s.end]
        statements.append(s)
    by_line: dict[str, list[Statement]] = defaultdict(list)
    for st in statements:
        line = documents.get(st.document_id, {}).get("jurisdiction")
        if line:
            by_line[line].append(st)
    indexes = {line: Index(items) for line, items in by_line.items()}  # one index per government line
    counts: Counter[str] = Counter()
    latest = _latest_machine(db)
    texts = {r["id"]: r["text"] for r in db.query("SELECT id, text FROM documents")}
    evidence_rows: list[dict[str, Any]] = []
    assessment_rows: list[dict[str, Any]] = []
    for c in list(db.query("SELECT * FROM commitments WHERE retired_at IS NULL ORDER BY rowid")):
        doc = documents[c["document_id"]]
        pools = _candidates(c, doc, documents, indexes, dept_docs)
        status, evidence, rationale, strength, ratio, late = _assess(c, pools, as_of)
        _collect(c, status, evidence, rationale, strength, ratio, late, as_of, latest, texts,
                 evidence_rows, assessment_rows)
        counts[status] += 1
    if evidence_rows:
        db["evidence"].upsert_all(evidence_rows, pk="id", batch_size=500)
    if assessment_rows:
        db["assessments"].insert_all(assessment_rows, batch_size=500)
    return counts


def _candidates(c: dict[str, Any], doc: dict[str, Any], documents: dict[str, dict[str, Any]],
                indexes: dict[str, Index], dept_docs: dict[str, set[str]]) -> list[tuple[Index, set[int]]]:
    """Per government line, the statements of documents dated after the commitment: the same
    jurisdiction, and documents issued by one of the commitment's departments."""
    date = c["doc_date"] or ""
    if not date:
        return []
    wanted: dict[str, set[str] | None] = {}
    if doc["jurisdiction"] in indexes:
        wanted[doc["jurisdiction"]] = None  # every document of the line
    for name in json.loads(c["departments"] or "[]"):
        for other in dept_docs.get(name, ()):
            line = documents[other]["jurisdiction"]
            if line in indexes and wanted.get(line, set()) is not None:
                wanted.setdefault(line, set()).add(other)  # type: ignore[union-attr]
    pools = []
    for line, only in wanted.items():
        index = indexes[line]
        allowed = {i for i, st in enumerate(index.statements)
                   if st.doc_date > date and st.document_id != c["document_id"]
                   and (only is None or st.document_id in only)}
        if allowed:
            pools.append((index, allowed))
    return pools


def _assess(c: dict[str, Any], pools: list[tuple[Index, set[int]]], as_of: dt.date
            ) -> tuple[str, list[dict[str, Any]], str, str | None, float | None, bool]:
    deadline = dt.date.fromisoformat(c["deadline_end"]) if c["deadline_end"] else None
    passed = deadline is not None and deadline < as_of
    if not c["testable"]:
        return "not_verifiable", [], "Not testable: no deadline, measurable target or concrete deliverable.", \
            None, None, False
    query = [w for w in json.loads(c["keywords"] or "[]") + tokens(c["text"]) if w not in _stop()]
    scored = [(index.statements[i], v) for index, allowed in pools for i, v in index.scores(query, allowed).items()]
    links = []
    for s, (bm25, coverage, words) in sorted(scored, key=lambda kv: -kv[1][0])[:5]:
        if coverage < LINK_COVERAGE:
            continue
        strength = _strength(s.text, coverage)
        reasons = [f"topic words: {'、'.join(sorted(set(words)))} (coverage {coverage:.2f}, BM25 {bm25:.2f})"]
        reported = _reported_value(c, s)
        if reported is not None:
            reasons.append(f"reported {reported['value']:g}{c['target_unit']} against target {c['target_text']}")
        links.append({"statement": s, "score": round(bm25, 3), "coverage": coverage, "strength": strength,
                      "reasons": reasons, "reported": reported})
    if not pools:
        if passed:
            return "overdue", [], f"Deadline {deadline} has passed as of {as_of}; no later report of the same " \
                                  "government to show it was met.", None, None, False
        return "not_assessed", [], "No later document of the same government line to assess against.", \
            None, None, False
    if not links:
        if passed:
            return "overdue", [], f"Deadline {deadline} passed as of {as_of}; later reports say nothing on it.", \
                None, None, False
        return "no_evidence", [], "Later reports of the same government say nothing relevant.", None, None, False
    best = max(links, key=lambda x: ({"strong": 2, "moderate": 1, "weak": 0}[x["strength"]], x["score"]))
    evidence_date = dt.date.fromisoformat(best["statement"].doc_date)
    late = deadline is not None and evidence_date > deadline
    if c["target_unit"]:
        quant = [x for x in links if x["reported"] is not None]
        if quant:
            x = quant[0]
            ratio = _ratio(c, x["reported"]["value"])
            if ratio >= 1:
                status = "partially_fulfilled" if late else "fulfilled"
                why = f"Reported {x['reported']['value']:g}{c['target_unit']} meets the target {c['target_text']}"
            else:
                status = "partially_fulfilled"
                why = f"Reported {x['reported']['value']:g}{c['target_unit']} is {ratio:.0%} of the target {c['target_text']}"
            if late:
                why += f", reported after the deadline {deadline}"
            return status, [x], why + ".", "strong", ratio, late
        if passed:
            return "overdue", links[:3], f"Deadline {deadline} passed as of {as_of}; later reports give no value " \
                f"for the target {c['target_text']}.", best["strength"], None, False
        return "in_progress", links[:3], f"Related action reported, but no value yet for the target " \
            f"{c['target_text']}.", best["strength"], None, False
    if best["strength"] == "strong":
        running = c["deadline_source"] == "plan_period" and deadline is not None and as_of < deadline
        if running:
            return "in_progress", [best], f"Completion reported on the topic, but the plan period runs to " \
                f"{deadline}.", "strong", None, False
        if late:
            return "partially_fulfilled", [best], f"Completion reported in a document of {evidence_date}, after " \
                f"the deadline {deadline}.", "strong", None, True
        return "fulfilled", [best], "A later report states completion on the topic.", "strong", None, False
    if passed:
        return "overdue", links[:3], f"Deadline {deadline} passed as of {as_of}; later reports show action but " \
            "no completion.", best["strength"], None, False
    if best["strength"] == "moderate":
        return "in_progress", links[:3], "Later reports show action on it, not completion.", "moderate", None, False
    return "no_evidence", links[:3], "Only topical mentions or statements of effort in later reports.", \
        "weak", None, False


def _strength(text: str, coverage: float) -> str:
    if _DONE.search(text) and coverage >= STRONG_COVERAGE:
        return "strong"
    if (_DONE.search(text) or _ACTION.search(text)) and not (_EFFORT.search(text) and not _DONE.search(text)):
        return "moderate"
    return "weak"


def _reported_value(c: dict[str, Any], s: Statement) -> dict[str, Any] | None:
    """A figure in the statement in the target's unit (and on its subject when both have one)."""
    if not c["target_unit"]:
        return None
    for m in s.metrics:
        if m["unit"] != c["target_unit"]:
            continue
        if c["target_subject"] and m["subject"] and not set(c["target_subject"]) & set(m["subject"]):
            continue
        return m
    return None


def _ratio(c: dict[str, Any], reported: float) -> float:
    target = c["target_value"] or 0.0
    if c["target_qualifier"] == "lte":
        return 1.0 if reported <= target else target / reported if reported else 0.0
    return reported / target if target else 0.0


def _latest_machine(db: Database) -> dict[str, tuple[str, str, str]]:
    out = {}
    for r in db.query("SELECT commitment_id, status, evidence_ids, as_of FROM assessments "
                      "WHERE assessor LIKE 'machine:%' ORDER BY id"):
        out[r["commitment_id"]] = (r["status"], r["evidence_ids"], r["as_of"])
    return out


def _collect(c: dict[str, Any], status: str, links: list[dict[str, Any]], rationale: str,
             strength: str | None, ratio: float | None, late: bool, as_of: dt.date,
             latest: dict[str, tuple[str, str, str]], texts: dict[str, str],
             evidence_rows: list[dict[str, Any]], assessment_rows: list[dict[str, Any]]) -> None:
    """Evidence rows, and a machine assessment when the verdict or its evidence changed."""
    ids = []
    now = _now()
    for x in links:
        s: Statement = x["statement"]
        if texts[s.document_id][s.start:s.end] != s.text:  # every quote is checked against the document
            continue
        eid = row_id(c["id"], s.id)
        ids.append(eid)
        evidence_rows.append({
            "id": eid, "commitment_id": c["id"], "progress_id": s.id, "document_id": s.document_id,
            "quote": s.text, "start": s.start, "end": s.end, "score": x["score"],
            "reasons": json.dumps(x["reasons"], ensure_ascii=False),
            "relation": {"strong": "completes", "moderate": "progresses"}.get(x["strength"], "mentions"),
            "strength": x["strength"], "reported_value": x["reported"]["value"] if x["reported"] else None,
            "created_by": f"machine:{RULE_VERSION}", "created_at": now,
        })
    evidence_ids = json.dumps(ids)
    previous = latest.get(c["id"])
    if previous and previous[0] == status and previous[1] == evidence_ids:
        return
    assessment_rows.append({
        "commitment_id": c["id"], "status": status, "as_of": as_of.isoformat(), "evidence_ids": evidence_ids,
        "rationale": rationale, "evidence_strength": strength, "ratio": ratio, "late": int(late),
        "assessor": f"machine:{RULE_VERSION}", "review_state": "machine_proposed", "note": None,
        "created_at": now,
    })
