"""Commitments (承诺事项) — what the issuer or a named body undertakes to do, by when, and who answers.

Found in forward-looking sections (下一步工作打算, 主要措施, 工作保障, 重点任务 …: one commitment per
numbered item, its heading as the text) and, anywhere else, in sentences that promise future action
(将/拟/计划/力争/确保 …, 到2022年……, 2022年我区将实现……全覆盖). Not commitments: lead-ins that only
announce items, what was already done, directives to generic bodies, reported speech (明确社区今后将不再
出具……), and principles. Each carries its deadline (resolved end date and how it was found), targets
(the item's metrics), responsible departments (defaulted to the issuer and co-handlers of a reply),
strength, topic keywords, and whether an outsider could test it later.

>>> import sqzl_docs
>>> doc = sqzl_docs.parse_text("关于社区治理的复函\\n肖丹委员：\\n一、推进情况\\n已建成服务中心78个。\\n二、下一步工作打算\\n"
...                            "（一）持续开展社区减负行动。到2022年，社区工作事项减少30%以上。\\n重庆市民政局\\n2021年5月11日")
>>> [(c.span.text, str(c.deadline.end), c.testable) for c in doc.commitments]
[('持续开展社区减负行动', '2022-12-31', True)]
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator
from typing import Any, Literal

from .. import lexicon
from ..models import Commitment, DateMention, Deadline, Department, Document, Section, Span
from . import extractor, work_report
from .dates import document_date, title_year
from .keywords import keywords
from .sentences import (ByStart, Intervals, Sentence, all_sections, norm_range, sentences,
                        strip_marker)

# Patterns searched in every sentence open each alternative with a literal character, so that the
# engine skips to where one of those characters is instead of trying every position.
_LEAD_IN = re.compile(r"以下(?:几个方面|几点|方面|工作|措施)?|如下(?:几个方面|几点|方面|工作|措施)?|：$|:$")
_PLAN_PERIOD = re.compile(r"[（(]\s*((?:19|20)\d\d)\s*[—–\-－~至到]*\s*((?:19|20)\d\d)\s*年?\s*[）)]")
_TO = re.compile(r"(到|至)")
_CLAUSE_BREAK = re.compile(r"[，,：:；;]")
_SAYS = re.compile(r"表示")
_DIRECTIVE_OR_REQUEST = re.compile(r"各[^，。]{0,12}要|(请|希望)")
_INDIVIDUALS = re.compile(r"(?:您|你|居民|业主|网友|租户|申请人)[^，。]{0,6}(?:将|可)")


@functools.cache
def _cues() -> dict[str, Any]:
    return lexicon.load("commitment_cues.yaml")


def promise_cue_patterns() -> list[str]:
    """The promise cues other than 将 and its kin (``promise_cues`` in data/commitment_cues.yaml), one
    pattern each, every one opening with its literal cue word."""
    c = _cues()
    p = c["promise_cues"]
    alt = lexicon.alternation
    others = [re.escape(w) for w in p["standalone"]]
    others += [rf"{re.escape(w)}(?={alt(after)})" for w, after in p["followed_by"].items()]
    others += [rf"{re.escape(w)}(?!{alt(after)})" for w, after in p["not_followed_by"].items()]
    others += [rf"{re.escape(w)}(?=[^，。；]{{0,{n}}}(?:年|月|前|内))" for w, n in p["before_a_time"].items()]
    others += [rf"{re.escape(w)}(?=[^，。；]{{0,{n}}}(?:{alt(p['role_words'])}))" for w, n in p["before_a_role"].items()]
    return others


@functools.cache
def _promise() -> re.Pattern[str]:
    """The promise grammar, from ``promise_cues`` in data/commitment_cues.yaml."""
    c = _cues()
    jiang = [rf"{re.escape(w)}(?={lexicon.alternation(c['future_after_jiang'])})"
             for w in c["promise_cues"]["future_markers"]]
    return re.compile("|".join(jiang + promise_cue_patterns()))  # each alternative opens with a literal: a quick search


@functools.cache
def _promise_words() -> re.Pattern[str]:
    """The cue words of :func:`_promise` without what must follow them, and 到/至: a sentence without
    one of these is no promise (:func:`_may_promise`), whatever surrounds it."""
    p = _cues()["promise_cues"]
    words = [*p["future_markers"], *p["standalone"], *p["followed_by"], *p["not_followed_by"],
             *p["before_a_time"], *p["before_a_role"], "到", "至"]
    return re.compile(lexicon.alternation(words))


@functools.cache
def _strength_cues() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """aim anywhere, vague at the start of the action, aim in the head of the item."""
    s = _cues()["strength"]
    alt = lexicon.alternation
    return (re.compile(alt(s["aim"])), re.compile(rf"(?:{alt(s['vague_prefixes'])})?(?:{alt(s['vague_starts'])})"),
            re.compile(alt(s["aim_in_item"])))


@functools.cache
def _reported() -> re.Pattern[str]:
    return re.compile(rf"(?:{lexicon.alternation(_cues()['reported_before'])})")


def _has(text: str, cue: str) -> bool:
    """Whether ``text`` holds one of the words of the cue list named ``cue`` in commitment_cues.yaml."""
    return _words(cue).search(text) is not None


@functools.cache
def _words(cue: str) -> re.Pattern[str]:
    return re.compile(lexicon.alternation(_cues()[cue]))


def forward_sections(doc: Document) -> list[Section]:
    """Top-level sections whose items are undertakings (in a work report: its plan, after the review)."""
    kind = doc.header.doc_type if doc.header else "other"
    if kind == "work_report":
        p = work_report.plan(doc)
        if p is not None:
            return p.sections
    out = []
    announced = _announced(doc)
    for top in doc.structure.sections:
        heading = top.heading.text
        own_start = top.children[0].span.start if top.children else top.span.end
        intro = doc.text[top.heading.end:own_start][:80]
        if _has(heading, "not_forward_sections"):
            continue
        if _has(heading, "forward_sections") or re.match(r"\s*+[。，,]?\s*+(下一步|下步|今后)", intro) \
                or top.heading.start in announced or (top.children and _lead_in().search(intro)):
            out.append(top)
        elif kind in ("notice", "draft") and (top.children or top.style in ("cn_comma", "chapter")):
            out.append(top)
    return out


def _announced(doc: Document) -> set[int]:
    """Where the top-level sections a lead-in announced start (明年，我们将抓好以下三个方面工作：一、……)."""
    out: set[int] = set()
    for top in doc.structure.sections:
        before = doc.text[max(0, top.heading.start - 80):top.heading.start].rstrip()
        if out or _lead_in().search(before.rsplit("\n", 1)[-1]):
            out.add(top.heading.start)
    return out


@functools.cache
def _lead_in() -> re.Pattern[str]:
    """A sentence that names the coming period and announces items: 明年，我们将重点抓好以下三个方面工作："""
    c = _cues()["forward_lead_in"]
    alt = lexicon.alternation
    return re.compile(rf"(?:{alt(c['periods'])})[，,]?[^。；\n]{{0,12}}?(?:将|要)[^。；\n]{{0,20}}?(?:{alt(c['announce'])})"
                      r"[^。；\n]{0,12}[：:]\s*$")


@extractor("commitments", version=7, requires=("dates", "metrics", "departments", "header"), data=("commitment_cues.yaml", "topic_words.yaml"))
def extract(doc: Document) -> Iterator[Commitment]:
    """Yield commitments in reading order."""
    d = document_date(doc)
    idx = _Index(doc)
    found: list[Commitment] = []
    covered: list[tuple[int, int]] = []
    kind = doc.header.doc_type if doc.header else "other"
    wr = work_report.plan(doc) if kind == "work_report" else None
    due = wr.deadline() if wr else _annual_plan_deadline(doc, d)
    if wr and wr.target_sentence:
        covered.append(wr.target_sentence)
        for clause in wr.targets:  # 主要预期目标: one undertaking per clause
            found.append(_commitment(doc, clause, clause, ["主要预期目标"], d, idx, fallback=due))
    if wr:
        for lead, scope in wr.undertakings:  # the plan's paragraphs after its tasks, its policy directions
            found.append(_commitment(doc, lead, scope, [], d, idx, fallback=wr.period_due.get(lead.start, due)))
            covered.append((scope.start, scope.end))
        covered.extend(wr.principles)
        for head, scope, task, path in wr.parts:  # the unnumbered paragraphs under its tasks: parts of them
            found.append(_commitment(doc, head, scope, path, d, idx, fallback=due).model_copy(update={"part_of": task}))
    if due is not None and wr is None:  # a plan for one year: the sentences of its targets section
        for src, path in _annual_targets(doc):
            found.append(_commitment(doc, src, src, path, d, idx, fallback=due))
            covered.append((src.start, src.end))
    announced = _announced(doc)
    for top in forward_sections(doc):
        ordinal = wr.ordinal.get(top.heading.start) if wr else None
        if ordinal:  # 第一，……第二，……: the section's items
            covered.append((top.span.start, top.span.end))
            for head, scope in ordinal:
                found.append(_commitment(doc, head, scope, [top.heading.text], d, idx, fallback=due))
            continue
        items = top.children or ([top] if kind in ("notice", "draft", "work_report") or top.heading.start in announced
                                 else [])
        if not items:
            continue  # a forward section without items: its promising sentences are found below
        covered.append((top.span.start, top.span.end))
        for item in items:
            heading = strip_marker(item.heading.text).rstrip("。；;")
            if not heading or _LEAD_IN.search(heading):
                continue
            start = item.heading.start + item.heading.text.index(heading[:1]) if heading else item.heading.start
            span = doc.span(start, start + len(heading))
            if span.text != heading:  # heading with spaces inside: keep the source as written
                span = doc.span(start, item.heading.end)
            found.append(_commitment(doc, span, item.span, [top.heading.text, item.heading.text], d, idx,
                                     _intro_subjects(doc, top, idx), fallback=due))
            covered.append((item.span.start, item.span.end))
    body = doc.structure.body
    if body is not None:
        s, e = norm_range(doc, body.start, body.end)
        flat = list(all_sections(doc.structure.sections))
        headings = Intervals([(x.heading.start, x.heading.end) for x in flat])
        in_items = Intervals(covered)
        dates = idx.dates
        around = _Enclosing(flat)
        for sentence in sentences(doc.norm.text, s, e, holding=_promise_words()):
            if not _may_promise(sentence.text):
                continue  # ruled out by its text alone: no mapping to the source for it
            start, end = doc.norm.source_range(sentence.start, sentence.end)
            if in_items.contains(start) or headings.contains(start):
                continue
            if _promises(sentence, d, dates, start, end):
                src = doc.span(start, end)
                path = [x.heading.text for x in around.at(start)]
                found.append(_commitment(doc, src, src, path, d, idx,
                                         fallback=due if wr and wr.holds(start) else None))
    yield from sorted(found, key=lambda c: c.span.start)


def _annual_targets(doc: Document) -> Iterator[tuple[Span, list[str]]]:
    """Each sentence of the top-level section of an annual plan that states its targets (一、主要工作目标),
    when the section has no numbered items; a sentence all in brackets (（具体以……为准）) is a note."""
    for top in doc.structure.sections:
        if top.children or not _has(top.heading.text, "annual_plan_target_sections"):
            continue
        s, e = norm_range(doc, top.heading.end, top.span.end)
        for sentence in sentences(doc.norm.text, s, e):
            if sentence.text.startswith(("（", "(")) and sentence.text.endswith(("）", ")")):
                continue
            yield doc.span(*doc.norm.source_range(sentence.start, sentence.end)), [top.heading.text]


def _annual_plan_deadline(doc: Document, d: dt.date | None) -> Deadline | None:
    """The end of the year a plan for one year names in its title (2025年……重点工作安排)."""
    title = doc.structure.title_text or ""
    if not any(w in title for w in _cues()["annual_plan_titles"]):
        return None
    year = title_year(doc)
    if year is None:
        return None
    return Deadline(start=d if d and d.year == year else dt.date(year, 1, 1), end=dt.date(year, 12, 31),
                    source="plan_year")


def _may_promise(t: str) -> bool:
    """What :func:`_promises` asks of a sentence's text before its position: it is no lead-in, six
    characters at least, and holds a promise cue or a 到/至 (before a deadline)."""
    return not (_LEAD_IN.search(t) or len(t) < 6) and bool(_promise().search(t) or _TO.match(t))


def _promises(sentence: Sentence, d: dt.date | None, dates: ByStart[DateMention], start: int, end: int) -> bool:
    """Whether a sentence (source range [start, end)) promises future action by the issuer or a named body."""
    t = sentence.text
    if _LEAD_IN.search(t) or len(t) < 6:
        return False
    m = _promise().search(t)
    if not m and not (_TO.match(t) and _has_deadline(dates.within(start, end), d)):
        return False
    cue_at = m.start() if m else 0
    clause_start = max((x.end() for x in _CLAUSE_BREAK.finditer(t, 0, cue_at)), default=0)
    if _reported().search(t, clause_start, cue_at) and not _SAYS.search(t, 0, cue_at):
        return False  # 明确社区今后将不再出具……: what another document says
    if _DIRECTIVE_OR_REQUEST.match(t):
        return False  # a directive to generic bodies, or a request
    if _INDIVIDUALS.search(t[:cue_at + 2]):
        return False  # an obligation or option laid on individuals
    return True


def _has_deadline(inside: list[DateMention], d: dt.date | None) -> bool:
    """Whether a deadline not before the document's date is among these dates."""
    return any(x.role == "deadline" and x.end is not None and (d is None or x.end >= d) for x in inside)


