"""Imports go one way: normalize ← models ← ingest ← structure ← extract ← pipeline ← cli; nothing
imports cli. Every module and package of sqzl_docs has a rank (tracker, limits and engines included),
so a new one must say where it stands."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "sqzl_docs"
RANK = {
    # pure helpers and vocabulary: import nothing above them
    "normalize": 0, "grammar": 0, "lexicon": 0, "errors": 0, "exitcodes": 0, "version": 0, "interrupt": 0,
    "output": 0, "limits": 0,
    "models": 1, "workers": 1,
    # the tracker stores records: it knows models, errors and vocabulary, never how records are made
    "tracker": 1.5,
    "ingest": 2, "structure": 3, "extract": 4,
    "pipeline": 5, "gold": 5,
    "engines": 6, "evaluate": 6, "report": 6, "schemas": 6, "__init__": 6,
    "spacy": 7, "cli": 7, "__main__": 8,
}


def _module(path: Path) -> str:
    rel = path.relative_to(PACKAGE).parts
    return rel[0].removesuffix(".py")


def _imports(path: Path) -> set[str]:
    """The top-level parts of sqzl_docs a file imports (``__init__`` for the package root itself)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    depth = len(path.relative_to(PACKAGE).parts) - 1
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            if node.level <= depth:
                continue  # inside its own package
            if node.module is not None:
                found.add(node.module.split(".")[0])
            else:  # from .. import lexicon, __version__
                found.update(a.name if a.name in RANK else "__init__" for a in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqzl_docs."):
            found.add((node.module or "").split(".")[1])
        elif isinstance(node, ast.ImportFrom) and node.module == "sqzl_docs":
            found.add("__init__")
    return found


def test_every_module_has_a_rank() -> None:
    parts = {p.name.removesuffix(".py") for p in PACKAGE.iterdir()
             if p.suffix == ".py" or (p.is_dir() and (p / "__init__.py").exists())}
    assert parts - set(RANK) == set(), "give each new module a rank in RANK"


def test_imports_point_down_the_layers() -> None:
    for path in PACKAGE.rglob("*.py"):
        here = _module(path)
        for target in _imports(path):
            if target == here:
                continue
            assert target in RANK, f"{path.relative_to(PACKAGE)} imports {target}, which has no rank"
            assert RANK[target] <= RANK[here], f"{path.relative_to(PACKAGE)} imports {target}"
            assert target != "cli" or here == "__main__", f"{path} imports cli"
