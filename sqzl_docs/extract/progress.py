"""Progress statements (进展) — sentences that report a completed action or an achieved figure, in
progress reports and work reports (推进情况, 工作开展情况, 一是……已……, 工作回顾), or in a document whose
kind is uncertain; a reply, notice or draft gives none (its figures are facts and rules).

Each carries its metrics, dates, departments and keywords. A sentence must carry a completion cue
or a figure. Forward-looking
sections, headings, lead-ins, requests, conditions, work still under way and sentences about the
future are not progress.

>>> import sqzl_docs
>>> doc = sqzl_docs.parse_text("关于整改情况的报告\\n一、工作进展\\n全年建成服务站1031个。下一步将继续推进。\\n")
>>> [p.span.text for p in doc.progress]
['全年建成服务站1031个']
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

from .. import lexicon
from ..models import Document, ProgressStatement
from . import extractor, work_report
from .commitments import forward_sections
from .keywords import keywords
from .sentences import ByStart, Intervals, all_sections, norm_range, sentences


@functools.cache
def _cues() -> dict[str, Any]:
    return lexicon.load("commitment_cues.yaml")


@functools.cache
def _done() -> re.Pattern[str]:
    return re.compile(lexicon.alternation(_cues()["done_cues"]))


@functools.cache
def _done_particle() -> re.Pattern[str]:
    """了 after a verb (走访了……): a completion the cue list would miss."""
    p = _cues()["done_particle"]
    word = re.escape(p["word"])
    not_after = "".join(re.escape(c) for c in p["not_after"])
    # the word first, then what stands before it: a pattern that opens with a literal is searched quickly
    return re.compile(rf"{word}(?<=[\u4e00-\u9fff]{word})(?<![{not_after}]{word})"
                      rf"(?!{lexicon.alternation(p['not_before'])})")


@functools.cache
def _future() -> re.Pattern[str]:
    return re.compile(rf"^[^，。]{{0,12}}?(?:{lexicon.alternation(_cues()['future_cues'])})")


@functools.cache
def _not_progress_start() -> tuple[str, ...]:
    return tuple(_cues()["not_progress_start"])


@functools.cache
def _not_progress_anywhere() -> re.Pattern[str]:
    return re.compile(lexicon.alternation(_cues()["not_progress_anywhere"]))


@extractor("progress", version=6, requires=("dates", "metrics", "departments"), data=("commitment_cues.yaml", "topic_words.yaml"))
def extract(doc: Document) -> Iterator[ProgressStatement]:
    """Yield progress statements in reading order."""
    body = doc.structure.body
    if body is None or (doc.header and doc.header.doc_type not in _cues()["progress_doc_types"]):
        return
    plan = work_report.plan(doc) if doc.header and doc.header.doc_type == "work_report" else None
    skip = Intervals([(s.span.start, s.span.end) for s in forward_sections(doc)]
                     + [(x.heading.start, x.heading.end) for x in all_sections(doc.structure.sections)]
                     + ([(plan.start, len(doc.text))] if plan else []))  # a work report's plan is no progress
    metrics, dates, departments = ByStart(doc.metrics), ByStart(doc.dates), ByStart(doc.departments)
    s, e = norm_range(doc, body.start, body.end)
    for sentence in sentences(doc.norm.text, s, e):
        t = sentence.text  # what the text alone rules out first: no mapping to the source for it
        if len(t) < 8 or t.endswith(("：", ":")) or _future().search(t) and "已" not in t:
            continue
        start, end = doc.norm.source_range(sentence.start, sentence.end)
        if skip.contains(start):
            continue
        if t.startswith(_not_progress_start()) or (_not_progress_anywhere().search(t) and "已" not in t):
            continue
        figures = metrics.within(start, end)
        if not _done().search(t) and not figures and not _done_particle().search(t):
            continue  # a progress sentence says what was done, or gives a figure
        yield ProgressStatement(
            span=doc.span(start, end),
            metrics=figures,
            dates=dates.within(start, end),
            departments=list(dict.fromkeys(d.name for d in departments.within(start, end))),
            keywords=keywords(t),
        )
