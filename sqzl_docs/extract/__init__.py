"""Extractors: pure generators over a Document, each yielding typed records with spans.

Each extractor declares its contract when it registers, as spaCy's ``Language.factory`` does:

    @extractor("dates", version=1, requires=("doc_numbers",), data=("date_cues.yaml",))

``requires`` names the extractors whose records it reads (the run order is computed from them),
``data`` the data files it reads. :func:`run_all` fills a document's record lists in that order; an
extractor called on its own gets what it requires through :func:`records`. Extractors match on
``doc.norm.text`` and map back with ``doc.source_span``.

>>> order()
('doc_numbers', 'citations', 'dates', 'metrics', 'departments', 'header', 'commitments', 'progress')
>>> REGISTRY["dates"].requires
('doc_numbers',)
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib
import importlib.util
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from types import ModuleType
from typing import Any

from ..models import Document

Extractor = Callable[[Document], Iterator[Any]]
# The modules of the built-in extractors; each registers itself with @extractor when imported.
MODULES = ("citations", "commitments", "dates", "departments", "doc_numbers", "header", "metrics", "progress")


@dataclass(frozen=True)
class Spec:
    """One registered extractor and its contract."""

    name: str
    fn: Extractor
    version: int
    requires: tuple[str, ...] = ()
    data: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return f"{self.name}/{self.version}"

    @functools.cached_property
    def fingerprint(self) -> str:
        """A digest of the extractor's module source, the package modules it imports (its helpers and
        grammars) and its data files: it changes whenever the code or data that decide the output
        change (the version is what a person raises when the output does)."""
        module = inspect.getmodule(self.fn)
        assert module is not None
        digest = hashlib.sha256()
        for name in sorted(_package_imports(module)):
            source = inspect.getsource(importlib.import_module(name))
            digest.update(name.encode("utf-8") + b"\0" + source.encode("utf-8"))
        data = resources.files("sqzl_docs.data")
        for name in self.data:
            digest.update(name.encode("utf-8") + b"\0" + data.joinpath(name).read_bytes())
        return digest.hexdigest()[:16]


def _package_imports(module: ModuleType) -> set[str]:
    """The module's own name and the sqzl_docs modules below the package root it imports (one level)."""
    names = {module.__name__}
    package = module.__name__.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(inspect.getsource(module))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
            stem = f"{base}.{node.module}" if node.module else base
            names.update(t for t in [stem] + [f"{stem}.{a.name}" for a in node.names] if _is_module(t))
    return names


def _is_module(name: str) -> bool:
    """Whether ``name`` is a module below the package root (not the root, not a package's attribute)."""
    try:
        return name.count(".") >= 2 and importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


REGISTRY: dict[str, Spec] = {}


def extractor(name: str, version: int, *, requires: tuple[str, ...] = (), data: tuple[str, ...] = ()
              ) -> Callable[[Extractor], Extractor]:
    """Register ``fn`` as the extractor ``name``; see the module docstring for the contract."""
    def register(fn: Extractor) -> Extractor:
        REGISTRY[name] = Spec(name, fn, version, tuple(requires), tuple(data))
        return fn
    return register


_loaded = False


def load_all() -> dict[str, Spec]:
    """The registry, with every built-in extractor imported (registered)."""
    global _loaded
    if not _loaded:
        for module in MODULES:
            importlib.import_module(f"{__name__}.{module}")
        _loaded = True
    return REGISTRY


@functools.cache
def order() -> tuple[str, ...]:
    """Every extractor after the ones it requires; among those free to run, by name."""
    specs = load_all()
    done: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in done:
            return
        if name in visiting:
            raise ValueError(f"extractors require each other in a cycle through {name!r}")
        visiting.add(name)
        for required in specs[name].requires:
            visit(required)
        visiting.discard(name)
        done.append(name)

    for name in sorted(specs):
        visit(name)
    return tuple(done)


def records(doc: Document, name: str) -> list[Any]:
    """The records of extractor ``name`` for ``doc``: those :func:`run_all` filled in when it has run,
    else computed now (an extractor called on its own gets what it requires)."""
    if name in doc.extractors:
        value = getattr(doc, name)
        return value if isinstance(value, list) else [value] if value is not None else []
    return list(load_all()[name].fn(doc))


def run_all(doc: Document, *, own: bool = False) -> Document:
    """The document with every extractor's records filled in: a copy of ``doc``, or, when ``own``, ``doc``
    itself (a document made for this run that no one else holds, such as the new one
    :func:`~sqzl_docs.structure.analyse` returns: it is filled in place, without a copy)."""
    specs = load_all()
    if own:
        _set(doc, "extractors", dict(doc.extractors))  # this run's own dict (the one it has may be shared)
    else:
        doc = doc.model_copy(update={"extractors": dict(doc.extractors)})  # this run's own copy
    for name in order():
        spec = specs[name]
        found = list(spec.fn(doc))
        _set(doc, name, (found[0] if found else None) if name == "header" else found)
        doc.extractors[name] = spec.version
    return doc


def _set(doc: Document, name: str, value: Any) -> None:
    """Set a field of a document that only :func:`run_all` holds, as ``model_copy(update=…)`` sets it
    on a copy: without a new copy of the (frozen) document after every extractor."""
    doc.__dict__[name] = value
    doc.__pydantic_fields_set__.add(name)
