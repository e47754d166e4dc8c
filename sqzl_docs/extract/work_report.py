"""The parts of a work report (政府工作报告): the review of the past year (工作回顾), the plan for the
coming one (its tasks, 今年工作任务, and its main targets, 主要预期目标), and the year the plan is for.

A work report reviews year N and plans year N+1. Its top-level sections after the review are the
plan, except those that only present another document (a 规划纲要 draft, 关于《……》的说明) or set out
principles (总体要求 …, kept in ``not_forward_sections``). Items of the plan with no date of their own
are due by the end of the plan's year; each clause of the main targets is an undertaking of its own.
A paragraph of the plan that opens with a measure (加快智慧城市建设。积极的财政政策要适度加力、提质增效。)
is an undertaking too: in a section of principles and policy directions one of its own, under a numbered
task a part of that task (tracked on its own, but no commitment of its own by the guide's nesting rule).

>>> import sqzl_docs
>>> doc = sqzl_docs.parse_text("各位代表：\\n一、2023年工作回顾\\n建成服务站12个。\\n二、2024年政府工作任务\\n"
...     "今年发展的主要预期目标是：国内生产总值增长5%左右；城镇新增就业1200万人以上。\\n（一）扩大内需。\\n各位代表！")
>>> p = plan(doc)
>>> p.year, [doc.text[s.start:s.end] for s in p.targets]
(2024, ['国内生产总值增长5%左右', '城镇新增就业1200万人以上'])
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from typing import Any

from .. import lexicon
from ..models import Deadline, Document, Section, Span
from ..grammar.dates import plan_periods
from .dates import document_date
from .sentences import strip_marker

_YEAR = re.compile(r"((?:19|20)\d\d)\s*年")
_OWN_STARTS = ("我们要", "我们将", "新的一年，我们要")  # a paragraph of the government's own that ends the tasks
_OWN = re.compile(r"(?:^|[，,])我们(?:要|将)")  # the government's own undertaking, at a clause's start
# 要把握好以下三点 / 今年要重点做好八个方面工作: a lead-in that announces items, not a measure of its own
_ANNOUNCES = re.compile(r"(?:以下|如下|[一二三四五六七八九十两几]{1,3}个?(?:点|方面))(?:工作)?$")
# 改革开放是推动发展的制胜法宝: a statement (是 with no 要 after it in the sentence), not a measure
_COPULA = re.compile(r"是(?![^。]*要)")
_DIRECTIVE = re.compile(r"各[^，。]{0,12}要")  # 各级政府及其工作人员要……: a directive to generic bodies


@functools.cache
def _cues() -> dict[str, Any]:
    return lexicon.load("commitment_cues.yaml")["work_report"]


@functools.cache
def _target_lead_in() -> re.Pattern[str]:
    return re.compile(rf"(?:{lexicon.alternation(_cues()['target_lead_ins'])})[^：:。]{{0,6}}[：:]")


@dataclass
class Plan:
    """Where a work report's plan stands and what it holds."""

    year: int | None
    start: int  # source offset where the plan begins (the first section after the review)
    sections: list[Section] = field(default_factory=list)
    targets: list[Span] = field(default_factory=list)
    target_sentence: tuple[int, int] | None = None
    # (sentence, scope): paragraphs after the tasks (我们要……) and policy directions of a section of principles
    undertakings: list[tuple[Span, Span]] = field(default_factory=list)
    # paragraphs of principles (我们将坚持稳中求进……): source ranges where no promise is an undertaking
    principles: list[tuple[int, int]] = field(default_factory=list)
    # the deadline of an undertaking of a section that names a plan period (“十三五”时期……), by its start
    period_due: dict[int, Deadline] = field(default_factory=dict)
    # (heading sentence, its paragraph, the item it belongs to, the item's headings): the unnumbered
    # paragraphs under a task
    parts: list[tuple[Span, Span, Span, list[str]]] = field(default_factory=list)
    # a plan section without numbered items whose paragraphs are numbered 第一，……: (heading, scope) by section start
    ordinal: dict[int, list[tuple[Span, Span]]] = field(default_factory=dict)
    closing: int | None = None  # normalised offset of the closing paragraphs inside the last task, if any

    def deadline(self) -> Deadline | None:
        """By the end of the plan's year (for plan items without a date of their own)."""
        if self.year is None:
            return None
        return Deadline(start=dt.date(self.year, 1, 1), end=dt.date(self.year, 12, 31), source="plan_year")

    def holds(self, pos: int) -> bool:
        return pos >= self.start


def _is_review(heading: str) -> bool:
    return any(w in heading for w in _cues()["review_sections"])


def plan(doc: Document) -> Plan | None:
    """The plan of a work report, or None when the document shows no review followed by a plan
    (worked out once per document: commitments and progress both ask)."""
    return doc.derived(("work_report.plan",), _plan)


