"""The commitment tracker: a SQLite store of documents, commitments and progress statements, links
from commitments to later reports, append-only assessments, and a Datasette reviewer UI."""
