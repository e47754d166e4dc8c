"""Topic keywords: TF-IDF over the words of jieba's own dictionary, with jieba's bundled IDF table
(nothing is downloaded).

Words are found by reverse maximum matching against jieba's dictionary (two to four characters),
which agrees with jieba's own segmenter on the keywords of government text nearly always and costs a
quarter of its time: extraction must not pay for a full segmentation of every sentence.
"""

from __future__ import annotations

import functools
import logging
import re
from typing import Any

from .. import lexicon

@functools.cache
def _stop() -> frozenset[str]:
    return frozenset(lexicon.load("topic_words.yaml")["stop_words"])
_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


@functools.cache
def _tables() -> tuple[dict[str, int], dict[str, float], float, Any]:
    import jieba
    import jieba.analyse

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    tfidf = jieba.analyse.default_tfidf
    return jieba.dt.FREQ, tfidf.idf_freq, tfidf.median_idf, tfidf.stop_words


def words(text: str) -> list[str]:
    """Dictionary words of two to four characters, by reverse maximum matching."""
    freq = _tables()[0]
    out: list[str] = []
    for run in _RUN.findall(text):
        end = len(run)
        while end >= 2:
            for size in (4, 3, 2):
                start = end - size
                if start >= 0 and freq.get(run[start:end]):
                    out.append(run[start:end])
                    end = start
                    break
            else:
                end -= 1
    return out


def keywords(text: str, k: int = 5) -> list[str]:
    """The ``k`` most characteristic words of a text (社区减负, 服务设施 …)."""
    _, idf, median, stop = _tables()
    counts: dict[str, int] = {}
    for w in words(text):
        if w not in _stop() and w not in stop:
            counts[w] = counts.get(w, 0) + 1
    return sorted(counts, key=lambda w: (-counts[w] * idf.get(w, median), w))[:k]