class _Index:
    """A document's records by start, for lookups inside an item without scanning them all."""

    def __init__(self, doc: Document) -> None:
        self.dates = ByStart(doc.dates)
        self.metrics = ByStart(doc.metrics)
        self.departments = ByStart(doc.departments)
        self._doc = doc

    @functools.cached_property
    def co_handlers(self) -> list[Department]:
        """The bodies a reply was handled with (经与……共同办理), named before its first section."""
        doc = self._doc
        first = doc.structure.sections[0].span.start if doc.structure.sections else len(doc.text)
        return [x for x in doc.departments if x.role == "co_handler" and x.span.start < first]


class _Enclosing:
    """The sections around a position, for positions that never decrease: each section is taken
    in and dropped once (not a scan of every section per sentence)."""

    def __init__(self, flat: list[Section]) -> None:
        self._order = sorted(range(len(flat)), key=lambda i: flat[i].span.start)
        self._flat = flat
        self._next = 0
        self._open: dict[int, Section] = {}
        self._last = -1

    def at(self, pos: int) -> list[Section]:
        """Sections with ``span.start <= pos < span.end``, in the order of ``flat``."""
        if pos < self._last:  # not the expected order: start over
            self._next, self._open = 0, {}
        self._last = pos
        while self._next < len(self._order) and self._flat[self._order[self._next]].span.start <= pos:
            i = self._order[self._next]
            self._open[i] = self._flat[i]
            self._next += 1
        for i in [i for i, x in self._open.items() if x.span.end <= pos]:
            del self._open[i]
        return [self._open[i] for i in sorted(self._open)]


