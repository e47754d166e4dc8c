"""Linking commitments to later evidence, and the machine's verdicts (机器研判).

Candidates are every sentence of every later document of the same government (:mod:`.candidates`),
classified by cue words kept as data (:mod:`.sentences`). A sentence is linked when it is about the same
object: it covers enough of the commitment's key nouns, weighted by their rarity in shipped tables (never
the store's own counts, so storing unrelated documents moves no verdict; :mod:`.relevance` for the finer
tests); a quantitative comparison needs the same indicator of the same year (国内生产总值增长 against 国内生产
总值……增长6.9%, never any 项 against any 项; :mod:`.figures`). Each link keeps its reasons and score; below
the threshold there is no link.

Status rules, as of the ``as_of`` date (issue 12), on the documents dated up to that day:
- ``not_verifiable``: not testable as written;
- ``fulfilled``: a completion statement on the object, or a quantitative target met (ratio stored);
- ``partially_fulfilled``: a target partly reached, done after its deadline, or part of it reported
  done (a completion sentence on part of its object) when the deadline has passed;
- ``in_progress``: work under way or part done (or done while the plan period still runs), deadline
  not passed or none;
- ``overdue``: deadline passed and not fulfilled: nothing, only effort or work under way, or a reported
  shortfall;
- ``no_evidence``: no deadline passed and nothing found; ``not_assessed``: no later document of the
  same government. Statements of effort alone never make ``fulfilled``.

A commitment without a deadline of its own in a plan for year N (a work report's 重点工作, a
《2025年……工作安排》) is due at the end of year N (``deadline_source = plan_year``, set when stored).
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from .. import lexicon
from .candidates import Candidate, Store, stop_words
from . import figures, relevance
from .sentences import classify, cues, principle, split, stance
from .schema import migrate, write
from .store import now, row_id
from .text import tokens

RULE_VERSION = "link/2"
LINK_COVERAGE = 0.45  # share of the key nouns' rarity weight a sentence must cover to be linked
STRONG_COVERAGE = 0.55  # … and to count as completion of the object
KEY_NOUNS = 8  # the rarest words of a commitment that stand for its object
BODY_MIN = 40  # an item body longer than this (beyond the heading) is searched too, sentence by sentence
BODY_SENTENCES = 40  # sub-item sentences of a body searched at most
BODY_COVERAGE = 0.5  # coverage of a sub-item sentence's key nouns for a link
BODY_MIN_NOUNS = 3  # a sub-item sentence with fewer key nouns is not searched; a hit shares one fewer at least
MIN_MATCHED = 2  # key nouns a sentence must share with the commitment …
MAX_LINKS = 8  # links considered per commitment, best first
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*年")
_CLAUSE_END = re.compile(r"[，,、；;。]")
_PHRASE_END = re.compile(r"[，,；;。]")  # 第四届进口博览会如期、安全、精彩举办 is one clause of a report
_ATTRIBUTION = re.compile(r"[（(][^）)]*[）)]")
LATE_YEARS = 3  # a review of a year more than this after the deadline is no evidence on the undertaking
FULL_SHARE = 0.7  # share of a heading's sub-items reported done for the whole to be fulfilled …
MIN_PARTS = 3  # … of a body of at least these sentences
MIN_QUANTITIES = 2  # quantities of an item, all reported met, that stand for the item's quantified deliverables


def link(db: Database, *, as_of: dt.date | None = None) -> Counter[str]:
    """Link every commitment to later evidence and append the machine's assessments (one transaction
    under the write lock, so what is read is what the links are written against)."""
    migrate(db)
    with write(db):
        return _link(db, as_of or dt.date.today())


def _link(db: Database, as_of: dt.date) -> Counter[str]:
    store = Store(db)
    progress: dict[str, list[tuple[int, int, str]]] = {}
    for r in db.query("SELECT id, document_id, start, end FROM progress"):
        progress.setdefault(r["document_id"], []).append((r["start"], r["end"], r["id"]))
    counts: Counter[str] = Counter()
    latest = _latest_machine(db)
    texts = {r["id"]: r["text"] for r in db.query("SELECT id, text FROM documents")}
    pools: dict[tuple[str, int | None], tuple[bool, set[int], set[str]]] = {}
    evidence_rows: list[dict[str, Any]] = []
    assessment_rows: list[dict[str, Any]] = []
    rows = list(db.query("SELECT * FROM commitments WHERE retired_at IS NULL ORDER BY rowid"))
    verdicts: dict[str, dict[str, Any]] = {}
    targets = _targets_by_document(rows)
    # target rows first: an item's quantities (its target rows) have a say on the item (_Quantities)
    for c in sorted(rows, key=lambda c: not c["target_unit"]):
        own = store.docs[c["document_id"]]
        year = own.periods.plan_year_at(c["start"])
        key = (c["document_id"], year)
        if key not in pools:
            later = [d for d in store.later_documents(c) if (d.date or "") <= as_of.isoformat()]  # known by then
            related = store.related_later(c, later)
            pools[key] = (bool(later), store.allowed(c, related), {d.group for d in related})
        has_later, allowed, groups = pools[key]
        deadline = dt.date.fromisoformat(c["deadline_end"]) if c["deadline_end"] else None
        source = c["deadline_source"]
        if year is not None and deadline is not None and deadline.year < year:
            # a plan for year N is not due before N: 2005年底前注册营运的黄标车今年要全部淘汰 names no deadline
            deadline, source = dt.date(year, 12, 31), "plan_year"
        if source == "plan_year" and deadline is not None and not c["target_unit"]:
            deadline = _runs_to(c["item_text"] or c["text"], deadline)
        quantities = None if c["target_unit"] else _quantities(c, targets, verdicts, texts)
        verdicts[c["id"]] = _assess(c, store, has_later, (allowed, groups), deadline, source, as_of, quantities)
    for c in rows:
        verdict = verdicts[c["id"]]
        _collect(c, verdict, as_of, latest, texts, progress, evidence_rows, assessment_rows)
        counts[verdict["status"]] += 1
    if evidence_rows:
        db["evidence"].upsert_all(evidence_rows, pk="id", batch_size=500)
    if assessment_rows:
        db["assessments"].insert_all(assessment_rows, batch_size=500)
    return counts


@functools.lru_cache(maxsize=65536)
def _tokens(text: str) -> list[str]:
    """jieba words of a text, once per text in a run (a commitment's body serves all its target rows)."""
    return tokens(text)


def _query(c: dict[str, Any], store: Store, text: str, n: int = 0,
           pool: tuple[set[int], set[str]] | None = None) -> dict[str, float]:
    """The key nouns of ``text`` (the commitment's, with its keywords) with their rarity weights: the
    rarest ``n`` (KEY_NOUNS) of its words, the indicator's words always among them."""
    stop = stop_words()
    # the extractor's keywords are the whole commitment's: a target clause's row is its own clause
    extra = json.loads(c["keywords"] or "[]") if text == c["text"] and not c["target_text"] else []
    words = {w for w in _tokens(text) + extra if w not in stop and len(w) > 1 and not w.isdigit()}
    if c["target_unit"]:  # a target's figure (3%) and comparator (左右) are what is compared, not its object
        figure = set(cues()["approx_words"] + cues()["gte_words"] + cues()["lte_words"])
        words = {w for w in words if w not in figure and not any(ch.isdigit() for ch in w)}
    keep = set(_tokens(c["indicator"])) if c.get("indicator") else set()
    if pool is not None:  # an item's body: only words found in the pool's sentences can point to evidence
        words = {w for w in words if store.in_pool(w, *pool)}
    ranked = sorted(words, key=lambda w: (-store.weight(w), w))  # ties by the word: the same run twice agrees
    chosen = set(ranked[:n or KEY_NOUNS]) | (keep & words)
    return {w: store.weight(w) for w in sorted(chosen)}


def _runs_to(body: str, deadline: dt.date) -> dt.date:
    """A year's plan item is due at the end of its year, unless its body prepares something of the next year
    (积极筹办2021年国际足联俱乐部世界杯 in the plan for 2020): then at the end of that year. A longer horizon (到2025年
    …) is not held against the year's item, nor does it put the item off."""
    later = [int(y) for y in _YEAR.findall(body) if int(y) == deadline.year + 1]
    return dt.date(deadline.year + 1, 12, 31) if later else deadline


def _targets_by_document(rows: list[dict[str, Any]]) -> dict[str, list[tuple[int, str]]]:
    """Each document's target rows as (start, id), in order of where they stand."""
    out: dict[str, list[tuple[int, str]]] = {}
    for r in rows:
        if r["target_unit"]:
            out.setdefault(r["document_id"], []).append((r["start"], r["id"]))
    for v in out.values():
        v.sort()
    return out


def _quantities(c: dict[str, Any], targets: dict[str, list[tuple[int, str]]], verdicts: dict[str, dict[str, Any]],
                texts: dict[str, str]) -> list[str]:
    """The statuses of the quantities an item holds: the target rows (新增养老床位7000张) standing in its body."""
    body = c["item_text"] or ""
    mine = targets.get(c["document_id"])
    if not body or not mine:
        return []
    text = texts[c["document_id"]]
    lo = text.find(body, max(0, c["start"] - len(body)))
    if lo < 0 or lo > c["start"]:
        return []
    first = bisect.bisect_left(mine, (lo, ""))
    last = bisect.bisect_left(mine, (lo + len(body), ""))
    return [verdicts[i]["status"] for _start, i in mine[first:last] if i in verdicts]


def _assess(c: dict[str, Any], store: Store, has_later: bool, pool: tuple[set[int], set[str]],
            deadline: dt.date | None, deadline_source: str | None, as_of: dt.date,
            quantities: list[str] | None = None) -> dict[str, Any]:
    """The machine's verdict on one tracked row (the status rules of the module's docstring)."""
    passed = deadline is not None and deadline < as_of
    if not c["target_unit"] and (principle(c["text"]) or stance(c["text"])
                                 or not c["testable"] and deadline_source != "plan_year"):
        return _verdict("not_verifiable", "Not testable: a statement of principle or a standing stance (国防, 侨务 "
                                          "…), or no deadline, measurable "
                                          "target or concrete deliverable.")
    if not has_later:
        if passed:
            return _verdict("overdue", f"Deadline {deadline} has passed as of {as_of}; no later document of the "
                                       "same government to show it was met.")
        return _verdict("not_assessed", "No later document of the same government line to assess against.")
    links, parts = _links(c, store, pool)
    when = _When(deadline, deadline_source, as_of, passed)
    shortfall = any(x["candidate"].kind == "shortfall" and x["own"] for x in links)
    if c["target_unit"] and (not shortfall or any(x["reported"] is not None for x in links)):
        return _judge_target(c, store, links, when)
    relative = None if c["target_unit"] or deadline is None else _in_step(c, store, pool[0], deadline.year)
    if relative is not None:
        return relative
    directed = None if c["target_unit"] or deadline is None else _trend(c, store, pool[0], deadline.year, passed)
    if directed is not None:
        return directed
    planned = deadline_source == "plan_year" or store.docs[c["document_id"]].periods.plan_year_at(c["start"]) is not None
    return _judge_task(c, store, links, parts if planned else _Parts(), when,  # a year's plan: its heading's body
                       (quantities or []) if planned else [])


@dataclass(frozen=True)
class _When:
    deadline: dt.date | None
    source: str | None
    as_of: dt.date
    passed: bool


def _verdict(status: str, why: str, links: list[dict[str, Any]] | None = None, strength: str | None = None,
             ratio: float | None = None, late: bool = False) -> dict[str, Any]:
    return {"status": status, "rationale": why, "links": links or [], "strength": strength, "ratio": ratio,
            "late": late}


def _trend(c: dict[str, Any], store: Store, allowed: set[int], year: int, passed: bool) -> dict[str, Any] | None:
    """A direction promised without a figure (……继续下降), on the review of its year (:func:`.figures.trend`):
    every indicator reported gone that way, fulfilled; some of them, partly; none, None (judged as a task)."""
    found = figures.trend(c, store, allowed, year)
    if found is None or not found[1]:
        return None
    names, shown = found
    links = [{"candidate": s, "score": 0.0, "coverage": 1.0, "strength": "strong", "own": True, "reported": None,
              "words": [name], "reasons": [f"the review of {year} reports {name} going the promised way"]}
             for name, s in shown.items()]
    if len(shown) == len(names):
        return _verdict("fulfilled", f"The review of {year} reports {'、'.join(names)} going the promised way.",
                        links, "strong")
    missing = "、".join(n for n in names if n not in shown)
    why = f"The review of {year} reports {'、'.join(shown)} going the promised way, not {missing}"
    if passed:
        return _verdict("partially_fulfilled", why + ".", links, "moderate")
    return _verdict("in_progress", why + "; the deadline has not passed.", links, "moderate")


def _in_step(c: dict[str, Any], store: Store, allowed: set[int], year: int) -> dict[str, Any] | None:
    """A growth promised in step with another, on both growth figures of the review of its year
    (:func:`.figures.in_step`): at least the other's (less APPROX_TOLERANCE), fulfilled; below it, partly."""
    found = figures.in_step(c, store, allowed, year)
    if found is None:
        return None
    (own, a, sa, xa), (other, b, sb, xb) = found
    links = [{"candidate": s, "score": 0.0, "coverage": 1.0, "strength": "strong", "own": True, "reported": x,
              "reasons": [f"same indicator {name}: reported {s.text[x['start'] - s.start:x['end'] - s.start]}"]}
             for name, s, x in ((own, sa, xa), (other, sb, xb))]
    ratio = round(a / b, 3) if b else None
    if a >= b * (1 - figures.APPROX_TOLERANCE):
        return _verdict("fulfilled", f"{own} {a:g}% kept in step with {other} {b:g}% in the review of {year}.",
                        links, "strong", ratio)
    return _verdict("partially_fulfilled", f"{own} {a:g}% fell behind {other} {b:g}% in the review of {year}.",
                    links, "strong", ratio)


def _judge_target(c: dict[str, Any], store: Store, links: list[dict[str, Any]], when: _When) -> dict[str, Any]:
    """A quantitative target: met only by a reported value of its own indicator (ratio kept)."""
    quant = sorted((x for x in links if x["reported"] is not None), key=lambda x: -x["reported"]["share"])
    if quant:
        x = quant[0]
        ratio, met = figures.compare(c, x["reported"]["value"])
        late = _late(x["candidate"], store, when.deadline)
        what = f"Reported {_quoted(x)} for {c['indicator'] or 'the indicator'}"
        if met:
            status = "partially_fulfilled" if late else "fulfilled"
            why = f"{what} meets the target {c['text']}" + (f", reported after the deadline {when.deadline}"
                                                           if late else "")
        else:
            status, why = "partially_fulfilled", f"{what} is {ratio:.0%} of the target {c['text']}"
        return _verdict(status, why + ".", [x], "strong", ratio, late)
    held = [x for x in links if figures.held_low(c, x["candidate"])]
    if held:
        return _verdict("fulfilled", f"A review of the year reports {c['indicator']} held low, under its ceiling "
                        f"{c['target_text']} (no figure given, no ratio).", held[:1], "moderate")
    weak = "weak" if links else None
    if when.passed:
        return _verdict("overdue", f"Deadline {when.deadline} passed as of {when.as_of}; later documents report no "
                        f"value for {c['indicator'] or c['target_text']}.", links[:3], weak)
    work = [x for x in links if x["candidate"].kind in ("done", "under_way")]
    if work:
        return _verdict("in_progress", f"Related work reported, no value yet for {c['indicator'] or 'the target'}.",
                        work[:3], "moderate")
    return _verdict("no_evidence", "Later documents of the same government report nothing on it.", links[:3], weak)


def _judge_task(c: dict[str, Any], store: Store, links: list[dict[str, Any]], parts: _Parts,
                when: _When, quantities: list[str] | None = None) -> dict[str, Any]:
    """An undertaking without a figure: completion, part done, work under way, a shortfall, or nothing.
    ``quantities``: the statuses of the target rows in its item's body (a year's plan only)."""
    short = [x for x in links if x["candidate"].kind == "shortfall" and x["own"]]  # on its own words
    if short:
        if when.passed:
            return _verdict("overdue", f"A later document reports it was not met; deadline {when.deadline} passed.",
                            short[:1], "strong")
        return _verdict("in_progress", "A later document reports it not met yet; the deadline has not passed.",
                        short[:1], "moderate")
    done = [x for x in links if x["strength"] == "strong"]
    whole = parts.whole()  # a year's task heading (重点工作 (一)…) is judged on its sub-items together
    met, unmet = _Quantities.of(quantities or [], len(parts.headings))
    if whole is False and done:
        done = []  # its sub-items must be reported done for the whole to be
    elif whole and not done:  # the completion sentence nearest the heading's own words first
        done = sorted(part_of(links), key=lambda x: (not x["own"], -x["coverage"]))[:1]
    if unmet:  # a quantified deliverable of the item not reported met: never the whole
        if done or met or part_of(links):
            return _partly(links, done + part_of(links), when, f"{unmet} of its {met + unmet} quantities not "
                           "reported met, though part of it is reported done")
        done = []
    elif met >= MIN_QUANTITIES and not done and part_of(links):
        if not when.passed:
            return _verdict("in_progress", f"Its {met} quantities are reported met; the item runs to "
                            f"{when.deadline}.", part_of(links)[:1], "moderate")
        done = part_of(links)[:1]  # every quantity of the item reported met, and its work reported done
        return _verdict("fulfilled", f"Every one of its {met} quantities is reported met and its work reported "
                        "done.", done, "strong")
    if not done and not unmet and len(parts.headings) < 2:
        done = _headline(c, store, links)
    if done:
        best = done[0]
        if when.source == "plan_period" and when.deadline is not None and when.as_of < when.deadline:
            return _verdict("in_progress", f"Completion reported on the object, but the plan period runs to "
                                           f"{when.deadline}.", [best], "strong")
        if _late(best["candidate"], store, when.deadline):
            return _verdict("partially_fulfilled", f"Completion reported after the deadline {when.deadline}.",
                            [best], "strong", late=True)
        return _verdict("fulfilled", parts.why() if whole else "A later document states completion on the object.",
                        [best], "strong")
    return _judge_effort(links, when)


def _headline(c: dict[str, Any], store: Store, links: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Completion of an item's headline object: a clause of a review of the year reporting done on the
    item's own words, covering (LINK_COVERAGE) its heading's key nouns, not only the item's keywords (持续促进
    农民增收 is not done by 镇级集体产权制度改革 of its body)."""
    manner = rf"^以[^，,。]{{1,24}}?为(?:{lexicon.alternation(cues()['heading_manner'])})[，,]"
    heading = re.sub(manner, "", c["text"])  # 以联动畅通为切入点，着力打造……: the object follows the manner
    head = {w: store.weight(w) for w in _tokens(heading) if w not in stop_words() and len(w) > 1}
    total = sum(head.values())
    out = []
    for x in links:
        if not (x["own"] and x["candidate"].kind == "done" and x["candidate"].review_year is not None and total):
            continue
        held = sum(v for w, v in head.items() if w in x["words"] or w in x["candidate"].text)
        if held >= LINK_COVERAGE * total and _clause_kind(x["candidate"].text, x["words"], _PHRASE_END) == "done":
            out.append(x)
    return out


def _partly(links: list[dict[str, Any]], shown: list[dict[str, Any]], when: _When, why: str) -> dict[str, Any]:
    """Part of the item delivered: partially_fulfilled once the deadline has passed, else in_progress."""
    if when.passed:
        return _verdict("partially_fulfilled", f"{why}; deadline {when.deadline} passed as of {when.as_of}.",
                        shown[:3], "moderate")
    return _verdict("in_progress", f"{why}; the deadline has not passed.", shown[:3] or links[:3], "moderate")


@dataclass(frozen=True)
class _Quantities:
    """The quantities (target rows) an item's body holds, met and not met; a heading with sub-headings
    (national sections) is judged on its sub-headings instead (:meth:`_Parts.whole`)."""

    @staticmethod
    def of(statuses: list[str], headings: int) -> tuple[int, int]:
        if headings >= 2:
            return 0, 0
        met = sum(1 for s in statuses if s == "fulfilled")
        return met, len(statuses) - met


def _judge_effort(links: list[dict[str, Any]], when: _When) -> dict[str, Any]:
    """No completion of the whole: part done (a completion sentence, or work reported in a review of the
    year: N年工作回顾 says what was done), work under way, or nothing."""
    part = [x for x in links if _part_done(x["candidate"])]
    if part:
        if when.passed:
            return _verdict("partially_fulfilled", f"Part of it is reported done, not the whole; deadline "
                            f"{when.deadline} passed as of {when.as_of}.", part[:3], "moderate")
        return _verdict("in_progress", "Later documents report part of it done; the deadline has not passed.",
                        part[:3], "moderate")
    work = [x for x in links if x["candidate"].kind in ("done", "under_way")]
    if work:
        if when.passed:
            return _verdict("overdue", f"Deadline {when.deadline} passed as of {when.as_of}; later documents show "
                            "work under way on it, not its completion.", work[:3], "moderate")
        return _verdict("in_progress", "Later documents show work on it under way, not completion.", work[:3],
                        "moderate")
    weak = "weak" if links else None
    if when.passed:
        return _verdict("overdue", f"Deadline {when.deadline} passed as of {when.as_of}; later documents report "
                        "nothing on it.", links[:3], weak)
    return _verdict("no_evidence", "Later documents of the same government report nothing on it.", links[:3], weak)


@dataclass(frozen=True)
class _Parts:
    """What a heading's body shows: sub-item sentences reported (done, or worked on in a review of the year),
    sentences searched, and the level each sub-heading paragraph reaches (2 done, 1 worked on, 0 nothing)."""

    reported: int = 0
    searched: int = 0
    headings: tuple[int, ...] = ()
    done: int = 0  # sub-item sentences reported done (completion, not work)

    def whole(self) -> bool | None:
        """Whether the whole heading is reported done: with sub-headings, each has results and at least half
        of them completion. A body of one paragraph: yes when every one of its sentences (two at least) is
        reported on and one done, or FULL_SHARE of them done; no when fewer than FULL_SHARE of them (of
        MIN_PARTS at least) are done; None: the heading's own words decide. Its quantities (one sentence holds
        50个交通拥堵点 and 11个积水点, of which the review may report neither) are judged apart, on the item's
        target rows (:class:`_Quantities`)."""
        if len(self.headings) >= 2:
            return min(self.headings) >= 1 and 2 * self.headings.count(2) >= len(self.headings)
        if self.searched >= 2 and self.done and (self.reported == self.searched
                                                 or self.done >= FULL_SHARE * self.searched):
            return True
        if self.searched < MIN_PARTS:
            return None
        return False

    def why(self) -> str:
        if len(self.headings) < 2:
            return (f"The item's body is reported on in a later document: {self.reported} of its {self.searched} "
                    f"sentences, {self.done} as done.")
        return (f"Every sub-heading of the item is reported on in a later document, {self.headings.count(2)} of "
                f"{len(self.headings)} as done.")


def _links(c: dict[str, Any], store: Store, pool: tuple[set[int], set[str]]
           ) -> tuple[list[dict[str, Any]], _Parts]:
    """Candidates about the same object, best first, with their reasons and score: on the commitment's
    own words, or (never as completion of the whole) on the words of its item's body (a task heading's
    sub-items), the latter only in a document that follows the commitment's up (cites it, or reviews a
    year) so that a heading's generic words (组织领导) do not pick up any document of the same government.
    Also (sub-items reported done, sub-items searched)."""
    allowed, groups = pool
    own_query = _query(c, store, c["text"])
    if not own_query or not allowed:
        return [], _Parts()
    scored = store.scores(own_query, allowed, groups)
    body = (c["item_text"] or "").replace(c["text"], "", 1)
    by_body: dict[int, tuple[float, float, list[str]]] = {}
    parts = split(body)[:BODY_SENTENCES] if len(body) > BODY_MIN and not c["target_unit"] else []
    reported_parts = done_parts = 0
    # the level each sub-heading reaches (its paragraph, after the heading's own): 2 done, 1 worked on, 0 nothing
    breaks = [m.start() for m in re.finditer(r"\n\s*\S", body)]
    levels: dict[int, int] = {}
    for part in parts:  # each sub-item sentence of the body on its own, less its attributions (……部指导)
        level = 0
        query = _query(c, store, _ATTRIBUTION.sub("", part.text), KEY_NOUNS, pool)
        if len(query) < BODY_MIN_NOUNS:  # (生态环境部指导), 积极培育第三方市场: too little to name an object
            continue
        for i, v in store.scores(query, allowed, groups).items():
            if v[1] >= BODY_COVERAGE and len(set(v[2])) >= BODY_MIN_NOUNS - 1 and store.has_rare(v[2]) \
                    and store.follows_up(store.candidates[i].document_id, c["document_id"]):
                s = store.candidates[i]
                level = max(level, 2 if s.kind == "done" else 1 if _part_done(s) else 0)
                if v[1] > by_body.get(i, (0.0, 0.0, []))[1]:
                    by_body[i] = v
        reported_parts += level > 0
        done_parts += level == 2
        paragraph = bisect.bisect_right(breaks, part.start)
        if paragraph:
            levels[paragraph] = max(levels.get(paragraph, 0), level)
    out = []
    for i in sorted(set(scored) | set(by_body), key=lambda i: (-max(scored.get(i, (0,))[0], by_body.get(i, (0,))[0]), i)):
        s = store.candidates[i]
        if s.review_year is not None and c["deadline_end"] and s.review_year > int(c["deadline_end"][:4]) + LATE_YEARS:
            continue  # a review of 2014 reports 2014's work, not a step due in 1998
        value = figures.reported_value(c, s) if figures.of_the_year(c, s, store) else None
        bm25, coverage, words = scored.get(i, (0.0, 0.0, []))
        if words:  # a key noun the sentence holds split otherwise (生态环境|质量 holds 环境质量) is held
            coverage, words = relevance.held(own_query, s.text, coverage, words)
        if words and "《" in s.text:
            coverage, words = relevance.outside_titles(c["text"], s.text, own_query, coverage, words)
        if len(set(words)) < MIN_MATCHED and not relevance.verbatim(c["text"], s.text):
            coverage = 0.0  # one shared word (发展, 总结) is not the same object, unless the sentence names it whole
        elif not any(w in c["text"] for w in words):
            coverage = 0.0  # only the item's keywords (产品认证 of a body), none of the commitment's own words
        body_hit = i in by_body and by_body[i][1] >= BODY_COVERAGE
        if coverage < LINK_COVERAGE and value is None and not body_hit:
            continue
        own_words = coverage >= LINK_COVERAGE
        if not own_words and body_hit:
            bm25, coverage, words = by_body[i]
        reached = own_words and coverage >= STRONG_COVERAGE and relevance.state_reached(c["text"], s, words)
        strength = "strong" if s.kind == "done" and coverage >= STRONG_COVERAGE and own_words \
            and _clause_kind(s.text, words) == "done" or reached else \
            "moderate" if s.kind in ("done", "under_way", "shortfall") else "weak"
        reasons = [f"key nouns: {'、'.join(sorted(set(words)))} (rarity-weighted coverage {coverage:.2f}, "
                   f"BM25 {bm25:.2f})", f"sentence reports: {s.kind}"]
        if reached:
            reasons.append("the review states the promised state reached on the object")
        if value is not None:
            reasons.append(f"same indicator {c['indicator']}: reported "
                           f"{s.text[value['start'] - s.start:value['end'] - s.start]} against {c['target_text']}")
        out.append({"candidate": s, "score": round(bm25, 3), "coverage": coverage, "strength": strength,
                    "own": own_words, "words": words, "reasons": reasons, "reported": value})
        if len(out) >= MAX_LINKS:
            break
    return out, _Parts(reported_parts, len(parts), tuple(levels[k] for k in sorted(levels)), done_parts)




def _clause_kind(text: str, words: list[str], breaks: re.Pattern[str] = _CLAUSE_END) -> str:
    """"done" when a clause naming one of the matched words reports completion (……，地方一般公共预算收入……
    下降1.7%: not completion, though another clause of the sentence says 实现); else the first such clause's kind."""
    kinds = [classify(k) for k in breaks.split(text) if any(w in k for w in words)]
    return "done" if "done" in kinds else (kinds[0] if kinds else "mention")


