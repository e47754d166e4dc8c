"""Linking benchmark: N commitments against N progress statements, N = 1k, 10k, 50k.

Since issue 12 the candidates are every sentence of every later document of the same government, not
only the progress statements: the number of candidate sentences is reported with each size.

The rows are made by repeating the bundled corpus (corpora/raw) with distinct ids. Each copy is its
own government (its jurisdiction, issuers and departments get a copy suffix), as a province's many
counties would be, so a commitment's candidates are the later statements of its own line, never the
whole table.

Run: .venv/bin/python bench/link_bench.py [--sizes 1000,10000,50000] [--json bench/results/link.json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import sqlite_utils

import sqzl_docs
from sqzl_docs import pipeline
from sqzl_docs.tracker import link, store
from sqzl_docs.tracker.candidates import Store

ROOT = Path(__file__).resolve().parent.parent


def base_database(path: Path) -> sqlite_utils.Database:
    db = sqlite_utils.Database(path)
    store.add(db, pipeline.run([str(ROOT / "corpora" / "raw")]))
    return db


def replicate(base: sqlite_utils.Database, path: Path, n: int) -> sqlite_utils.Database:
    """A database with exactly ``n`` commitments and ``n`` progress statements (copies of the base)."""
    db = sqlite_utils.Database(path)
    from sqzl_docs.tracker.schema import migrate

    migrate(db)
    docs = list(base.query("SELECT * FROM documents"))
    commitments = list(base.query("SELECT * FROM commitments"))
    progress = list(base.query("SELECT * FROM progress"))
    metrics = list(base.query("SELECT * FROM metrics"))
    departments = list(base.query("SELECT * FROM departments"))
    need_c, need_p = n, n
    k = 0
    with db.conn:
        while need_c > 0 or need_p > 0:
            suffix = f"-{k}"
            db["documents"].insert_all(({**d, "id": d["id"] + suffix, "issuer": (d["issuer"] or "") + suffix,
                                         "jurisdiction": (d["jurisdiction"] or "?") + suffix} for d in docs),
                                       batch_size=200)
            take_c = commitments[:max(0, need_c)]
            db["commitments"].insert_all(({**c, "id": c["id"] + suffix, "document_id": c["document_id"] + suffix,
                                           "departments": json.dumps([x + suffix for x in json.loads(c["departments"])],
                                                                     ensure_ascii=False)}
                                          for c in take_c), batch_size=500)
            take_p = progress[:max(0, need_p)]
            db["progress"].insert_all(({**p, "id": p["id"] + suffix, "document_id": p["document_id"] + suffix}
                                       for p in take_p), batch_size=500)
            db["metrics"].insert_all(({**m, "id": m["id"] + suffix, "document_id": m["document_id"] + suffix}
                                      for m in metrics), batch_size=500)
            db["departments"].insert_all(({**x, "id": x["id"] + suffix, "document_id": x["document_id"] + suffix}
                                          for x in departments), batch_size=500)
            need_c -= len(take_c)
            need_p -= len(take_p)
            k += 1
    return db


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        base = base_database(Path(tmp) / "base.db")
        print(f"base corpus: {base['commitments'].count} commitments, {base['progress'].count} progress statements",
              file=sys.stderr)
        for n in sizes:
            db = replicate(base, Path(tmp) / f"n{n}.db", n)
            start = time.perf_counter()
            counts = link.link(db, as_of=dt.date(2024, 6, 30))
            seconds = time.perf_counter() - start
            evidence = db["evidence"].count
            sentences = len(Store(db).candidates)
            results.append({"commitments": db["commitments"].count, "progress": db["progress"].count,
                            "documents": db["documents"].count, "candidate_sentences": sentences,
                            "seconds": round(seconds, 2), "us_per_commitment": round(seconds / n * 1e6),
                            "evidence_links": evidence, "statuses": dict(counts)})
            print(f"{n:>7} × {n:<7} {seconds:8.2f} s  {seconds / n * 1e6:7.0f} µs/commitment  "
                  f"{evidence} links, {sentences} candidate sentences", file=sys.stderr)
    report = {"machine": f"{platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}",
              "sqzl_docs": sqzl_docs.__version__, "results": results}
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
