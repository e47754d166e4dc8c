"""Extraction on a Dask cluster: the same pure per-document work, mapped over a Dask bag of tasks
(files, or the lines of JSON Lines files), written as ordered JSON Lines shards.

The shards concatenated in name order are the single-process output, line for line, and
``sqzl track add DB OUT_DIR`` loads them. With no scheduler address a local cluster of ``jobs``
worker processes is started for the run.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path

from ..limits import DEFAULT, Limits
from ..models import Problem
from ..pipeline import Task, tasks, work_json


def _one(task: Task | Problem, *, limits: Limits, text_field: str | None, fmt: str) -> list[str]:
    if isinstance(task, Problem):
        return [task.model_dump_json()]
    return [line for _, line in work_json(task, limits, text_field, fmt)]


def extract(paths: Iterable[str], out_dir: Path, *, scheduler: str | None = None, jobs: int = 2,
            fmt: str = "jsonl", limits: Limits = DEFAULT, text_field: str | None = None,
            partition_size: int = 200) -> list[Path]:
    """Run extraction on Dask and write ``out_dir/part-00000.jsonl`` …; returns the shard paths."""
    import dask.bag as db
    from distributed import Client, LocalCluster

    todo = [t for t in tasks(paths, limits) if isinstance(t, Problem) or t[0] != "stdin"]
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("part-*.jsonl"):
        old.unlink()
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None)
        scheduler = cluster.scheduler_address
    try:
        with Client(scheduler):
            work = functools.partial(_one, limits=limits, text_field=text_field, fmt=fmt)
            npartitions = max(1, -(-len(todo) // partition_size))
            bag = db.from_sequence(todo, npartitions=npartitions).map(work).flatten()
            names = bag.to_textfiles(str(out_dir / "part-*.jsonl"), name_function=lambda i: f"{i:05d}",
                                     encoding="utf-8", last_endline=True)
    finally:
        if cluster is not None:
            cluster.close()
    return sorted(Path(n) for n in names)
