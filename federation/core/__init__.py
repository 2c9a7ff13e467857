"""The pure federation core: placement, division, health, eviction and the reconcile plan.

No I/O, no clock (`now` is an argument), no randomness, no simpy, no kubernetes.
"""

from federation.core.desired import DesiredState
from federation.core.division import METHODS, Division, divide
from federation.core.planner import reconcile

__all__ = ["METHODS", "DesiredState", "Division", "divide", "reconcile"]