def _plan(doc: Document) -> Plan | None:
    tops = doc.structure.sections
    reviews = [i for i, s in enumerate(tops) if _is_review(s.heading.text)]
    if not reviews or reviews[-1] + 1 >= len(tops):
        return None
    after = tops[reviews[-1] + 1:]
    cues = lexicon.load("commitment_cues.yaml")
    skip = cues["not_forward_sections"] + _cues()["document_sections"]
    sections = [s for s in after if not any(w in s.heading.text for w in skip)]
    written = document_date(doc)
    year = _plan_year(tops[reviews[-1]].heading.text, [s.heading.text for s in after])
    out = Plan(year=year or (written.year if written else None), start=after[0].span.start, sections=sections)
    _find_targets(doc, out)
    _find_undertakings(doc, out)
    presenting = _cues()["document_sections"]  # sections of principles: not presenting another document
    principles = [s for s in after if s not in sections and not any(w in s.heading.text for w in presenting)]
    _find_directions(doc, out, principles)
    _find_policy_sentences(doc, out, principles)
    _find_parts(doc, out)
    return out


def _find_undertakings(doc: Document, out: Plan) -> None:
    """Paragraphs of the plan after an address line (各位代表！) that ends the numbered tasks, up to the
    last one (the closing exhortation): each that opens with the government's own 我们要/我们将, or
    with a short lead sentence, is an undertaking (its first sentence). A report with no such lines
    has its closing paragraphs inside its last task: from the first that opens with 我们要/我们将 up to
    the one that opens with the address (各位代表！信心凝聚力量……)."""
    address = set(lexicon.structure_cues().get("address_lines", []))
    norm = doc.norm
    lines, pos = [], 0
    for raw in norm.text.split("\n"):
        lines.append((pos, raw))
        pos += len(raw) + 1
    s0 = norm.from_source(out.start)
    breaks = [i for i, (p, raw) in enumerate(lines) if p >= s0 and raw.strip() in address]
    if len(breaks) >= 2:
        for i in range(breaks[0] + 1, breaks[-1]):
            _closing_paragraph(doc, out, *lines[i])
        return
    last = out.sections[-1].children[-1] if out.sections and out.sections[-1].children else None
    if last is None:
        return
    first, end = norm.from_source(last.span.start), norm.from_source(last.span.end)
    for p, raw in lines:
        text = raw.strip()
        if p <= first or p >= end or (out.closing is None and not text.startswith(_OWN_STARTS)):
            continue
        if text.startswith(tuple(address)):
            break
        out.closing = out.closing if out.closing is not None else p
        _closing_paragraph(doc, out, p, raw)


def _closing_paragraph(doc: Document, out: Plan, p: int, raw: str) -> None:
    """The undertakings of one closing paragraph (normalised offset ``p``, line ``raw``)."""
    cues = _cues()
    text = raw.strip()
    if not text or text in lexicon.structure_cues().get("address_lines", []):
        return
    starts, events = tuple(cues["own_undertaking_starts"]), tuple(cues["event_starts"])
    said = _sentences(p + raw.index(text[:1]), text)
    first = said[0][2]
    lead = len(first) <= cues["lead_sentence_max"] and not re.search(r"[，,、；;：:]", first) \
        and measure(first) is not None
    if text.startswith(starts) or lead:
        own = said[:1]
    else:  # the first 要 sentence, unless a directive to generic bodies (各级政府……要) came before it
        directive = next((k for k, x in enumerate(said) if _DIRECTIVE.match(x[2])), len(said))
        own = [x for x in said[:directive] if x[2].startswith(starts)][:1]
    own += [x for x in said[1:] if x[2].startswith(events) and x not in own]
    for at, end, _ in sorted(own):
        span = doc.span(*doc.norm.source_range(at, end))
        out.undertakings.append((span, span))


def _sentences(at: int, text: str) -> list[tuple[int, int, str]]:
    """(start, end, text) of each sentence of a paragraph that starts at normalised offset ``at``,
    without its closing mark."""
    out = []
    for m in re.finditer(r"[^。！？!?]+", text):
        body = m.group().rstrip()
        if body.strip():
            lead = len(body) - len(body.lstrip())
            out.append((at + m.start() + lead, at + m.start() + len(body), body.strip()))
    return out


def _paragraphs(doc: Document, start: int, end: int) -> list[tuple[int, int, str]]:
    """(start, end, text) in normalised offsets of each non-empty line between two source offsets."""
    norm = doc.norm
    s, e = norm.from_source(start), norm.from_source(end)
    out, pos = [], s
    for raw in norm.text[s:e].split("\n"):
        text = raw.strip()
        if text:
            at = pos + raw.index(text[0])
            out.append((at, at + len(text), text))
        pos += len(raw) + 1
    return out


