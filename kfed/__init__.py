"""kfed: the public Python API of the kfed cluster-federation testbed.

    import kfed
    sc = kfed.load("scenarios/region-outage.yaml")
    sc = sc.set("Cluster[region=us-east].spec.capacity.cpu", 16)
    result = kfed.run(sc, seed=3)            # .summary (dict), .timeline (pandas), .passed
    sweep = kfed.sweep(sc, {"Cluster[region=us-east].spec.capacity.cpu": "8..32:4"}, seeds=10)
    sweep.points                             # pandas: pass rate and its interval per point
    nk = kfed.survive(sc, domain="region")   # pandas: .sets, .matrix
    print(kfed.plan(sc))                     # where each workload would go, and why
    kfed.divide(10, {"a": 2, "b": 1})        # the replica division every policy uses

Documented in docs/api.md ("Python API"). Everything else in the distribution is internal.
"""

from __future__ import annotations

from federation import __version__
from federation.api.errors import LoadError
from kfed.experiments import survive, sweep
from kfed.placement import DIVISION_METHODS, Division, Plan, divide, plan
from kfed.result import Result, run
from kfed.scenario import Scenario, load

__all__ = [
    "DIVISION_METHODS",
    "Division",
    "LoadError",
    "Plan",
    "Result",
    "Scenario",
    "__version__",
    "divide",
    "load",
    "plan",
    "run",
    "survive",
    "sweep",
]
