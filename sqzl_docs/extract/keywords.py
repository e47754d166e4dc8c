"""Topic keywords with jieba (TF-IDF over jieba's own bundled IDF table; nothing is downloaded)."""

from __future__ import annotations

import functools
import logging
import re


@functools.cache
def _analyse():  # type: ignore[no-untyped-def]
    import jieba
    import jieba.analyse

    jieba.setLogLevel(logging.WARNING)
    return jieba.analyse


_STOP = {"进一步", "工作", "推进", "加强", "开展", "建设", "持续", "积极", "全面", "有关", "相关", "我们", "我区", "我市"}


def keywords(text: str, k: int = 5) -> list[str]:
    """The ``k`` most characteristic words of a text (社区减负, 服务设施 …)."""
    text = re.sub(r"[\d.%]+", " ", text)
    words = _analyse().extract_tags(text, topK=k + len(_STOP))
    return [w for w in words if w not in _STOP and len(w) > 1][:k]
