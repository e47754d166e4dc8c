"""JSON Schema of the public records, generated from the pydantic models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from .models import Document, Problem, Record

PUBLIC: dict[str, TypeAdapter[Any]] = {
    "record.schema.json": TypeAdapter(Record), "document.schema.json": TypeAdapter(Document),
    "problem.schema.json": TypeAdapter(Problem)}


def render() -> dict[str, str]:
    """File name → schema text, as committed in ``schemas/``."""
    return {name: json.dumps(adapter.json_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
            for name, adapter in PUBLIC.items()}


def write_schemas(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render().items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def check_schemas(directory: Path) -> list[str]:
    """Names of schema files that are missing or differ from the models."""
    return [name for name, text in render().items()
            if not (directory / name).exists() or (directory / name).read_text(encoding="utf-8") != text]
