"""Imports go one way: normalize ← models ← ingest ← structure ← pipeline ← cli; nothing imports cli."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "sqzl_docs"
RANK = {"normalize": 0, "grammar": 0, "lexicon": 0, "errors": 0, "exitcodes": 0, "models": 1, "ingest": 2, "structure": 3,
        "extract": 4, "pipeline": 5, "gold": 5, "evaluate": 6, "report": 6, "schemas": 6, "__init__": 6,
        "spacy": 7, "cli": 7, "__main__": 8}


def _module(path: Path) -> str:
    rel = path.relative_to(PACKAGE).parts
    return rel[0].removesuffix(".py")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level and node.module is not None:
            depth = len(path.relative_to(PACKAGE).parts) - 1
            if node.level > depth:
                found.add(node.module.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.level and node.module is None:
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqzl_docs."):
            found.add(node.module.split(".")[1])
    return found


def test_imports_point_down_the_layers() -> None:
    for path in PACKAGE.rglob("*.py"):
        here = _module(path)
        for target in _imports(path):
            if target not in RANK or target == here:
                continue
            assert RANK[target] <= RANK.get(here, 9), f"{path.relative_to(PACKAGE)} imports {target}"
            assert target != "cli" or here == "__main__", f"{path} imports cli"
