"""Target clauses (目标条款): one tracked row per figure a commitment promises.

``国内生产总值增长5%左右`` → target 5, ``approx``, indicator ``国内生产总值增长``, the clause as the row's
text. A figure that describes the present (去年, 累计, 从8.7万元 …) is not a target. The clause is the
stretch between clause breaks (，；。) around the figure, inside the document's text, so the row stands
where the promise does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import lexicon
from .sentences import cues

_CLAUSE_BREAK = re.compile(r"[，,；;。！？!?\n：:]")
# 1995年我国共发生……: a past year's statistics, not a target
_PAST_YEAR = re.compile(r"(?<![到至])(?:19|20)\d\d\s*年(?!底|前|内|末|起|开始)(?:[^，。]*?)(?:共|全年|全国)")
INDICATOR_SHARE = 0.7  # share of the indicator's character pairs a later figure's window must hold
_NUMBER = re.compile(r"[0-9０-９.．]+|[零一二两三四五六七八九十百千万亿]+")


@dataclass(frozen=True)
class Clause:
    start: int
    end: int
    text: str
    indicator: str
    comparator: str | None
    part: int = 0  # which figure of a clause that gives several indicators their figures (分别为A和B)


_RESPECTIVELY = re.compile(r"分别(?:为|是|达到|保持在|控制在|在)?")
_FIGURE = re.compile(r"\d+(?:\.\d+)?")


def _respectively(text: str, left: int, right: int, start: int) -> tuple[str, int] | None:
    """In a clause that lists indicators and then their figures (城镇调查失业率、城镇登记失业率分别为4.8%左右和
    4.3%左右), the indicator of the figure at ``start`` and its place among the figures; else None."""
    m = _RESPECTIVELY.search(text, left, start)
    if m is None:
        return None
    names = [n for n in re.split(r"[、和及与]", text[left:m.start()]) if n.strip()]
    figures = [f.start() for f in _FIGURE.finditer(text, m.end(), right)]
    if len(names) < 2 or len(names) != len(figures) or start not in figures:
        return None
    i = figures.index(start)
    return names[i], i


def clause_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause of ``text`` holding ``text[start:end]``."""
    left = start
    while left > 0 and not _CLAUSE_BREAK.match(text[left - 1]):
        left -= 1
    right = end
    while right < len(text) and not _CLAUSE_BREAK.match(text[right]):
        right += 1
    while left < right and text[left].isspace():
        left += 1
    return left, right


def target_clause(text: str, start: int, end: int, qualifier: str | None, *, shared: bool = False
                  ) -> Clause | None:
    """The clause promising the figure at ``text[start:end]``, or None when the figure describes the
    present (a present cue before it in its clause). ``shared``: the clause holds other targets' figures
    too (健身步道100条、运动场80片), so the figure's own 、-separated piece is the clause."""
    left, right = clause_around(text, start, end)
    respective = _respectively(text, left, right, start)
    if respective is not None:  # the clause as a whole stands for each of its indicators
        name, part = respective
        return Clause(left, right, text[left:right], indicator(name), comparator(text[end:right], qualifier), part)
    if shared:
        piece_left = text.rfind("、", left, start)
        piece_right = text.find("、", end, right)
        left = piece_left + 1 if piece_left >= 0 else left
        right = piece_right if piece_right >= 0 else right
    before = text[left:start]
    if re.search(lexicon.alternation(cues()["present"]), before) or _PAST_YEAR.search(before):
        return None
    what = indicator(before)
    if len(_verbless(what)) < 2:  # 完成100公里架空线入地 → the object follows the figure
        after = text[end:right]
        for w in sorted(cues()["approx_words"] + cues()["gte_words"] + cues()["lte_words"], key=len, reverse=True):
            if after.startswith(w):
                after = after[len(w):]
                break
        what = what + re.sub(r"[\s“”\"'、（）()]", "", after)[:16]
    return Clause(left, right, text[left:right], what, comparator(text[end:right], qualifier))


def promises(clause: str) -> bool:
    """Whether a clause promises its figure: a promise word (达到, 新增, 以上 …) stands in it."""
    return re.search(lexicon.alternation(cues()["promise"]), clause) is not None