def part_of(links: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The completion sentences among the links."""
    return [x for x in links if x["candidate"].kind == "done"]


def _quoted(x: dict[str, Any]) -> str:
    """The reported figure as the evidence writes it (6.9%, 1312万人)."""
    s, m = x["candidate"], x["reported"]
    return str(s.text[m["start"] - s.start:m["end"] - s.start])


def _part_done(s: Candidate) -> bool:
    """A completion sentence, or work reported in a review of the year (N年工作回顾 says what was done)."""
    return s.kind == "done" or s.kind == "under_way" and s.review_year is not None


def _late(s: Candidate, store: Store, deadline: dt.date | None) -> bool:
    """Whether the evidence shows delivery after the deadline (a review of year N speaks of year N)."""
    if deadline is None:
        return False
    if s.review_year is not None:
        return s.review_year > deadline.year
    date = store.docs[s.document_id].date
    return bool(date) and dt.date.fromisoformat(str(date)) > deadline


def _latest_machine(db: Database) -> dict[str, tuple[str, str, str]]:
    out = {}
    for r in db.query("SELECT commitment_id, status, evidence_ids, as_of FROM assessments "
                      "WHERE assessor LIKE 'machine:%' ORDER BY id"):
        out[r["commitment_id"]] = (r["status"], r["evidence_ids"], r["as_of"])
    return out


def _collect(c: dict[str, Any], v: dict[str, Any], as_of: dt.date, latest: dict[str, tuple[str, str, str]],
             texts: dict[str, str], progress: dict[str, list[tuple[int, int, str]]],
             evidence_rows: list[dict[str, Any]], assessment_rows: list[dict[str, Any]]) -> None:
    """Evidence rows, and a machine assessment when the verdict or its evidence changed."""
    ids = []
    stamp = now()
    for x in v["links"]:
        s: Candidate = x["candidate"]
        if texts[s.document_id][s.start:s.end] != s.text:  # every quote is checked against the document
            continue
        eid = row_id(c["id"], s.document_id, s.start, s.end)
        ids.append(eid)
        pid = next((p for a, b, p in progress.get(s.document_id, ()) if a < s.end and b > s.start), None)
        evidence_rows.append({
            "id": eid, "commitment_id": c["id"], "progress_id": pid, "document_id": s.document_id,
            "quote": s.text, "start": s.start, "end": s.end, "score": x["score"],
            "reasons": json.dumps(x["reasons"], ensure_ascii=False), "kind": s.kind,
            "relation": {"strong": "completes", "moderate": "progresses"}.get(x["strength"], "mentions"),
            "strength": x["strength"], "reported_value": x["reported"]["value"] if x["reported"] else None,
            "created_by": f"machine:{RULE_VERSION}", "created_at": stamp,
        })
    evidence_ids = json.dumps(ids)
    status = v["status"]
    previous = latest.get(c["id"])
    if previous and previous[0] == status and previous[1] == evidence_ids:
        return
    assessment_rows.append({
        "commitment_id": c["id"], "status": status, "as_of": as_of.isoformat(), "evidence_ids": evidence_ids,
        "rationale": v["rationale"], "evidence_strength": v["strength"], "ratio": v["ratio"], "late": int(v["late"]),
        "assessor": f"machine:{RULE_VERSION}", "review_state": "machine_proposed", "note": None,
        "created_at": stamp,
    })
