"""Topic keywords with jieba: TF-IDF over jieba words (no HMM for new words), with jieba's own bundled
IDF table; nothing is downloaded."""

from __future__ import annotations

import functools
import logging
import re
from collections import Counter


@functools.cache
def _jieba():  # type: ignore[no-untyped-def]
    import jieba
    import jieba.analyse

    jieba.setLogLevel(logging.WARNING)
    tfidf = jieba.analyse.default_tfidf
    return jieba, tfidf.idf_freq, tfidf.median_idf, tfidf.stop_words


_STOP = {"进一步", "工作", "推进", "加强", "开展", "建设", "持续", "积极", "全面", "有关", "相关", "我们", "我区", "我市"}
_WORD = re.compile(r"^[\u4e00-\u9fffA-Za-z]{2,}$")


def keywords(text: str, k: int = 5) -> list[str]:
    """The ``k`` most characteristic words of a text (社区减负, 服务设施 …)."""
    jieba, idf, median, stop = _jieba()
    counts = Counter(w for w in jieba.lcut(text, HMM=False) if _WORD.match(w) and w not in _STOP
                     and w.lower() not in stop)
    scored = sorted(counts, key=lambda w: (-counts[w] * idf.get(w, median), w))
    return scored[:k]