def _verbless(indicator_text: str) -> str:
    """The indicator less the verbs of delivery (实施, 完成, 建成 …) that name no object."""
    return re.sub(lexicon.alternation(cues()["delivery_verbs"]), "", indicator_text)


def indicator(before: str) -> str:
    """What the figure measures: the words before it, less the cue words that are not the indicator
    (力争, 全年, 达到 …) and a trailing 为/在/达到."""
    noise = sorted(cues()["indicator_noise"], key=len, reverse=True)
    out = before.strip()
    changed = True
    while changed and out:
        changed = False
        for w in noise:
            if out.startswith(w):
                out, changed = out[len(w):], True
            if out.endswith(w) and len(out) > len(w):
                out, changed = out[: -len(w)], True
    return re.sub(r"[\s“”\"'、（）()]", "", out)


def comparator(after: str, qualifier: str | None) -> str | None:
    """gte, lte or approx from the words right after the figure (左右, 以上, 以内 …), else the extractor's."""
    head = after[:4]
    for name, key in (("approx", "approx_words"), ("gte", "gte_words"), ("lte", "lte_words")):
        if any(head.startswith(w) for w in cues()[key]):
            return name
    return qualifier


def indicator_matches(indicator_text: str, window: str) -> bool:
    """Whether a later text's window around a figure names the same indicator: its first two characters
    (its subject) and 70% of the character pairs of its words (less verbs of delivery: 完成, 新增 …) stand in it
    (国内生产总值增长 ~ 国内生产总值达到67.7万亿元，增长; 城镇新增就业 ~ 城镇新增就业1312万人), under any of its
    names (tracker_cues.yaml ``indicator_synonyms``: 能耗强度 ~ 单位国内生产总值能耗)."""
    return indicator_share(indicator_text, window) >= INDICATOR_SHARE


def indicator_share(indicator_text: str, window: str) -> float:
    """How well ``window`` names the indicator: the share of its character pairs standing in it, under the
    best of its names (0 when its subject is not named)."""
    return max(_share(name, window) for name in names(indicator_text))


def names(indicator_text: str) -> list[str]:
    """The indicator as written and under each synonym of a name it holds (居民消费价格涨幅 → 居民消费价格上涨)."""
    out = [indicator_text]
    for group in cues()["indicator_synonyms"]:
        for name in group:
            if name in indicator_text:
                out += [indicator_text.replace(name, other) for other in group if other not in name]  # not a
                # looser part of it: 国内生产总值增长 is not any 生产总值增长 (a city's)
    return out


def _share(indicator_text: str, window: str) -> float:
    core = _NUMBER.sub("", indicator_text)
    pieces = re.split(lexicon.alternation(cues()["delivery_verbs"]), core)
    pairs = {p[i:i + 2] for p in pieces for i in range(len(p) - 1)}
    if not pairs:  # 完成 alone names no indicator: no comparison
        return 0.0
    hits = sum(1 for p in pairs if p in window)
    head = next((p[:2] for p in pieces if len(p) >= 2), "")  # the indicator's subject: 环保投入, not 研发经费
    tail = _measure(next((p for p in reversed(pieces) if len(p) >= 2), ""))  # … and what it measures: 能耗
    # of 单位国内生产总值能耗下降, not 二氧化碳排放; 示范村 of 完成乡村振兴示范村建设
    if head not in window or tail not in window or hits < min(3, len(pairs)):
        return 0.0
    return hits / len(pairs)


def _measure(core: str) -> str:
    """The last two characters of an indicator (less its verbs of delivery) before its trend word (增长, 下降,
    涨幅 …): 单位国内生产总值能耗下降 → 能耗; 国内生产总值增长 → 总值; 城镇新增就业 → 就业."""
    out = core.strip()
    trend = sorted(cues()["trend_words"], key=len, reverse=True)
    changed = True
    while changed:
        changed = False
        for w in trend:
            if out.endswith(w) and len(out) > len(w) + 1:
                out, changed = out[: -len(w)], True
    return out[-2:]
