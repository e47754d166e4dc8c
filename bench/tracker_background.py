"""Write sqzl_docs/data/tracker_background.csv: how common each word is in government documents.

The tracker weighs a commitment's key nouns by their rarity: jieba's bundled IDF table says how rare a
word is in general Chinese, this table how common it is in government documents (印发, 试点, 实施方案 are
in most of them and name no object). Both are shipped, so a word weighs the same whatever a tracker
holds. The documents: the State Council pages of ../shared/corpus/html and the bundled corpus
(corpora/raw) less every document of a hand reading (tests/data/tracker_pairs, the seed pair), so the
readings are not scored with their own counts. A row is a word (a jieba word of two characters or more,
no digits) found in at least MIN_DOCS documents, with the share of the documents holding it.

Run: .venv/bin/python bench/tracker_background.py (then commit the table with the count it prints)
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

import yaml

import sqzl_docs
from sqzl_docs.tracker.text import tokens

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "sqzl_docs" / "data" / "tracker_background.csv"
MIN_DOCS = 3


def sources() -> list[Path]:
    read = {"000_a8a32f0196afeb02.txt", "003_bae5fa7c6a583b1e.txt"}
    for path in (ROOT / "tests" / "data" / "tracker_pairs").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        read |= {data["earlier"], data["later"]}
    html = sorted((ROOT.parent / "shared" / "corpus" / "html").glob("*.html"))
    raw = sorted(p for p in (ROOT / "corpora" / "raw").glob("*.txt") if p.name not in read)
    return html + raw


def main() -> int:
    paths = sources()
    df: Counter[str] = Counter()
    for path in paths:
        text = sqzl_docs.parse(path).text
        df.update({w for w in tokens(text) if len(w) > 1 and not any(ch.isdigit() for ch in w)})
    n = len(paths)
    rows = sorted((w, round(k / n, 3)) for w, k in df.items() if k >= MIN_DOCS)
    with OUT.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["word", "share"])
        out.writerows(rows)
    print(f"{len(rows)} words from {n} documents -> {OUT.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
