"""Candidate evidence (候选证据): every sentence of every stored document, indexed by its words.

A commitment's candidates are the sentences of later documents of the same government (the same
jurisdiction, the same issuer, or a document issued by a department it names). A work report's plan
for year N is judged against a later report's review of year N (N年工作回顾): in a document with
review sections only the review of the commitment's year counts, and a plan's own directives are
restatements, never evidence (:mod:`.sentences`). Words are weighted by their rarity in two shipped
tables (:func:`rarity`: jieba's IDF table of general Chinese, and how common a word is in government
documents, data/tracker_background.csv), so 老旧小区 or 加装电梯 weigh more than 工作, 推进 or 试点, and a word
weighs the same whatever else the store holds: storing unrelated documents never moves a verdict.
"""

from __future__ import annotations

import datetime as dt
import csv
import functools
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from .. import lexicon
from .sentences import Periods, classify, periods, split
from .text import tokens

TOPIC_WORDS = 60  # a document's most characteristic words …
RELATED_WORDS = 5  # … of which two documents on one subject share at least this many (seed pair 7, others 0-3)
RARE = 4.0  # the rarity of a word that names an object: 依法行政 5.9, 加装电梯 9.0 (not 社区 or 试点, 2.7)
SENTENCE_WORDS = 15.0  # BM25's typical sentence length (the bundled corpus's mean), fixed like the weights
DOMAIN_SCALE = 2.0  # government-document IDF (at most ln(76 / 3) ≈ 3.2) brought to the general scale
WEIGHT_FLOOR = 3.0  # taken off every background weight, so that 发展 (3.6) or 工作 (4.2) weigh next to nothing
EVIDENCE_KINDS = ("done", "under_way", "shortfall", "mention")  # what is indexed; restatements and effort are not


@functools.cache
def stop_words() -> frozenset[str]:
    """Words that say nothing about a topic (data/topic_words.yaml), and words of policy too generic to name
    an object of the tracker's (tracker_cues.yaml ``generic``)."""
    words = lexicon.load("topic_words.yaml")
    return frozenset(words["stop_words"] + words["link_stop_words"] + lexicon.load("tracker_cues.yaml")["generic"])


