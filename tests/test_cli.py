"""`sqzl extract`, `sqzl summary`, `sqzl schema`: output, order, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

import sqzl_docs
from sqzl_docs.cli import app

from .conftest import FIXTURES, RAW, fixture_files

runner = CliRunner()


def _records(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_extract_directory_writes_one_record_per_document(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", str(RAW), "-o", str(out)])
    assert result.exit_code == 0, result.output
    records = _records(out.read_text(encoding="utf-8"))
    assert [Path(r["source"]).name for r in records] == sorted(p.name for p in RAW.glob("*.txt"))
    assert all(r["kind"] == "document" for r in records)
    assert f"{len(records)} ok, 0 failed" in result.stderr


def test_record_is_the_same_as_the_library_gives(tmp_path: Path) -> None:
    path = RAW / "000_a8a32f0196afeb02.txt"
    result = runner.invoke(app, ["extract", "-q", str(path)])
    (record,) = _records(result.stdout)
    assert record == json.loads(sqzl_docs.parse(path).model_dump_json())


def test_same_output_for_any_jobs(tmp_path: Path) -> None:
    args = ["extract", "-q", str(RAW), str(FIXTURES)]
    one = runner.invoke(app, [*args, "--jobs", "1"])
    two = runner.invoke(app, [*args, "--jobs", "2"])
    assert one.exit_code == two.exit_code == 0
    assert one.stdout == two.stdout
    assert len(_records(one.stdout)) == len(list(RAW.glob("*.txt"))) + len(fixture_files())


def test_glob_and_stdin(tmp_path: Path) -> None:
    result = runner.invoke(app, ["extract", "-q", str(RAW / "00[0-2]*.txt")])
    assert len(_records(result.stdout)) == 3
    text = (RAW / "004_ea63ed9e1561bada.txt").read_bytes()
    proc = subprocess.run([sys.executable, "-m", "sqzl_docs", "extract", "-q", "-"], input=text,
                          capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr
    (record,) = _records(proc.stdout.decode())
    assert record["source"] == "<stdin>" and record["structure"]["title_text"] == "对区六届政协一次会议第130号提案的答复"


def test_usage_error_exits_2() -> None:
    assert runner.invoke(app, ["extract"]).exit_code == 2
    assert runner.invoke(app, ["extract", "--format", "xml", str(RAW)]).exit_code == 2
    assert runner.invoke(app, ["extract", "--jobs", "0", str(RAW)]).exit_code == 2


def test_summary_prints_what_was_found(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    runner.invoke(app, ["extract", "-q", str(RAW / "000_a8a32f0196afeb02.txt"), str(tmp_path / "nope.txt"),
                        "-o", str(out)])
    result = runner.invoke(app, ["summary", str(out)])
    assert result.exit_code == 0
    assert "重庆市民政局关于市政协五届四次会议" in result.stdout
    assert "2021-05-11 (repaired)" in result.stdout
    assert "1 documents, 1 problems" in result.stdout and "nope.txt" in result.stdout


def test_jsonl_input_from_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text('{"id": "7", "reply": "网友：您好，现将有关情况回复如下：一、已整改。"}\n', encoding="utf-8")
    (record,) = _records(runner.invoke(app, ["extract", "-q", str(path)]).stdout)
    assert record["reader"] == "jsonl" and record["source"].endswith("#id=7")
