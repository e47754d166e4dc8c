"""Extraction speed against the tokenising every Chinese pipeline already pays.

Measures, on the same texts and in the same run: full extraction (structure and every extractor),
``jieba.lcut`` (default mode) and ``spacy.blank("zh")`` with the jieba segmenter, in characters per
second of CPU time on one core (best of ``--repeat`` interleaved rounds), and the ratio
extraction / jieba.lcut.

Run: .venv/bin/python bench/extract_bench.py [--bulk ../shared/corpus/bulk/citizen_replies.jsonl] [--json F]
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _texts(args: argparse.Namespace) -> dict[str, list[str]]:
    corpus = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpora" / "raw").glob("*.txt"))]
    sets = {"corpus": corpus}
    if args.bulk.exists():
        sets["bulk"] = [json.loads(line)["reply"] for line in args.bulk.open(encoding="utf-8") if line.strip()]
    return sets


def _time(fn, texts: list[str]) -> float:  # type: ignore[no-untyped-def]
    """CPU seconds of this process for one pass (other processes on a busy machine distort it less
    than the wall clock)."""
    start = time.process_time()
    for t in texts:
        fn(t)
    return time.process_time() - start


def _forget() -> None:
    """Empty the memos kept across documents (words per run of ideographs, the places and spelt-out form
    of each department name), so that a round does not read what the same texts gave in the round
    before (the texts are new to each round, as in a real run)."""
    from sqzl_docs.extract import departments, keywords

    getattr(keywords, "_RUN_WORDS", {}).clear()
    for memo in ("_places_named", "_spelt_out"):
        cached = getattr(departments, memo, None)
        if cached is not None:
            cached.cache_clear()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bulk", type=Path, default=ROOT.parent / "shared" / "corpus" / "bulk" / "citizen_replies.jsonl")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    import jieba
    import spacy

    import sqzl_docs
    from sqzl_docs.models import Document
    from sqzl_docs.pipeline import process_document

    jieba.setLogLevel(logging.WARNING)
    jieba.lcut("预热")
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    process_document(Document.from_text("预热：到2022年完成165项。"))
    results = {}
    for name, texts in _texts(args).items():
        chars = sum(len(t) for t in texts)
        row = {"documents": len(texts), "characters": chars}
        runs = (("extraction", lambda t: process_document(Document.from_text(t))),
                ("jieba.lcut", jieba.lcut), ("spacy_blank_zh_jieba", nlp.make_doc))
        best = {label: float("inf") for label, _ in runs}
        for _ in range(args.repeat):  # interleaved: each round measures all three under the same load
            for label, fn in runs:
                _forget()
                best[label] = min(best[label], _time(fn, texts))
        for label, seconds in best.items():
            row[label] = {"seconds": round(seconds, 3), "chars_per_second": round(chars / seconds)}
        row["ratio_extraction_to_jieba"] = round(row["extraction"]["chars_per_second"]
                                                 / row["jieba.lcut"]["chars_per_second"], 3)
        row["ratio_extraction_to_spacy"] = round(row["extraction"]["chars_per_second"]
                                                 / row["spacy_blank_zh_jieba"]["chars_per_second"], 3)
        results[name] = row
        print(f"{name}: {len(texts)} docs, {chars:,} chars: extraction {row['extraction']['chars_per_second']:,}/s, "
              f"jieba.lcut {row['jieba.lcut']['chars_per_second']:,}/s, spaCy+jieba "
              f"{row['spacy_blank_zh_jieba']['chars_per_second']:,}/s, ratio {row['ratio_extraction_to_jieba']}",
              file=sys.stderr)
    report = {"machine": f"{platform.machine()}, Python {platform.python_version()}, one core",
              "clock": f"process CPU time, best of {args.repeat} interleaved rounds",
              "sqzl_docs": sqzl_docs.__version__, "results": results}
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
