"""Scaling: throughput with --jobs 1 and 2, and peak memory as the input grows (1× and 20× the bulk corpus).

Each run is `sqzl extract FILE -q -o /dev/null` in a subprocess; peak memory is the largest resident
set of that process and its workers (getrusage of the children).

Run: .venv/bin/python bench/scale_bench.py [--bulk PATH] [--multiples 1,20] [--json bench/results/scale.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQZL = str(Path(sys.executable).with_name("sqzl"))


def run(path: Path, jobs: int) -> tuple[float, int]:
    """Wall seconds and peak RSS (MiB) of one extract run in a fresh process tree."""
    code = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
            f"subprocess.run([{SQZL!r}, 'extract', {str(path)!r}, '-q', '-o', '/dev/null', '--jobs', '{jobs}'], check=False); "
            "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), int(out[1]) // 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bulk", type=Path, default=ROOT.parent / "shared" / "corpus" / "bulk" / "citizen_replies.jsonl")
    parser.add_argument("--multiples", default="1,20")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    data = args.bulk.read_bytes()
    docs = data.count(b"\n")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in (int(x) for x in args.multiples.split(",")):
            path = Path(tmp) / f"bulk_x{k}.jsonl"
            with path.open("wb") as f:
                for _ in range(k):
                    f.write(data)
            for jobs in (1, 2):
                seconds, rss = run(path, jobs)
                rows.append({"multiple": k, "documents": docs * k, "jobs": jobs, "seconds": round(seconds, 2),
                             "docs_per_second": round(docs * k / seconds), "peak_rss_mib": rss})
                print(f"{k:>3}× ({docs * k:,} docs) jobs={jobs}: {seconds:7.1f} s  {docs * k / seconds:7.0f} docs/s  "
                      f"peak {rss} MiB", file=sys.stderr)
    small = max((r["multiple"] for r in rows if r["jobs"] == 1), default=1)
    one = {r["jobs"]: r for r in rows if r["multiple"] == small}
    report = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
              "speedup_jobs_2": round(one[1]["seconds"] / one[2]["seconds"], 2) if 1 in one and 2 in one else None,
              "runs": rows}
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
