"""kfed's benchmarks: `python -m benchmarks` (see benchmarks/__main__.py and
docs/performance.md). One module per figure; benchmarks print figures, tests never assert on
wall time."""
