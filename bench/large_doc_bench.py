"""Large documents: extraction time at 50k, 200k and 500k characters (the corpus repeated into one
document), to show the time grows linearly.

Run: .venv/bin/python bench/large_doc_bench.py [--sizes 50000,200000,500000] [--json F]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50000,200000,500000")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    from sqzl_docs.models import Document
    from sqzl_docs.pipeline import process_document

    corpus = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpora" / "raw").glob("*.txt")))
    process_document(Document.from_text(corpus[:2000]))
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        text = (corpus * (size // len(corpus) + 1))[:size]
        start = time.perf_counter()
        doc = process_document(Document.from_text(text))
        seconds = time.perf_counter() - start
        rows.append({"characters": size, "seconds": round(seconds, 2), "us_per_char": round(seconds / size * 1e6, 2),
                     "dates": len(doc.dates), "metrics": len(doc.metrics), "commitments": len(doc.commitments)})
        print(f"{size:>8,} chars: {seconds:7.2f} s  {seconds / size * 1e6:6.2f} µs/char", file=sys.stderr)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"results": rows}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
