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


@functools.cache
def _dictionary_words() -> frozenset[str]:
    """jieba's dictionary words of two to four characters (its prefix entries, of frequency 0, left out)."""
    return frozenset(w for w, n in _tables()[0].items() if n and 2 <= len(w) <= 4)


@functools.cache
def _all_stop_words() -> frozenset[str]:
    """Our topic stop words and jieba's TF-IDF stop words."""
    return _stop() | frozenset(_tables()[3])


def words(text: str) -> list[str]:
    """Dictionary words of two to four characters, by reverse maximum matching."""
    known = _dictionary_words()
    out: list[str] = []
    for run in _RUN.findall(text):
        end = len(run)
        while end >= 2:  # the longest dictionary word (4, 3 or 2 characters) ending at ``end``
            if end >= 4 and run[end - 4:end] in known:
                size = 4
            elif end >= 3 and run[end - 3:end] in known:
                size = 3
            elif run[end - 2:end] in known:
                size = 2
            else:
                end -= 1
                continue
            out.append(run[end - size:end])
            end -= size
    return out


def keywords(text: str, k: int = 5) -> list[str]:
    """The ``k`` most characteristic words of a text (社区减负, 服务设施 …)."""
    _, idf, median, _ = _tables()
    stop = _all_stop_words()
    counts: dict[str, int] = {}
    for w in words(text):
        if w not in stop:
            counts[w] = counts.get(w, 0) + 1
    ranked = sorted((-n * idf.get(w, median), w) for w, n in counts.items())
    return [w for _, w in ranked[:k]]
