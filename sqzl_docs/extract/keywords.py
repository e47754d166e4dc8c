"""Topic keywords: TF-IDF over the words of jieba's own dictionary, with jieba's bundled IDF table
(nothing is downloaded).

Words are found by reverse maximum matching against jieba's dictionary (two to four characters),
which agrees with jieba's own segmenter on the keywords of government text nearly always and costs a
quarter of its time: extraction must not pay for a full segmentation of every sentence.

The table (each dictionary word of two to four characters with its IDF weight, or ``None`` for a
stop word) is built from jieba once and kept in a cache file: a process that finds the cache does
not load jieba's dictionary, its IDF table or its part-of-speech model (about 2.5 s of start-up).
The cache is keyed by jieba's version, its data files and our stop words, and lives in
``$SQZL_CACHE_DIR``, else ``$XDG_CACHE_HOME/sqzl_docs``, else ``~/.cache/sqzl_docs``.

Where ``make install`` could build the C module ``_rmm`` (``setup.py``: optional, it needs a C
compiler), the matching runs there, over a table of packed words made straight from the cache
file's packed form, some ten times quicker; else in Python below, which is the reference: the
words are the same (``tests/test_keyword_table.py``). The module also finds where the words of a
short list start in a text (:func:`word_starts`, for the grammars of other extractors).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import logging
import marshal
import os
import re
import sys
import tempfile
from array import array
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from .. import lexicon

if TYPE_CHECKING:
    from ._rmm import Starts, Words



def _module() -> ModuleType | None:
    """The C module, when it was built from the source beside it (a module left from an older
    source, after an edit whose build failed, is not used); else None: the Python forms below."""
    try:
        from . import _rmm
    except ImportError:  # not built (no C compiler at install)
        return None
    source = Path(__file__).with_name("_rmm.c")
    if source.exists() and hashlib.sha256(source.read_bytes()).hexdigest()[:16] != _rmm.SOURCE:
        return None
    return _rmm


_C = _module()
_Words: type[Words] | None = _C.Words if _C is not None else None
_Starts: type[Starts] | None = _C.Starts if _C is not None else None

_FORMAT = 2  # bump when the cache file changes shape
_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
# word → IDF weight (None: a stop word, matched but not counted)
Weights = dict[str, "float | None"]
# The table packed: the counted words joined by newlines, their weights as doubles, the stop words.
Packed = tuple[str, bytes, tuple[str, ...]]


@functools.cache
def _stop() -> frozenset[str]:
    return frozenset(lexicon.load("topic_words.yaml")["stop_words"])


def _build() -> Weights:
    """The table, from jieba's dictionary (its words of frequency > 0) and TF-IDF model."""
    import jieba
    import jieba.analyse

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    tfidf = jieba.analyse.default_tfidf
    idf, median = tfidf.idf_freq, tfidf.median_idf
    stop = _stop() | frozenset(tfidf.stop_words)
    return {w: None if w in stop else idf.get(w, median) for w, n in jieba.dt.FREQ.items() if n and 2 <= len(w) <= 4}


def _cache_file() -> Path | None:
    """Where the table is kept, named by what they are built from (None: jieba is not installed)."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or spec.origin is None:
        return None
    root = Path(spec.origin).parent
    key = hashlib.sha256(f"{_FORMAT}:{sys.byteorder}".encode())
    for f in (root / "__init__.py", root / "dict.txt", root / "analyse" / "idf.txt", root / "analyse" / "tfidf.py"):
        try:
            st = f.stat()
            key.update(f"{f}:{st.st_size}:{st.st_mtime_ns};".encode())
        except OSError:
            key.update(f"{f}:missing;".encode())
    key.update("\n".join(sorted(_stop())).encode("utf-8"))
    cache_home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    folder = os.environ.get("SQZL_CACHE_DIR") or Path(cache_home) / "sqzl_docs"
    return Path(folder) / f"keywords-{key.hexdigest()[:16]}.marshal"


@functools.cache
def _packed() -> Packed:
    """The packed table, read from the cache file, else built from jieba and written there."""
    path = _cache_file()
    if path is not None:
        try:
            with open(path, "rb") as f:
                packed = marshal.load(f)
            words_blob, values, stop = packed
            if not (isinstance(words_blob, str) and isinstance(values, bytes) and isinstance(stop, tuple)
                    and len(values) % 8 == 0 and words_blob.count("\n") + 1 == len(values) // 8):
                raise ValueError("damaged keyword table")
            return packed  # type: ignore[no-any-return]
        except (OSError, EOFError, ValueError, TypeError):
            pass  # absent or damaged: build it again
    packed = _pack(_build())
    if path is not None:
        _write(path, packed)
    return packed


@functools.cache
def _weights() -> Weights:
    return _unpack(_packed())


@functools.cache
def _table() -> Words | None:
    """The C matcher's table, where the module was built."""
    return _Words(*_packed()) if _Words is not None else None


