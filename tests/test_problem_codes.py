"""Every problem code the package can emit is listed in errors.CODES, and exceptions become Problems
in one way (Problem.from_exc)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from sqzl_docs.errors import CODES, IngestError
from sqzl_docs.models import Problem

PACKAGE = Path(__file__).resolve().parent.parent / "sqzl_docs"
BATCH_STAGES = ("ingest", "structure", "extract")  # the stages a worker can be lost or time out in


def _codes_written() -> set[str]:
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            for kw in node.keywords:
                if kw.arg != "code":
                    continue
                if isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                    found.add(kw.value.value)
                elif isinstance(kw.value, ast.JoinedStr):  # f"{stage}.timeout"
                    tail = "".join(v.value for v in kw.value.values if isinstance(v, ast.Constant))
                    found.update(stage + tail for stage in BATCH_STAGES)
    return found


def test_every_code_written_in_the_package_is_listed() -> None:
    assert _codes_written() - set(CODES) == set()


def test_from_exc_keeps_a_typed_error_and_names_any_other() -> None:
    typed = Problem.from_exc(IngestError("x.pdf: encrypted", code="ingest.encrypted_pdf"), stage="ingest",
                             source="x.pdf")
    assert (typed.code, typed.reason) == ("ingest.encrypted_pdf", "x.pdf: encrypted")
    other = Problem.from_exc(KeyError("k"), stage="structure", source="a.txt", where=True)
    assert (other.code, other.reason) == ("structure.failed", "a.txt: KeyError: 'k'")
    with pytest.raises(ValueError):
        Problem.from_exc(ValueError(), stage="track", source="db")  # track.failed is no code
