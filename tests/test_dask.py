"""`sqzl extract --engine dask` on a local Dask cluster started by the test: the same output as one process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sqzl_docs import pipeline
from sqzl_docs.cli import app

from .conftest import BULK, RAW

pytestmark = pytest.mark.slow  # `make test-fast` leaves these out

distributed = pytest.importorskip("distributed")


def test_dask_shards_equal_the_single_process_run(tmp_path: Path) -> None:
    sample = tmp_path / "replies.jsonl"
    if BULK.exists():
        sample.write_text("".join(BULK.read_text(encoding="utf-8").splitlines(keepends=True)[:300]), encoding="utf-8")
    else:
        sample.write_text('{"id": "1", "reply": "您好，已收悉。"}\n', encoding="utf-8")
    paths = [str(RAW), str(sample), str(tmp_path / "missing.txt")]
    single = [line for _, line in pipeline.run_json(paths)]
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    try:
        out = tmp_path / "shards"
        result = CliRunner().invoke(app, ["extract", *paths, "--engine", "dask", "--scheduler",
                                          cluster.scheduler_address, "-o", str(out), "-q"])
        assert result.exit_code == 0, result.output
    finally:
        cluster.close()
    shards = sorted(out.glob("part-*.jsonl"))
    assert len(shards) >= 2
    lines = [line for shard in shards for line in shard.read_text(encoding="utf-8").splitlines()]
    assert lines == single
    # the shards load into the tracker as they are
    records = [json.loads(x) for x in lines]
    documents = sum(r["kind"] == "document" for r in records)
    assert documents == len(list(RAW.glob("*.txt"))) + (300 if BULK.exists() else 1)
    db = tmp_path / "t.db"
    added = CliRunner().invoke(app, ["track", "add", str(db), str(out)])
    unique = len({r["doc_id"] for r in records if r["kind"] == "document"})
    assert f"{unique} added" in added.stderr and "1 failed" in added.stderr  # the missing file's record
