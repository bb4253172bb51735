"""The benchmark harness: scout and its baselines scored against real gold (see benchmarks/README.md)."""
