"""Loopback TCP ports for member components, drawn from a range nobody else draws from.

kwokctl counts down from 32767 when it picks ports itself, and the kernel hands out outgoing
ports from 32768 up. A member whose ports came from either place can lose one to another run
while it is stopped (an outage fault), and then comes back talking to a stranger. kfed picks
every port at random from ``PORT_RANGE`` instead, checks it is free, and records it so that a
restart reuses it.
"""

from __future__ import annotations

import random
import socket
from collections.abc import Iterable

PORT_RANGE = (20000, 30000)
_rng = random.SystemRandom()


def port_free(port: int) -> bool:
    """True when nothing is bound to 127.0.0.1:``port`` (or to the wildcard address)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def pick_ports(count: int, avoid: Iterable[int] = ()) -> list[int]:
    """``count`` distinct free ports from ``PORT_RANGE``, none of them in ``avoid``."""
    taken = set(avoid)
    ports: list[int] = []
    for _ in range(count * 200):
        if len(ports) == count:
            break
        port = _rng.randrange(*PORT_RANGE)
        if port not in taken and port_free(port):
            taken.add(port)
            ports.append(port)
    if len(ports) < count:
        raise RuntimeError(f"could not find {count} free ports in {PORT_RANGE}")
    return ports
