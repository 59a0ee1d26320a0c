"""Benchmarks. `make bench` (or `python -m bench [name ...]`) runs every bench/bench_*.py module's `main()`.

Each benchmark reports medians and a ratio against a raw floor measured in the same run
(results drift between machines; ratios hold). Results are printed and written as JSON to
bench/results/ (not committed). No benchmark asserts a time.
"""
