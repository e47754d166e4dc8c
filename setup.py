"""The optional C matcher of keyword extraction; everything else is declared in pyproject.toml.

``optional=True``: where it cannot be built (no C compiler), the install goes on without it and
``sqzl_docs.extract.keywords`` matches in Python, with the same words.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("sqzl_docs.extract._rmm", ["sqzl_docs/extract/_rmm.c"], optional=True)])
