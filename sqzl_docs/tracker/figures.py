"""Figures of later evidence against a commitment's target (目标数值比对).

A reported figure is a target's when its window names the target's indicator best (under any of its names,
tracker_cues.yaml ``indicator_synonyms``), it is of the target's year, and it is plausible for it; a ceiling
(失业率, 涨幅) is met by a lower figure, or by a review saying it was held low without one. A growth promised in
step with another (居民收入增长与经济增长同步) is judged on both growth figures.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from .. import lexicon
from .candidates import Candidate, Store
from .clauses import INDICATOR_SHARE, indicator_share
from .sentences import cues, has

APPROX_TOLERANCE = 0.05  # 左右: within 5% of the figure counts as met
INDICATOR_WINDOW = 40  # characters before a figure in which its indicator must be named
INDICATOR_AFTER = 16  # … or after it (完成124公里架空线入地)
PLAUSIBLE = 3.0  # a reported value beyond this factor of its target is not that target's figure …
SHORTFALL = 5.0  # … nor one below this fraction of it (a ceiling's excepted)
_CLAUSE_END = re.compile(r"[，,、；;。]")


@functools.cache
def in_step_pattern() -> re.Pattern[str]:
    """(A)增长与(B)(增长|发展)(基本)同步: a growth promised in step with another (tracker_cues.yaml ``in_step``)."""
    words = lexicon.load("tracker_cues.yaml")["in_step"]
    return re.compile(rf"(?P<a>[^，。；]+?)增长(?:{lexicon.alternation(words['with'])})(?P<b>[^，。；]+?)"
                      rf"(?:{lexicon.alternation(words['growth'])})?(?:{lexicon.alternation(words['manner'])})?"
                      rf"(?:{lexicon.alternation(words['in_step'])})$")


def reported_value(c: dict[str, Any], s: Candidate) -> dict[str, Any] | None:
    """The figure in the sentence in the target's unit whose indicator is named best just before it (国内
    生产总值……增长6.9%, not 单位国内生产总值能耗下降5.6%), else right after it within its clause (完成124公里架空
    线入地). The figure carries ``share``: how well its window names the indicator."""
    if not c["target_unit"] or not c["indicator"]:
        return None
    best: tuple[float, float, dict[str, Any]] | None = None
    for m in s.metrics:
        if m["unit"] != c["target_unit"]:
            continue
        at, to = m["start"] - s.start, m["end"] - s.start
        if s.text[max(0, at - 1):at] == "从":  # 从2.1%提高到2.5%: the starting value, not the one reached
            continue
        if not plausible(c, m["value"]):
            continue
        before = indicator_share(c["indicator"], s.text[max(0, at - INDICATOR_WINDOW):at])
        after = indicator_share(c["indicator"], _CLAUSE_END.split(s.text[to:to + INDICATOR_AFTER], 1)[0])
        rank = (1.0, before) if before >= INDICATOR_SHARE else (0.0, after) if after >= INDICATOR_SHARE else None
        if rank is not None and (best is None or rank > best[:2]):
            best = (*rank, {**m, "share": rank[1]})
    return best[2] if best else None


def of_the_year(c: dict[str, Any], s: Candidate, store: Store) -> bool:
    """Whether a figure can be a year's plan target's (deadline from the plan year N): it stands in a review of
    year N, or in a document without reviews given by the end of N+1 (a 2023 report's 国内生产总值增长3% is not
    2015's growth)."""
    if c["deadline_source"] != "plan_year" or not c["deadline_end"]:
        return True
    year = int(str(c["deadline_end"])[:4])
    if s.review_year is not None:
        return s.review_year == year
    date = store.docs[s.document_id].date
    return not date or int(str(date)[:4]) <= year + 1


def plausible(c: dict[str, Any], value: float) -> bool:
    """A value at most PLAUSIBLE times its target (6400万 new jobs over five years is not the year's figure
    for a target of 1000万: a longer period's figure is larger), and at least 1/SHORTFALL of it (a year can
    fall far short: 生产总值增长1.7% against 6%左右); any lower value of a ceiling (失业率, 涨幅: 居民消费价格上涨
    0.2% against 3%左右)."""
    target = c["target_value"] or 0.0
    if not target or not value:
        return True
    ratio = value / target
    return ratio <= PLAUSIBLE and (ratio >= 1 / SHORTFALL or ceiling(c))


def held_low(c: dict[str, Any], s: Candidate) -> bool:
    """A ceiling (居民消费价格涨幅3%左右) reported held low without a figure, in a review of the year, in the
    clause naming its indicator: 居民消费价格涨幅保持较低水平 (tracker_cues.yaml ``held_low``)."""
    if s.review_year is None or not ceiling(c) or not c["indicator"]:
        return False
    return any(indicator_share(c["indicator"], k) >= INDICATOR_SHARE and has("held_low", k)
               for k in _CLAUSE_END.split(s.text))


def ceiling(c: dict[str, Any]) -> bool:
    """Whether the target is a ceiling: at most N, or about N of a ceiling indicator (失业率, 涨幅)."""
    return c["target_qualifier"] == "lte" or c["target_qualifier"] == "approx" and \
        any(w in (c["indicator"] or "") for w in cues()["ceiling_indicators"])


def compare(c: dict[str, Any], reported: float) -> tuple[float, bool]:
    """(ratio of reported to target, whether the target is met) by the target's comparator."""
    target = c["target_value"] or 0.0
    ratio = reported / target if target else 0.0
    if c["target_qualifier"] == "lte":
        return ratio, reported <= target
    if c["target_qualifier"] == "approx":
        if ceiling(c):
            return ratio, ratio <= 1 + APPROX_TOLERANCE  # 失业率5.5%左右 is met by 5.1%
        return ratio, ratio >= 1 - APPROX_TOLERANCE
    return ratio, ratio >= 1


def in_step(c: dict[str, Any], store: Store, allowed: set[int], year: int
            ) -> tuple[tuple[str, float, Candidate, dict[str, Any]], ...] | None:
    """A growth promised in step with another (居民收入增长与经济增长同步): the two growth figures a review of its
    year gives (居民人均可支配收入实际增长5.1%, 国内生产总值……增长5%) as (indicator, value, sentence, figure), the
    promised growth's first; None when the commitment is not of this kind or the review does not give both."""
    m = in_step_pattern().search(c["text"])
    if m is None:
        return None
    names = (m["a"] + "增长", m["b"] + "增长")
    found: dict[str, tuple[float, tuple[str, float, Candidate, dict[str, Any]]]] = {}
    other = lexicon.alternation(lexicon.load("tracker_cues.yaml")["other_measures"])
    against = lexicon.alternation(lexicon.load("tracker_cues.yaml")["trend"]["ways"] + ["上涨", "涨幅", "降幅"])
    for i in sorted(allowed):
        s = store.candidates[i]
        if s.review_year != year:
            continue
        for x in s.metrics:
            window = s.text[max(0, x["start"] - s.start - INDICATOR_WINDOW):x["start"] - s.start]
            if x["unit"] != "%" or re.search(rf"(?:{other})\w{{0,3}}$", window) \
                    or re.search(against, _CLAUSE_END.split(window)[-1]):
                continue  # 对全球经济增长的贡献率超过30%, 单位国内生产总值能耗下降5%: another measure, not the growth
            for name in names:
                share = indicator_share(name, window)  # the figure that names the growth best (收入增长8%,
                # not 居民消费价格上涨1.2% after 收入增长10.3%)
                if share >= INDICATOR_SHARE and share > found.get(name, (0.0,))[0]:
                    found[name] = (share, (name, x["value"], s, x))
    return (found[names[0]][1], found[names[1]][1]) if len(found) == 2 else None


def trend(c: dict[str, Any], store: Store, allowed: set[int], year: int
          ) -> tuple[list[str], dict[str, Candidate]] | None:
    """A direction promised without a figure (单位生产总值能耗、主要污染物排放量继续下降): its indicators, and for
    each the sentence of the review of its year that reports it gone that way (a clause naming the indicator,
    or one of its members: 二氧化硫 of 主要污染物, with a word of the direction after it); None when the
    commitment is not of this kind."""
    words = lexicon.load("tracker_cues.yaml")["trend"]
    m = re.fullmatch(rf"(?P<names>[^，。；]+?)(?:{lexicon.alternation(words['manner'])})?"
                     rf"(?:{lexicon.alternation(words['ways'])})[。；]?", c["text"].strip())
    if m is None:
        return None
    names = [n.strip() for n in re.split(r"[、和及与]", m["names"]) if len(n.strip()) >= 2]
    if not names:
        return None
    ways = lexicon.alternation(words["ways"])
    period = lexicon.alternation(words["period"])
    found: dict[str, Candidate] = {}
    for i in sorted(allowed):
        s = store.candidates[i]
        if s.review_year != year:
            continue
        for clause in re.split(r"[，,；;。]", s.text):
            for name in names:
                if name in found:
                    continue
                for member in _members(name):
                    at = clause.find(member)
                    way = re.search(ways, clause[at + len(member):]) if at >= 0 else None
                    if way and not re.search(period, clause[at:at + len(member) + way.start()]):
                        found[name] = s  # not 单位生产总值能耗累计下降22%: a five-year period's, not the year's
                        break
    return names, found


def _members(name: str) -> list[str]:
    """An indicator's own name (less a trailing 量) and the names of its members (主要污染物 → 二氧化硫, 氮氧化物 …;
    tracker_cues.yaml ``trend.members``)."""
    core = name[:-1] if name.endswith("量") else name
    out = [core]
    for group in lexicon.load("tracker_cues.yaml")["trend"]["members"]:
        if group[0] in core:
            out += group[1:]
    return out
