"""The parts of a work report (政府工作报告): the review of the past year (工作回顾), the plan for the
coming one (its tasks, 今年工作任务, and its main targets, 主要预期目标), and the year the plan is for.

A work report reviews year N and plans year N+1. Its top-level sections after the review are the
plan, except those that only present another document (a 规划纲要 draft, 关于《……》的说明) or set out
principles (总体要求 …, kept in ``not_forward_sections``). Items of the plan with no date of their own
are due by the end of the plan's year; each clause of the main targets is an undertaking of its own.

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
from .dates import document_date

_YEAR = re.compile(r"((?:19|20)\d\d)\s*年")


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
    undertakings: list[Span] = field(default_factory=list)  # paragraphs after the tasks (我们要……)

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
    return out


def _find_undertakings(doc: Document, out: Plan) -> None:
    """Paragraphs of the plan after an address line (各位代表！) that ends the numbered tasks, up to the
    last one (the closing exhortation): each that opens with the government's own 我们要/我们将, or
    with a short lead sentence, is an undertaking (its first sentence)."""
    cues = _cues()
    address = set(lexicon.structure_cues().get("address_lines", []))
    norm = doc.norm
    lines, pos = [], 0
    for raw in norm.text.split("\n"):
        lines.append((pos, raw))
        pos += len(raw) + 1
    s0 = norm.from_source(out.start)
    breaks = [i for i, (p, raw) in enumerate(lines) if p >= s0 and raw.strip() in address]
    if len(breaks) < 2:
        return
    starts = tuple(cues["own_undertaking_starts"])
    for i in range(breaks[0] + 1, breaks[-1]):
        p, raw = lines[i]
        text = raw.strip()
        if not text or text in address:
            continue
        first = re.split(r"(?<=[。！？])", text, maxsplit=1)[0].rstrip("。！？")
        lead = len(first) <= cues["lead_sentence_max"] and not re.search(r"[，,、；;：:]", first)
        if text.startswith(starts) or lead:
            at = p + raw.index(text[:1])
            s, e = norm.source_range(at, at + len(first))
            out.undertakings.append(doc.span(s, e))


def _plan_year(review: str, plan_headings: list[str]) -> int | None:
    """The year a heading of the plan names, else the year after the review's; None when neither
    names one (the plan is then for the year of the report's own date: it is delivered in it)."""
    for heading in plan_headings:
        m = _YEAR.search(heading)
        if m:
            return int(m.group(1))
    years = [int(y) for y in _YEAR.findall(review)]
    return max(years) + 1 if years else None


def _find_targets(doc: Document, out: Plan) -> None:
    """One span per clause of the main targets (主要预期目标是：A；B，C。)."""
    norm = doc.norm
    s0 = norm.from_source(out.start)
    m = _target_lead_in().search(norm.text, s0)
    if not m:
        return
    end = norm.text.find("。", m.end())
    end = end if end >= 0 else len(norm.text)
    out.target_sentence = norm.source_range(m.start(), end)
    pos = m.end()
    for piece in re.split(r"([；;，,])", norm.text[m.end():end]):
        if piece in "；;，,":
            pos += len(piece)
            continue
        clause = piece.strip()
        if len(clause) >= 4:
            lead = len(piece) - len(piece.lstrip())
            s, e = norm.source_range(pos + lead, pos + lead + len(clause))
            out.targets.append(doc.span(s, e))
        pos += len(piece)