@functools.cache
def _measure() -> re.Pattern[str]:
    """A sentence that states a measure or direction (``measure`` in data/commitment_cues.yaml); the group
    ``verb`` holds its policy verb when it has one (not for ``积极的财政政策要……``)."""
    m = _cues()["measure"]
    alt = lexicon.alternation
    n = m["subject_max"]
    verb = (rf"(?:(?:{alt(m['prepositions'])})[^，,。；;]{{1,{m['focus_max']}}}?[，,]?)?"
            rf"(?:(?:{alt(m['manners'])}){{0,3}}(?P<verb>{alt(m['verbs'])})"
            rf"|(?:{alt(m['manners'])}){{1,3}}(?P<short>{alt(m['short_verbs'])}))")
    return re.compile(rf"(?:(?:{alt(m['openers'])})[，,])?(?:我们)?(?:(?:{alt(m['before_verb'])})?{verb}"
                      rf"|(?!我们|各)[^，,。；;：:要将是]{{2,{n}}}?要(?!求)|(?!各)[^，,。；;：:]{{2,{n}}}[，,](?:我们)?要(?!求))")


def measure(sentence: str, *, any_length: bool = False) -> str | None:
    """The policy verb of a sentence that states a measure ('' for one with a subject and 要), else None.

    >>> measure("加快智慧城市建设"), measure("积极的财政政策要适度加力、提质增效"), measure("改革开放是制胜法宝")
    ('加快', '', None)
    """
    if len(sentence) > _cues()["measure"]["sentence_max"] and not any_length:
        return None
    m = _measure().match(sentence.lstrip("—-－ "))
    if m is None or _ANNOUNCES.search(sentence) or _COPULA.search(sentence):
        return None
    return m["verb"] or m["short"] or ""


def _find_directions(doc: Document, out: Plan, principles: list[Section]) -> None:
    """Paragraphs of a plan's sections of principles (总体要求和政策取向) that open with a measure:
    undertakings of their own (积极的财政政策要适度加力、提质增效), unless the measure states a principle
    (我们要坚持稳中求进……)."""
    norm = doc.norm
    skip = tuple(_cues()["principle_verbs"])
    for top in principles:
        period = _period(top.heading.text)
        for at, end, text in _paragraphs(doc, top.span.start, top.span.end)[1:]:
            s, e = norm.source_range(at, end)
            if out.target_sentence and s < out.target_sentence[1] and e > out.target_sentence[0]:
                continue
            first = _sentences(at, text)[0]
            if (measure(first[2], any_length=True) or "").startswith(skip):
                out.principles.append((s, e))
                continue
            verb = measure(first[2])
            if verb is None or verb.startswith(skip) or any(w in first[2] for w in _cues()["principle_words"]):
                continue
            h = first[0] + len(first[2]) - len(first[2].lstrip("—-－ "))
            out.undertakings.append((doc.span(*norm.source_range(h, first[1])), doc.span(s, e)))
            if period is not None:
                out.period_due[out.undertakings[-1][0].start] = period
        for item in top.children:  # 一是……二是…… in such a section: its items (the guide)
            heading = strip_marker(item.heading.text).rstrip("。；;")
            if item.style != "inline" or not heading or heading.startswith(skip):
                continue
            at = item.heading.start + item.heading.text.index(heading)
            out.undertakings.append((doc.span(at, at + len(heading)), item.span))
            if period is not None:
                out.period_due[at] = period


def _period(heading: str) -> Deadline | None:
    """The plan period a heading names (二、“十三五”时期主要目标任务……: 2016–2020), as a deadline."""
    for name, (first, last) in plan_periods().items():
        if name in heading:
            return Deadline(start=dt.date(first, 1, 1), end=dt.date(last, 12, 31), source="plan_period")
    return None


def _find_policy_sentences(doc: Document, out: Plan, principles: list[Section]) -> None:
    """Sentences that set a policy's direction (积极的财政政策要加力提效。产业政策要发展和安全并举。) inside the
    paragraphs of the sections of principles and the lead-in of a plan section with items, wherever they
    stand in their paragraph: undertakings (not those of a paragraph already taken as one)."""
    norm = doc.norm
    pattern = re.compile(rf"[^，,。；;]{{0,12}}(?:{lexicon.alternation(_cues()['policy_subjects'])})要(?!求)")
    taken = [(scope.start, scope.end) for _, scope in out.undertakings]
    ranges = [(top.span.start, top.span.end) for top in principles]
    ranges += [(top.span.start, top.children[0].span.start) for top in out.sections if top.children]
    for start, end in ranges:
        for at, p_end, text in _paragraphs(doc, start, end)[1:]:
            s, e = norm.source_range(at, p_end)
            if any(a <= s < b for a, b in taken) or (out.target_sentence and out.target_sentence[0] <= s
                                                       < out.target_sentence[1]):
                continue
            longest = _cues()["measure"]["sentence_max"]
            for x in _sentences(at, text):
                if pattern.match(x[2]) and not _DIRECTIVE.match(x[2]) and len(x[2]) <= longest:
                    span = doc.span(*norm.source_range(x[0], x[1]))
                    out.undertakings.append((span, span))