def _intro_subjects(doc: Document, top: Section, idx: _Index) -> list[str]:
    """Bodies that a forward section's lead-in makes responsible (下一步，市政府将……)."""
    end = top.children[0].span.start if top.children else top.span.end
    intro = doc.text[top.heading.end:end]
    m = re.search(r"将|要", intro)
    if not m:
        return []
    cut = top.heading.end + m.start()
    return list(dict.fromkeys(x.name for x in idx.departments.within(top.heading.end, cut)))


def _commitment(doc: Document, span: Span, item: Span, path: list[str], d: dt.date | None, idx: _Index,
                responsible: list[str] | None = None, fallback: Deadline | None = None) -> Commitment:
    """``fallback``: the deadline of an item with no date of its own (a work report's plan year)."""
    inside = idx.dates.within(item.start, item.end)
    deadline = _deadline(doc, inside, item, d) or fallback
    targets = idx.metrics.within(item.start, item.end)
    departments, defaulted = _departments(doc, item, span, idx)
    if responsible and (not departments or defaulted):
        departments, defaulted = responsible, False
    item_text = doc.text[item.start:item.end]
    reasons = []
    if deadline and deadline.end:
        reasons.append("deadline")
    if targets:
        reasons.append("measurable target")
    if _has(item_text, "deliverables") or "《" in item_text:
        reasons.append("concrete deliverable")
    return Commitment(
        span=span, item=item, section_path=path, action=_action(span.text), deadline=deadline,
        targets=targets, departments=departments, departments_defaulted=defaulted,
        strength=_strength(item_text, span.text), keywords=keywords(item_text),
        testable=bool(reasons),
        testability_reasons=reasons,
    )


