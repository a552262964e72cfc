"""Watcher's benchmarks (issue #7): `python -m bench` or `make bench`; see bench/README.md."""
