"""Engines that map the pure per-document work over many machines."""