@functools.cache
def background() -> tuple[dict[str, float], float]:
    """(word → IDF, the median IDF) of jieba's bundled table (analyse/idf.txt, read as a file: no model
    is loaded). A word missing from it (老旧小区, 国内生产总值: jieba's dictionary joins them) is given the
    median, as jieba's own keyword extraction does."""
    from importlib import resources

    table: dict[str, float] = {}
    with resources.files("jieba.analyse").joinpath("idf.txt").open(encoding="utf-8") as f:
        for line in f:
            word, _, value = line.rstrip("\n").rpartition(" ")
            if word:
                table[word] = float(value)
    values = sorted(table.values())
    return table, values[len(values) // 2] if values else 10.0


@functools.cache
def government() -> dict[str, float]:
    """word → share of government documents holding it (data/tracker_background.csv, written by
    bench/tracker_background.py; words of fewer than three documents are not listed)."""
    from importlib import resources

    with resources.files("sqzl_docs.data").joinpath("tracker_background.csv").open(encoding="utf-8") as f:
        return {row["word"]: float(row["share"]) for row in csv.DictReader(f)}


@functools.cache
def rarity(word: str) -> float:
    """A word's rarity weight, the lower of what the two shipped tables say: its IDF in general Chinese
    (jieba's) less WEIGHT_FLOOR, and DOMAIN_SCALE times its IDF in government documents (印发, 试点, 国务院
    办公厅 are rare in general text, not in these); at least 0.1."""
    table, median = background()
    general = table.get(word, median) - WEIGHT_FLOOR
    share = government().get(word)
    domain = DOMAIN_SCALE * math.log(1 / share) if share else general
    return max(0.1, min(general, domain))


@dataclass
class Candidate:
    document_id: str
    start: int
    end: int
    text: str
    kind: str
    review_year: int | None
    words: Counter[str]
    length: int
    metrics: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Doc:
    id: str
    line: str | None
    issuer: str | None
    date: str | None  # the document's date, or one from its periods (a review of N → N+1-01-01)
    periods: Periods
    candidates: list[int] = field(default_factory=list)

    @property
    def group(self) -> str:
        return self.line or self.issuer or self.id


class Store:
    """Every document's sentences, the postings of their words, and the documents' government lines."""

    def __init__(self, db: Database) -> None:
        self.docs: dict[str, Doc] = {}
        self.candidates: list[Candidate] = []
        # postings per government line (or issuer, or document): a query reads only its own lines' lists
        self.postings: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        self.by_issuer: dict[str, set[str]] = defaultdict(set)
        self.by_line: dict[str, set[str]] = defaultdict(set)
        metrics: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in db.query("SELECT document_id, start, end, value, unit, subject, qualifier FROM metrics "
                          "ORDER BY document_id, start"):
            metrics[r["document_id"]].append(r)
        self.cites: dict[str, set[str]] = defaultdict(set)  # document → titles and 发文字号 it cites
        for r in db.query("SELECT document_id, title, doc_number FROM citations"):
            self.cites[r["document_id"]].update(x for x in (r["title"], r["doc_number"]) if x)
        self.names: dict[str, set[str]] = {}  # document → its own title and 发文字号
        doc_words: dict[str, Counter[str]] = {}
        stop = stop_words()
        for r in db.query("SELECT id, jurisdiction, issuer, doc_date, title, doc_number, text, text_seg FROM documents "
                          "ORDER BY id"):
            self.names[r["id"]] = {x for x in (r["title"], r["doc_number"]) if x}
            p = periods(r["text"], r["title"])
            doc = Doc(r["id"], r["jurisdiction"], r["issuer"], r["doc_date"] or _period_date(p), p)
            self.docs[doc.id] = doc
            if doc.issuer:
                self.by_issuer[doc.issuer].add(doc.id)
            if doc.line:
                self.by_line[doc.line].add(doc.id)
            words_at = _word_offsets(r["text"], r["text_seg"])
            doc_words[doc.id] = Counter(w for _at, w in words_at if w not in stop and len(w) > 1 and not w.isdigit())
            w = 0
            doc_metrics = metrics[r["id"]]
            m = 0
            for s in split(r["text"]):
                while w < len(words_at) and words_at[w][0] < s.start:
                    w += 1
                words: Counter[str] = Counter()
                while w < len(words_at) and words_at[w][0] < s.end:
                    if words_at[w][1] not in stop:
                        words[words_at[w][1]] += 1
                    w += 1
                plan = p.plan_year_at(s.start) is not None and p.review_year_at(s.start) is None
                kind = classify(s.text, plan_document=plan)
                if kind not in EVIDENCE_KINDS:
                    continue
                while m < len(doc_metrics) and doc_metrics[m]["start"] < s.start:
                    m += 1
                inside = []
                k = m
                while k < len(doc_metrics) and doc_metrics[k]["start"] < s.end:
                    inside.append(doc_metrics[k])
                    k += 1
                i = len(self.candidates)
                self.candidates.append(Candidate(doc.id, s.start, s.end, s.text, kind, p.review_year_at(s.start),
                                                 words, sum(words.values()) or 1, inside))
                doc.candidates.append(i)
                postings = self.postings[doc.group]
                for word in words:
                    postings[word].append(i)
        self.topics = _topics(doc_words)

    def related(self, later_id: str, earlier_id: str) -> bool:
        """Whether a later document is about the same subject as the earlier: it follows it up, or they
        share RELATED_WORDS of their TOPIC_WORDS most characteristic words (term frequency times
        :func:`rarity`). A later document of the same government on another subject is no evidence."""
        shared = len(self.topics.get(later_id, frozenset()) & self.topics.get(earlier_id, frozenset()))
        return shared >= RELATED_WORDS or self.follows_up(later_id, earlier_id)

    def follows_up(self, later_id: str, earlier_id: str) -> bool:
        """Whether a later document answers the earlier one: it cites its title or 发文字号 (a report on an
        opinion's implementation), or it reviews a year (a work report's 工作回顾)."""
        return bool(self.names.get(earlier_id, set()) & self.cites.get(later_id, set())) \
            or bool(self.docs[later_id].periods.reviews)

    def has_rare(self, words: list[str]) -> bool:
        """Whether one of the words is rare (:data:`RARE`)."""
        return any(rarity(w) >= RARE for w in words)

    def weight(self, word: str) -> float:
        return rarity(word)

    def in_pool(self, word: str, allowed: set[int], groups: set[str]) -> bool:
        """Whether a candidate sentence of the pool holds the word (only such words can point to evidence)."""
        return any(i in allowed for g in groups for i in self.postings.get(g, {}).get(word, ()))

    def later_documents(self, c: dict[str, Any]) -> list[Doc]:
        """Documents of the same government dated after the commitment's document."""
        own = self.docs[c["document_id"]]
        date = c["doc_date"] or own.date
        if not date:
            return []
        ids: set[str] = set()
        if own.line:
            ids |= self.by_line[own.line]
        if own.issuer:
            ids |= self.by_issuer[own.issuer]
        for name in _departments(c):
            ids |= self.by_issuer.get(name, set())
        return [self.docs[i] for i in sorted(ids) if i != own.id and (self.docs[i].date or "") > date]

    def related_later(self, c: dict[str, Any], later: list[Doc]) -> list[Doc]:
        """The later documents about the commitment's document's subject (:meth:`related`)."""
        return [d for d in later if self.related(d.id, c["document_id"])]

    def allowed(self, c: dict[str, Any], later: list[Doc]) -> set[int]:
        """Candidate sentences for the commitment: in a document with reviews, the review of the
        commitment's plan year only (or of the years after its document, when it has none)."""
        own = self.docs[c["document_id"]]
        year = own.periods.plan_year_at(c["start"]) or own.periods.plan_year
        out: set[int] = set()
        for d in later:
            if not d.periods.reviews:
                out.update(d.candidates)
                continue
            for i in d.candidates:
                ry = self.candidates[i].review_year
                if ry is not None and (ry == year if year else ry >= int((c["doc_date"] or own.date or "0")[:4])):
                    out.add(i)
        return out

    def scores(self, query: dict[str, float], allowed: set[int], groups: set[str]
               ) -> dict[int, tuple[float, float, list[str]]]:
        """candidate → (BM25, share of the query's weight it covers, words matched), over the postings of
        the given groups (:attr:`Doc.group`) only, so the work follows the matches of its own lines."""
        total = sum(query.values()) or 1.0
        out: dict[int, list[Any]] = {}
        for group in groups:
            postings = self.postings.get(group, {})
            for word, weight in query.items():
                for i in postings.get(word, ()):
                    if i not in allowed:
                        continue
                    s = self.candidates[i]
                    tf = s.words[word]
                    acc = out.setdefault(i, [0.0, 0.0, []])
                    acc[0] += weight * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * s.length / SENTENCE_WORDS))
                    acc[1] += weight
                    acc[2].append(word)
        return {i: (v[0], v[1] / total, v[2]) for i, v in out.items()}