def _find_parts(doc: Document, out: Plan) -> None:
    """The unnumbered paragraphs under each task of the plan that open with a measure (its heading
    sentence); a section without numbered items is one task, or one per paragraph numbered 第一，……"""
    norm = doc.norm
    address = set(lexicon.structure_cues().get("address_lines", []))
    ordinal = re.compile(_cues()["ordinal_paragraph"])
    for top in out.sections:
        scopes = [(c.span.start, c.span.end, c.span, [top.heading.text, c.heading.text]) for c in top.children]
        if not top.children:
            paras = _paragraphs(doc, top.span.start, top.span.end)
            marked = [(at, text) for at, _e, text in paras if ordinal.match(text)]
            if len(marked) >= 2:
                ends = [norm.source_range(at, at)[0] for at, _ in marked[1:]] + [top.span.end]
                items = []
                for (at, text), end in zip(marked, ends):
                    m = ordinal.match(text)
                    assert m is not None
                    head = _sentences(at + m.end(), text[m.end():])[0]
                    scope = doc.span(norm.source_range(at, at)[0], end)
                    items.append((doc.span(*norm.source_range(head[0], head[1])), scope))
                out.ordinal[top.heading.start] = items
                scopes = [(x.start, x.end, x, [top.heading.text, h.text]) for h, x in items]
            else:
                scopes = [(top.span.start, top.span.end, top.span, [top.heading.text])]
        points = top.heading.start in out.ordinal
        for start, end, item, path in scopes:
            for at, p_end, text in _paragraphs(doc, start, end)[1:]:
                if text in address or (out.closing is not None and at >= out.closing):
                    break
                first = _sentences(at, text)[0]
                if points and _OWN.search(first[2]):  # after 第一，第二，……: 今年……，我们要……, no part of a point
                    span = doc.span(*norm.source_range(first[0], first[1]))
                    out.undertakings.append((span, span))
                    continue
                if measure(first[2]) is None:
                    continue
                out.parts.append((doc.span(*norm.source_range(first[0], first[1])),
                                  doc.span(*norm.source_range(at, p_end)), item, path))


def _plan_year(review: str, plan_headings: list[str]) -> int | None:
    """The year a heading of the plan names, else the year after the review's; None when neither
    names one (the plan is then for the year of the report's own date: it is delivered in it)."""
    for heading in plan_headings:
        m = _YEAR.search(heading)
        if m:
            return int(m.group(1))
    years = [int(y) for y in _YEAR.findall(review)]
    return max(years) + 1 if years else None


def _more_targets(text: str, end: int) -> int:
    """The end of the main targets: the sentences after the lead sentence in its paragraph that are lists
    of short clauses too (……同步。能耗强度下降3.1%以上，主要污染物排放继续减少。)."""
    stop = text.find("\n", end)
    stop = stop if stop >= 0 else len(text)
    limit = _cues()["target_clause_max"]
    while end < stop:
        nxt = text.find("。", end + 1, stop)
        nxt = nxt if nxt >= 0 else stop
        clauses = [c.strip() for c in re.split(r"[；;，,]", text[end + 1:nxt])]
        if not any(clauses) or any(not c or len(c) > limit or re.search(r"是|考虑|必须|^[要将]", c) for c in clauses):
            break
        end = nxt
    return end


def _find_targets(doc: Document, out: Plan) -> None:
    """One span per clause of the main targets (主要预期目标是：A；B，C。)."""
    norm = doc.norm
    s0 = norm.from_source(out.start)
    m = _target_lead_in().search(norm.text, s0)
    if not m:
        return
    end = norm.text.find("。", m.end())
    end = end if end >= 0 else len(norm.text)
    end = _more_targets(norm.text, end)
    out.target_sentence = norm.source_range(m.start(), end)
    pos = m.end()
    for piece in re.split(r"([；;，,。])", norm.text[m.end():end]):
        if piece in "；;，,。":
            pos += len(piece)
            continue
        clause = piece.strip()
        if len(clause) >= 4:
            lead = len(piece) - len(piece.lstrip())
            s, e = norm.source_range(pos + lead, pos + lead + len(clause))
            out.targets.append(doc.span(s, e))
        pos += len(piece)
