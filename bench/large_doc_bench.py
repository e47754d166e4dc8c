"""Large documents: extraction time and peak memory per character, 50k to 4M characters.

Two kinds of text: ``varied`` (the corpus concatenated, repeated to the size) and ``repetitive`` (one
citizen reply repeated, as a compiled collection of replies is). Each size runs in a fresh
subprocess that builds the document, extracts it and serialises the record as ``sqzl extract``
does. Time is the CPU time of that process (wall-clock ``seconds`` beside it), which other work on
a busy machine distorts less. Memory is its resident-set high-water mark (``VmHWM``, reset after the
warm-up through ``/proc/self/clear_refs``): ``peak_rss_mib`` in all, and ``bytes_per_char``, the rise
over the resident set just before the document is made (interpreter, tables, the text itself).

Run: .venv/bin/python bench/large_doc_bench.py [--sizes 50000,...] [--kinds varied,repetitive] [--json F]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BULK = ROOT.parent / "shared" / "corpus" / "bulk" / "citizen_replies.jsonl"
SIZES = "50000,200000,500000,1000000,2000000,4000000"
REPLY_ID = "2549"  # the first reply of the bulk file (about 1,000 characters, dates and commitments)


def _unit(kind: str) -> str:
    if kind == "varied":
        return "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpora" / "raw").glob("*.txt")))
    for line in BULK.open(encoding="utf-8"):
        record = json.loads(line)
        if record.get("id") == REPLY_ID:
            return record["reply"] + "\n"
    raise SystemExit(f"reply {REPLY_ID} not found in {BULK}")


def _status_kib(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))


def _reset_peak() -> int:
    """Reset the high-water mark to the current resident set and return it, in bytes."""
    with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
        f.write("5")
    return _status_kib("VmRSS") * 1024


def _peak() -> int:
    return _status_kib("VmHWM") * 1024


def child(kind: str, size: int) -> dict:
    """One measurement, in this (fresh) process."""
    from sqzl_docs.models import Document
    from sqzl_docs.pipeline import process_document

    process_document(Document.from_text("预热：到2022年完成165项。"))  # jieba's tables and the grammars
    unit = _unit(kind)
    text = (unit * (size // len(unit) + 1))[:size]
    del unit
    baseline = _reset_peak()
    start, cpu = time.perf_counter(), time.process_time()
    doc = process_document(Document.from_text(text))
    line = doc.model_dump_json()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = _peak()
    return {"kind": kind, "characters": size, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
            "us_per_char": round(cpu / size * 1e6, 2), "peak_rss_mib": round(peak / 2**20, 1),
            "baseline_rss_mib": round(baseline / 2**20, 1), "bytes_per_char": round((peak - baseline) / size, 1),
            "output_chars": len(line), "dates": len(getattr(doc, "dates", [])),
            "commitments": len(getattr(doc, "commitments", []))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=SIZES)
    parser.add_argument("--kinds", default="varied,repetitive")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]))))
        return 0
    rows = []
    for kind in args.kinds.split(","):
        for size in (int(s) for s in args.sizes.split(",")):
            out = subprocess.run([sys.executable, __file__, "--child", kind, str(size)], check=True,
                                 capture_output=True, text=True, cwd=ROOT).stdout
            row = json.loads(out.strip().splitlines()[-1])
            rows.append(row)
            print(f"{kind:>10} {size:>9,} chars: {row['cpu_seconds']:7.2f} s CPU {row['us_per_char']:6.2f} µs/char, "
                  f"peak {row['peak_rss_mib']:7.1f} MiB (+{row['bytes_per_char']:6.1f} B/char)", file=sys.stderr)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"started": time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime()),
                                         "results": rows}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
