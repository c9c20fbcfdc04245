"""Benchmarks of cimsim, outside the default test run; each has a quick mode."""
