"""Results from counters and traces: utilization, data movement, per-layer tables."""
