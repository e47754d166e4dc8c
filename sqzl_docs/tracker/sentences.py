"""Every sentence of a later document as a candidate for evidence (候选证据句), and what it reports.

A sentence is classified by cue words kept as data (``commitment_cues.yaml`` ``done_cues`` and
``future_cues``; ``tracker_cues.yaml`` for the rest):

- ``done`` (完成): completion — built, reached, opened, issued;
- ``under_way`` (推进中): work reported under way;
- ``shortfall`` (未完成): the later document says the undertaking was not met;
- ``restatement`` (重申计划): the plan said again (将, 要, 力争 …), or a plan document's directive — no evidence;
- ``effort`` (表态): statements of effort alone, or planning and study — no evidence;
- ``mention``: the subject named, nothing reported.

A work report's review of year N (N年工作回顾) and its plan for year N (N年重点工作) are found by their
headings (:func:`periods`): the earlier report's plan for year N is judged against the later report's
review of year N.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .. import lexicon

_BREAK = re.compile(r"[。！？；;!?\n]+")
STANCE_OPENING = 16  # characters of a commitment's opening in which a stance field is looked for


@functools.cache
def cues() -> dict[str, list[str]]:
    """The tracker's cue lists (tracker_cues.yaml) with done_cues and future_cues of commitment_cues.yaml."""
    own = dict(lexicon.load("tracker_cues.yaml"))
    shared = lexicon.load("commitment_cues.yaml")
    own["done"] = [w for w in shared["done_cues"] if w not in set(own["not_completion"])] + own["completion"]
    own["future"] = shared["future_cues"]
    return own


@functools.cache
def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(lexicon.alternation(cues()[name]))


@functools.cache
def _future_start() -> re.Pattern[str]:
    """A future or directive cue in a sentence's first clause (将, 要, 力争 …; a one-character cue not
    inside a word: 供应, 主要), or a deadline still ahead (底前)."""
    words = cues()["future"]
    inside = "".join(cues()["not_cue_after"])
    single = "|".join(rf"(?<![{inside}]){re.escape(w)}" for w in words if len(w) == 1)
    longer = lexicon.alternation([w for w in words if len(w) > 1])
    return re.compile(rf"^[^，。]{{0,14}}?(?:{longer}|{single})|{lexicon.alternation(cues()['ahead'])}")


@functools.cache
def _directive() -> re.Pattern[str]:
    """A clause that gives a directive (……，各地区要按照……; ……，必须……): 要 not in 主要, 重要, 要求 …."""
    words = lexicon.alternation(cues()["directive"])
    inside = "".join(cues()["not_cue_after"])
    return re.compile(rf"(?:^|[，,；;])[^，,；;。]{{0,40}}?(?:(?<![{inside}])要(?![求素点闻件])|{words})")


def has(name: str, text: str) -> bool:
    """Whether ``text`` holds one of the cue list ``name`` (done, under_way, effort, shortfall, past …)."""
    return _pattern(name).search(text) is not None


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


def split(text: str, start: int = 0, end: int | None = None) -> list[Sentence]:
    """The sentences of ``text[start:end]`` with their spans (at least 4 characters of text each)."""
    end = len(text) if end is None else end
    out: list[Sentence] = []
    at = start
    for m in _BREAK.finditer(text, start, end):
        _add(out, text, at, m.start())
        at = m.end()
    _add(out, text, at, end)
    return out