def _deadline(doc: Document, inside: list[DateMention], item: Span, d: dt.date | None) -> Deadline | None:
    # with several times in an item, the last by which the whole item is to be done (rules of 1.1)
    due = [x for x in inside if x.role == "deadline" and x.end is not None and (d is None or x.end >= d)]
    if due:
        x = max(due, key=lambda x: x.end)  # type: ignore[arg-type,return-value]
        return Deadline(start=x.start, end=x.end, source="explicit", span=x.span)
    later = [x for x in inside if x.role in ("mention", "period") and x.end is not None and d is not None and x.end > d]
    if later:
        x = max(later, key=lambda x: x.end)  # type: ignore[arg-type,return-value]
        return Deadline(start=x.start, end=x.end, source="item", span=x.span)
    text = doc.text[item.start:item.end]
    for m in _PLAN_PERIOD.finditer(text):
        first, last = int(m.group(1)), int(m.group(2))
        if first < last and (d is None or last >= d.year):
            s = item.start + m.start()
            return Deadline(start=dt.date(first, 1, 1), end=dt.date(last, 12, 31), source="plan_period",
                            span=doc.span(s, item.start + m.end()))
    return None


def _departments(doc: Document, item: Span, span: Span, idx: _Index) -> tuple[list[str], bool]:
    named: list[str] = []
    for dep in idx.departments.within(item.start, item.end):
        subject = dep.span.start - span.start <= 12 and dep.span.start >= span.start
        if dep.role in ("lead", "responsible", "co_handler") or subject:
            if dep.name not in named:
                named.append(dep.name)
    if named:
        return named, False
    if doc.header and doc.header.doc_type == "reply":
        defaults = [doc.header.issuer] if doc.header.issuer else []
        defaults += [x.name for x in idx.co_handlers if x.name not in defaults]
        return defaults, bool(defaults)
    return [], False


def _strength(item_text: str, text: str) -> Literal["firm", "aim", "vague"]:
    aim, vague, aim_in_item = _strength_cues()
    if aim.search(text):
        return "aim"
    if vague.match(strip_marker(text)):
        return "vague"
    if aim_in_item.search(item_text[:80]):
        return "aim"
    return "firm"


def _action(text: str) -> str:
    """The verb phrase of a promise: what follows the cue, up to the first clause break."""
    m = _promise().search(text)
    rest = text[m.end():] if m else text
    rest = re.sub(r"^[，,\s]*(我们|我区|我市|我局)?(将|要)?", "", rest)
    clause = re.split(r"[，,；;。]", rest, maxsplit=1)[0]
    return clause or text