def _pack(weights: Weights) -> Packed:
    """The table as one string of words, their weights as doubles, and the stop words: loading that
    is a few times quicker than loading a dictionary of 330,000 entries."""
    counted = [w for w, v in weights.items() if v is not None]
    return ("\n".join(counted), array("d", [weights[w] for w in counted]).tobytes(),  # type: ignore[misc,type-var]
            tuple(w for w, v in weights.items() if v is None))


def _unpack(packed: Packed) -> Weights:
    words_blob, values, stop = packed
    floats = array("d")
    floats.frombytes(values)
    words = words_blob.split("\n")
    if len(words) != len(floats):
        raise ValueError("damaged keyword table")
    weights: Weights = dict(zip(words, floats))
    weights.update(dict.fromkeys(stop))
    return weights


def _write(path: Path, packed: Packed) -> None:
    """Write the cache atomically; a cache that cannot be written is only a slower start next time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                marshal.dump(packed, f)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass


_RUN_WORDS: dict[str, list[str]] = {}  # run of ideographs → its words (runs recur: 您好, 感谢您对我们工作的支持)
_RUN_WORDS_MAX = 20_000


def words(text: str) -> list[str]:
    """Dictionary words of two to four characters, by reverse maximum matching: the runs of
    ideographs from left to right, the words of each from its end."""
    table = _table()
    if table is not None:
        return table.words(text)
    out: list[str] = []
    for run in _RUN.findall(text):
        found = _RUN_WORDS.get(run)
        if found is None:
            found = _run_words(run)
            if len(_RUN_WORDS) >= _RUN_WORDS_MAX:
                _RUN_WORDS.clear()
            _RUN_WORDS[run] = found
        out += found
    return out


def _run_words(run: str) -> list[str]:
    """The words of one run of ideographs, right to left: the longest dictionary word (4, 3 or 2
    characters) ending at each point."""
    known = _weights()
    out: list[str] = []
    end = len(run)
    while end >= 2:
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


def is_word(s: str) -> bool:
    """Whether ``s`` is a word of the dictionary (所需, 部门): the C table answers where it was built,
    without building the Python dictionary."""
    table = _table()
    return s in table if table is not None else s in _weights()


@functools.lru_cache(maxsize=4096)
def word_breaks(run: str) -> frozenset[int]:
    """Positions in ``run`` between two words by forward or by reverse maximum matching over the
    dictionary (民政部|将|会同: forward; 财政|所需|资金: neither breaks after 所). A position either
    reading breaks at is a break: a name's end is taken as inside a word only when both readings run a
    word across it. No segmenter is loaded (jieba's dictionary would cost a second at start-up)."""
    breaks = {0, len(run)}
    start = 0
    while start < len(run):  # forward
        size = next((k for k in (4, 3, 2) if start + k <= len(run) and is_word(run[start:start + k])), 1)
        start += size
        breaks.add(start)
    end = len(run)
    while end > 0:  # reverse
        size = next((k for k in (4, 3, 2) if end - k >= 0 and is_word(run[end - k:end])), 1)
        end -= size
        breaks.add(end)
    return frozenset(breaks)


def keywords(text: str, k: int = 5) -> list[str]:
    """The ``k`` most characteristic words of a text (社区减负, 服务设施 …)."""
    table = _table()
    if table is not None:
        return table.keywords(text, k)
    weights = _weights()
    ranked = sorted((-n * w, word) for word, n in Counter(words(text)).items() if (w := weights[word]) is not None)
    return [w for _, w in ranked[:k]]


@functools.cache
def word_starts(lists: tuple[tuple[str, ...], ...]) -> Callable[[str], tuple[list[int], ...]]:
    """A function giving, for each list of words, every position of a text where one of them starts
    (overlaps included), in order: the C module's ``Starts.find`` where it was built (one pass for
    all the lists, a bit tested a character), else a pattern per list that reads the words' first
    characters (a class, searched for quickly) and looks the words up after each; the positions are
    the same (tests/test_keyword_table.py)."""
    if _Starts is not None:
        return _Starts(lists).find
    return _word_starts_patterns(lists)


def _word_starts_patterns(lists: tuple[tuple[str, ...], ...]) -> Callable[[str], tuple[list[int], ...]]:
    """The Python form of :func:`word_starts`, the reference."""
    patterns = []
    for words in lists:
        chars = "".join(sorted({re.escape(w[0]) for w in words}))
        patterns.append(re.compile(f"[{chars}](?<=(?={lexicon.any_of(list(words))}).)") if words else None)
    return lambda text: tuple([m.start() for m in p.finditer(text)] if p else [] for p in patterns)
