"""Benchmarks of Regiekaart (see bench/README.md); run with `python bench/run.py`."""