def _departments(c: dict[str, Any]) -> list[str]:
    import json

    return list(json.loads(c["departments"] or "[]"))


def _topics(doc_words: dict[str, Counter[str]]) -> dict[str, frozenset[str]]:
    """Each document's TOPIC_WORDS most characteristic words: (1 + log tf) · rarity (background IDF,
    so a document's topic words do not depend on what else is stored)."""
    out = {}
    for doc_id, words in doc_words.items():
        score = {w: (1 + math.log(tf)) * rarity(w) for w, tf in words.items()}
        out[doc_id] = frozenset(sorted(score, key=lambda w: (-score[w], w))[:TOPIC_WORDS])
    return out


def _period_date(p: Periods) -> str | None:
    """A document without a date is placed by what it reviews: a review of year N is given in N+1."""
    years = [y + 1 for y, _s, _e in p.reviews or ()]
    if years:
        return dt.date(max(years), 1, 1).isoformat()
    return dt.date(p.plan_year, 1, 1).isoformat() if p.plan_year else None


def _word_offsets(text: str, text_seg: str | None) -> list[tuple[int, str]]:
    """(offset, word) of the document's jieba words, recovered from its segmented copy."""
    words = text_seg.split() if text_seg else tokens(text)
    out, at = [], 0
    for w in words:
        found = text.find(w, at)
        if found < 0:
            continue
        out.append((found, w))
        at = found + len(w)
    return out
