"""Benchmarks, measured side by side as ratios (not timed unit tests). Run: python -m bench."""
