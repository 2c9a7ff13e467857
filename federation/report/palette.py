"""Colours of the run plots: health states, fault bands, and a cluster palette apart from both."""

from __future__ import annotations

HEALTH_COLORS = {
    "Ready": "#4caf50",
    "Suspect": "#ffb300",
    "Offline": "#e53935",
    "Recovering": "#42a5f5",
}
# Faults are neutral grey bands told apart by hatch and named on the band itself, so that no
# hue is spent on them: the hues belong to health states (the strip) and clusters (the stacks).
FAULT_COLORS = {
    "outage": "#757575",
    "api-hang": "#757575",
    "partition": "#757575",
    "latency": "#757575",
    "flapping": "#757575",
    "node-loss": "#757575",
    "load-surge": "#757575",
    "client-partition": "#757575",
}
FAULT_DOWN_COLOR = "#424242"  # the down phases of a flapping fault, darker than its whole span
FAULT_HATCHES = {
    "outage": "",
    "api-hang": "/",
    "partition": "\\",
    "latency": ".",
    "flapping": "|",
    "node-loss": "x",
    "load-surge": "-",
    "client-partition": "+",
}
UNKNOWN_FAULT_COLOR = "#757575"
# Clusters (or regions): no health colour, no fault colour, nothing close to either (CIE76
# distance >= 30 from health colours, >= 20 from fault greys and from one another; see tests).
CLUSTER_PALETTE = (
    "#3949ab",  # indigo
    "#f48fb1",  # pink
    "#00897b",  # teal
    "#8e24aa",  # purple
    "#827717",  # olive
    "#00bcd4",  # cyan
    "#795548",  # brown
    "#b39ddb",  # lavender
    "#004d40",  # dark teal
    "#ad1457",  # raspberry
    "#311b92",  # deep purple
    "#c0ca33",  # lime
)
OTHERS_COLOR = "#bdbdbd"  # the groups beyond the palette, folded into one
MARK_COLOR = "#000000"  # markers and expectation thresholds


def cluster_colors(names: list[str]) -> dict[str, str]:
    """A colour per name, in order; names past the palette's length share OTHERS_COLOR (the
    caller folds them into one "others" entry rather than reuse a colour)."""
    return {
        n: CLUSTER_PALETTE[i] if i < len(CLUSTER_PALETTE) else OTHERS_COLOR
        for i, n in enumerate(names)
    }


def _lab(color: str) -> tuple[float, float, float]:
    h = color.lstrip("#")
    rgb = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return float(t ** (1 / 3)) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def distance(a: str, b: str) -> float:
    """Perceptual distance of two "#rrggbb" colours (CIE76 delta E; ~2.3 is just noticeable)."""
    return float(sum((p - q) ** 2 for p, q in zip(_lab(a), _lab(b), strict=True)) ** 0.5)
