"""The tracker against readings written by hand: before/after pairs (tests/data/tracker_pairs/*.yaml).

For each pair: a fresh tracker holds the earlier and the later document, `link` runs as of the
reading's date, and the tracker's statuses for the earlier document are compared with the reading:
undertakings found (a row standing where the undertaking stands), statuses agreed, every machine
`fulfilled` the reader did not give. The seed pair (000 → 003, tests/data/seed_pair.yaml) is included.

Run: .venv/bin/python bench/tracker_pairs.py [--json bench/results/tracker_pairs.json] [--show-misses]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

import sqlite_utils

from sqzl_docs import pipeline
from sqzl_docs.models import Document
from sqzl_docs.tracker import link, store
from sqzl_docs.tracker.readings import Agreement, Reading, score

ROOT = Path(__file__).resolve().parent.parent
PAIRS = ROOT / "tests" / "data" / "tracker_pairs"
SEARCH = [ROOT / "corpora" / "raw", ROOT.parent / "shared" / "corpus" / "fresh"]


def find(name: str) -> Path:
    for folder in SEARCH:
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(name)


def readings() -> list[tuple[Reading, Path, Path]]:
    out = []
    seed = Reading.load(ROOT / "tests" / "data" / "seed_pair.yaml")
    seed.name = "seed 000→003"
    out.append((seed, ROOT / "corpora/raw/000_a8a32f0196afeb02.txt", ROOT / "corpora/raw/003_bae5fa7c6a583b1e.txt"))
    for path in sorted(PAIRS.glob("*.yaml")):
        r = Reading.load(path)
        out.append((r, find(r.earlier), find(r.later)))
    return out


def run_pair(reading: Reading, earlier: Path, later: Path) -> Agreement:
    with tempfile.TemporaryDirectory() as tmp:
        db = sqlite_utils.Database(Path(tmp) / "t.db")
        docs = [r for r in pipeline.run([str(earlier), str(later)]) if isinstance(r, Document)]
        store.add(db, docs)
        link.link(db, as_of=reading.as_of)
        return score(db, reading, docs[0].doc_id)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path)
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    results = {}
    total = Agreement()
    print("| pair | undertakings | found | agreed (of found) | false fulfilled |")
    print("|---|---|---|---|---|")
    for reading, earlier, later in readings():
        a = run_pair(reading, earlier, later)
        results[reading.name] = a.as_dict()
        total.undertakings += a.undertakings
        total.found += a.found
        total.agreed += a.agreed
        total.confusion += a.confusion
        total.false_fulfilled += a.false_fulfilled
        print(f"| {reading.name} | {a.undertakings} | {a.found} ({a.found_share:.2f}) | {a.agreed} "
              f"({a.agreement:.2f}) | {len(a.false_fulfilled)} |")
        if args.show_misses:
            for m in a.missed:
                print(f"    missed: {m[:60]}", file=sys.stderr)
            for (r, m), n in sorted(a.confusion.items()):
                if r != m:
                    print(f"    reader {r} / machine {m}: {n}", file=sys.stderr)
    print(f"| all | {total.undertakings} | {total.found} ({total.found_share:.2f}) | {total.agreed} "
          f"({total.agreement:.2f}) | {len(total.false_fulfilled)} |")
    results["all"] = total.as_dict()
    by_status = Counter(r for (r, _m) in total.confusion.elements())
    agreed_by_status = Counter(r for (r, m) in total.confusion.elements() if r == m)
    print("\nper status (reader's): " + ", ".join(f"{s} {agreed_by_status[s]}/{n}" for s, n in sorted(by_status.items())))
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
