"""Small grammars shared by structure analysis and the extractors (dates, document numbers)."""
