"""Benchmarks (`make bench`): they print numbers; they never fail on a busy machine."""