def _add(out: list[Sentence], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end - start >= 4:
        out.append(Sentence(start, end, text[start:end]))


def principle(text: str) -> bool:
    """Whether a commitment is a statement of principle (坚持……方针, 贯彻……, 更好发挥……作用): its opening words
    say so, after its subject and manner (我们要继续全面准确、坚定不移贯彻……)."""
    lead = re.compile(rf"^(?:{lexicon.alternation(cues()['principle_lead'])}|[、，,\s])+")
    return re.search(lexicon.alternation(cues()["principle"]), lead.sub("", text)[:12]) is not None


def stance(text: str) -> bool:
    """Whether a commitment opens on a field where a government's undertakings are standing stances with
    no object an outsider could check (推进军民融合发展, 认真落实侨务政策 …: tracker_cues.yaml ``stance_fields``),
    in its first STANCE_OPENING characters after its subject and manner; 我国 is no part of a field's name
    (我国防震)."""
    lead = re.compile(rf"^(?:{lexicon.alternation(cues()['principle_lead'])}|[、，,\s])+")
    return has("stance_fields", lead.sub("", text)[:STANCE_OPENING].replace("我国", ""))


def classify(text: str, *, plan_document: bool = False) -> str:
    """done, under_way, shortfall, restatement, effort or mention (see the module's docstring)."""
    if has("shortfall", text):
        return "shortfall"
    if _future_start().search(text) or _directive().search(text) or has("plan_statement", text):
        return "restatement"
    if plan_document and not has("past", text):
        return "restatement"  # a plan's directive (推动全部民用建筑落实……) reports nothing
    if has("planning", text):
        return "effort"
    done = has("done", text)
    if has("effort", text) and not done:
        return "effort"
    if done:
        return "done"
    if has("under_way", text):
        return "under_way"
    return "mention"


_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*年")


@dataclass
class Periods:
    """Which year a document plans for and which parts of it review which year."""

    plan_year: int | None = None
    reviews: list[tuple[int, int, int]] | None = None  # (year, start, end) of each review section
    plans: list[tuple[int, int, int]] | None = None  # (year, start, end) of each plan section

    def review_year_at(self, offset: int) -> int | None:
        for year, start, end in self.reviews or ():
            if start <= offset < end:
                return year
        return None

    def plan_year_at(self, offset: int) -> int | None:
        for year, start, end in self.plans or ():
            if start <= offset < end:
                return year
        return self.plan_year if not self.reviews else None


def periods(text: str, title: str | None = None) -> Periods:
    """Plan and review sections of a document from its headings (N年工作回顾, N年重点工作 …) and, for a
    plan document, the year its title names (静安区2025年……重点工作安排)."""
    review = lexicon.alternation(cues()["review_headings"])
    plan = lexicon.alternation(cues()["plan_headings"])
    numbered = r"[一二三四五六七八九十]+、"
    line = re.compile(rf"(?m)^[\s#　]*{numbered}\s*(?:((?:19|20)\d\d)\s*年\s*(?:({review})|({plan})))?")
    inline = re.compile(rf"(?<![\u4e00-\u9fff]){numbered}\s*(?:((?:19|20)\d\d)\s*年\s*(?:({review})|({plan})))?")
    heads = [m for m in line.finditer(text)]
    if not any(m.group(1) for m in heads):  # one-line texts: headings inside the running text
        heads = [m for m in inline.finditer(text)]
    out = Periods(reviews=[], plans=[])
    for i, m in enumerate(heads):
        if not m.group(1) or not (m.group(2) or m.group(3)):
            continue
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        if m.group(2):
            out.reviews.append((int(m.group(1)), m.start(), end))  # type: ignore[union-attr]
        else:  # a plan runs on through the numbered sections after it that name no year
            end = next((h.start() for h in heads[i + 1:] if h.group(1)), len(text))
            out.plans.append((int(m.group(1)), m.start(), end))  # type: ignore[union-attr]
    if out.plans:
        out.plan_year = out.plans[-1][0]
    elif title and re.search(lexicon.alternation(cues()["plan_titles"]), title):
        named = _YEAR.search(title)
        out.plan_year = int(named.group(1)) if named else None
    if out.plan_year is None and not out.reviews:
        named = re.search(rf"((?:19|20)\d\d)\s*年[^。\n]{{0,30}}?(?:{lexicon.alternation(cues()['plan_titles'])})",
                          text[:400])
        out.plan_year = int(named.group(1)) if named else None
    return out


def delivered_by(text: str) -> str | None:
    """The government a report is delivered for (我代表国务院，向大会报告 → 国务院), from its opening."""
    m = re.search(rf"(?:{lexicon.alternation(cues()['delivered_by'])})([\u4e00-\u9fff]{{2,20}}?)[，,]", text[:600])
    return m.group(1) if m else None
