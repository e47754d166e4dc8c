"""The optional C matcher of keyword extraction; everything else is declared in pyproject.toml.

``optional=True``: where it cannot be built (no C compiler), the install goes on without it and
``sqzl_docs.extract.keywords`` matches in Python, with the same words. The module carries the digest
of the source it was built from: a module left from an older source (a build that failed after an
edit) is not used.
"""

import hashlib
from pathlib import Path

from setuptools import Extension, setup

SOURCE = "sqzl_docs/extract/_rmm.c"
DIGEST = hashlib.sha256(Path(SOURCE).read_bytes()).hexdigest()[:16]

setup(ext_modules=[Extension("sqzl_docs.extract._rmm", [SOURCE], define_macros=[("RMM_SOURCE", f'"{DIGEST}"')],
                             optional=True)])
