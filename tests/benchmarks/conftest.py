"""`benchmarks/` is a top-level folder run as `python -m benchmarks` from the repository, not
an installed package: make it importable for these tests."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
