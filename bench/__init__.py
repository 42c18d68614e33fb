"""Benchmarks, run by hand (`make bench`); they report figures and assert nothing."""
