"""Whether a later sentence is about a commitment's object, beyond the share of its key nouns (相关性).

A key noun the sentence holds under another segmentation counts; words standing only inside another
document's 《title》 do not; a sentence naming the whole undertaking is about it; a review stating the state
the commitment promised (保持基本平衡, 持续改善, 同步) reports it reached.
"""

from __future__ import annotations

import re

from .. import lexicon
from .candidates import Candidate
from .sentences import classify

VERBATIM_MIN = 6  # a commitment's whole text of at least these characters, held by a sentence, names its object
_CLAUSE_END = re.compile(r"[，,、；;。]")
_TITLE = re.compile(r"《[^》]*》")


def state_reached(own: str, s: Candidate, words: list[str]) -> bool:
    """Whether a review of the year states the state the commitment promised, on its object: 国际收支保持基本
    平衡 ~ 国际收支基本平衡; 生态环境质量持续改善 ~ 生态环境质量有新改善; 居民收入增长与经济增长同步 ~ 居民收入……
    快于经济增速 (tracker_cues.yaml ``states``: the words of a promised state and of its report)."""
    if s.review_year is None:
        return False
    parts = _CLAUSE_END.split(s.text)  # a clause naming the object, and the one after it (……增长4%，继续快于……)
    clauses = [k for i, k in enumerate(parts) if any(w in x for x in parts[max(0, i - 1):i + 1] for w in words)]
    for state in lexicon.load("tracker_cues.yaml")["states"]:
        if any(w in own for w in state["promised"]) and any(w in k for k in clauses for w in state["reached"]):
            return classify(s.text) in ("done", "under_way", "mention")
    return False


def verbatim(own: str, text: str) -> bool:
    """Whether a sentence names the whole undertaking in its own words (深入推进依法行政: one key noun, but the
    review's 深入推进依法行政。提请……)."""
    return len(own) >= VERBATIM_MIN and own in text


def held(query: dict[str, float], text: str, coverage: float, words: list[str]) -> tuple[float, list[str]]:
    """Coverage and words with the key nouns the sentence holds as text but not as one of its jieba words
    (the commitment's keywords are cut by another segmenter: 环境质量 in 生态环境质量)."""
    more = [w for w in query if w not in words and w in text]
    if not more:
        return coverage, words
    total = sum(query.values()) or 1.0
    return coverage + sum(query[w] for w in more) / total, words + more


def outside_titles(own: str, text: str, query: dict[str, float], coverage: float, words: list[str]
                    ) -> tuple[float, list[str]]:
    """Coverage and words less those the sentence names only inside a title (发布《社区养老服务设施建设规范》
    names a standard, not the 服务设施 built), unless the commitment names them in a title too."""
    bare = _TITLE.sub("", text)
    titled = "".join(_TITLE.findall(own))
    kept = [w for w in words if w in bare or w in titled]
    if len(kept) == len(words):
        return coverage, words
    total = sum(query.values()) or 1.0
    return sum(query.get(w, 0.0) for w in set(kept)) / total, kept
