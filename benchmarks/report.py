"""The benchmark report: the run's context (mode, machine, where real clusters live), the
machine description every figure is read against, and the printed table."""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
import sys
import sysconfig
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KEYS = (
    ("p1_speedup", "P1 sim speed-up vs real clusters (x)", ">= 10,000"),
    ("p2_wall_s", "P2 wall, reference size (s)", "<= 10"),
    ("p2_peak_mb", "P2 peak memory (MB)", "<= 2048"),
    ("p2_events", "P2 events", ""),
    ("p3_ratio", "P3 model events/s over bare SimPy", ">= 0.5"),
    ("traffic_overhead", "P2 + 1,000 services x 10 client regions / P2 (CPU)", "<= 1.5"),
    ("p4_p50_ms", "P4 propagation p50 (ms)", ""),
    ("p4_p99_ms", "P4 propagation p99 (ms)", "<= 250"),
    ("p5_failover_s", "P5 failover, median (s)", "<= 10"),
    ("p5_false_failovers", "P5 false failovers (short blips)", "0"),
    ("p6_single_runs_per_s", "P6 sweep: in-process runs/s (baseline)", ""),
    ("p6_pool_runs_per_s", "P6 sweep: runs/s on a pool of 2", ""),
    ("p6_pool_efficiency", "P6 sweep: pool efficiency (rate / 2 x baseline)", ">= 0.8"),
    ("p6_dask_efficiency", "P6 sweep: Dask LocalCluster efficiency", ">= 0.7"),
    ("day_wall_ratio", "24 h with one fault / the same cut to 1 h (wall)", "<= 1.2"),
    ("parity_max_error", "Parity worst error (0.1 = 10 % / 1 probe)", "<= 0.1"),
    ("startup_python_s", "Start-up: python -c pass (s)", ""),
    ("startup_validate_s", "Start-up: kfed validate, reference (s)", "<= 0.4"),
    ("startup_run_s", "Start-up: kfed run --no-plots, reference (s)", "<= 0.4"),
)


@dataclass
class Context:
    """How this benchmark run goes."""

    quick: bool = False
    tiny: bool = False  # smallest sizes: for the smoke tests of these code paths
    kube: bool = True
    workdir: Path = Path("/tmp/kfed-bench")
    out: Path | None = None
    stretch: bool = False
    timeout: float | None = None  # per child process, seconds
    log: Callable[[str], None] = lambda msg: print(f"bench: {msg}", file=sys.stderr, flush=True)
    shared: dict[str, Any] = field(default_factory=dict)  # figures one module hands another


def ratio(a: float | None, b: float | None, digits: int = 3) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return round(a / b, digits)


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in _read("/proc/cpuinfo").splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = next(
        (
            int(line.split()[1])
            for line in _read("/proc/meminfo").splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 0
    try:
        import simpy

        simpy_version = simpy.__version__
    except Exception:
        simpy_version = "?"
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parents[1],
            check=False,
        ).stdout.strip()
    except OSError:
        commit = ""
    config = str(sysconfig.get_config_var("CONFIG_ARGS") or "")
    return {
        "cpu": cpu,
        "cpus": usable,
        "memory_gib": round(mem_kb / 2**20, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "python_build": (
            "optimized (PGO)" if "--enable-optimizations" in config else "not PGO-optimized"
        ),
        "python_executable": sys.executable,
        "simpy": simpy_version,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
    }


def table(result: Mapping[str, Any]) -> str:
    """The printed report: one line per headline figure, then notes."""
    lines = []
    m = result.get("machine", {})
    lines.append(
        f"kfed benchmarks ({result.get('mode', 'full')}) on {m.get('cpu', '?')}, "
        f"{m.get('cpus', '?')} CPUs, {m.get('memory_gib', '?')} GiB, Python {m.get('python', '?')}"
        f" ({m.get('python_build', '')}), SimPy {m.get('simpy', '?')}, {m.get('date', '')}"
    )
    lines.append("")
    width = max(len(label) for _, label, _ in KEYS)
    lines.append(f"{'figure'.ljust(width)}  {'value':>12}  target")
    for key, label, target in KEYS:
        v = result.get(key)
        if v is None:
            text = "n/a"
        elif isinstance(v, float):
            text = f"{v:,.3f}" if abs(v) < 100 else f"{v:,.0f}"
        else:
            text = f"{v:,}" if isinstance(v, int) else str(v)
        lines.append(f"{label.ljust(width)}  {text:>12}  {target}")
    extra = result.get("details", {})
    p2 = extra.get("p2", {})
    if p2.get("growth"):
        gc, gw = p2["growth"]["clusters_x10"], p2["growth"]["workloads_x10"]
        lines.append("")
        lines.append(
            f"P2 growth: clusters {gc['from']} -> {gc['to']}: wall x{gc['wall_ratio']} "
            f"(events x{gc['events_ratio']}); workloads {gw['from']} -> {gw['to']}: "
            f"wall x{gw['wall_ratio']} (events x{gw['events_ratio']})"
        )
        t = p2["idle_tail"]
        lines.append(
            f"P2 idle tail x{round(t['simulated_s'][1] / t['simulated_s'][0])}: wall "
            f"x{t['wall_ratio']}, events x{t['events_ratio']}, wall per event "
            f"{t['wall_per_event_us'][0]} -> {t['wall_per_event_us'][1]} us"
        )
    tr = extra.get("traffic", {})
    if tr.get("runs"):
        r = tr["runs"]
        lines.append("")
        lines.append(
            f"Traffic: P2 {r['without']['cpu_s']} s CPU; with {tr['size']['services']} services "
            f"propagated {r['services_only']['cpu_s']} s; with their clients "
            f"{r['with_traffic']['cpu_s']} s (x{tr['traffic_overhead']}, wall "
            f"x{tr['traffic_overhead_wall']}; {tr['traffic_rows']} traffic rows, events "
            f"x{tr['traffic_events_ratio']})"
        )
    p6 = extra.get("p6", {})
    if p6.get("dask"):
        d, load = p6["dask"], p6.get("load_average", {})
        lines.append("")
        lines.append(
            f"P6: {p6['rounds']} interleaved rounds: in-process {p6['single']['runs']} runs in "
            f"{p6['single']['wall_s']} s, pool {p6['pool']['runs']} in {p6['pool']['wall_s']} s, "
            f"Dask {d['runs']} in {d['wall_s']} s after a {d['cluster_start_s']} s cluster start "
            f"(efficiency with it: {p6.get('p6_dask_efficiency_with_start')}); load average "
            f"{load.get('before')} -> {load.get('after')}, other processes used "
            f"{100 * p6.get('others_cpu_share', 0):.0f} % of the CPUs meanwhile; CPU per run (ms): "
            + ", ".join(f"{k} {v}" for k, v in p6.get("cpu_ms_per_run", {}).items())
            + f"; CPUs granted {p6.get('cpus_granted')}, pool efficiency per CPU granted "
            f"{p6.get('p6_pool_efficiency_per_cpu')}"
        )
    day = extra.get("day", {})
    if day.get("long"):
        s, g = day["short"], day["long"]
        per_hour = day["idle_per_hour"]
        lines.append(
            f"Day: {s['simulated_s'] / 3600:g} h {s['wall_s']} s ({s['events']} events), "
            f"{g['simulated_s'] / 3600:g} h {g['wall_s']} s ({g['events']} events); each quiet "
            f"hour costs {per_hour['events']:g} events, {per_hour['cycles']:g} cycles, "
            f"{per_hour['reconciles']:g} workload reconciles"
            + (
                f", {per_hour['probes_sent']:g} probes; CPU {s['cpu_s']} s -> {g['cpu_s']} s "
                f"(x{day.get('day_cpu_ratio')}); probes sent {s['probes_sent']} -> "
                f"{g['probes_sent']}, left out as certain {s['probes_left_out']} -> "
                f"{g['probes_left_out']}"
                if "cpu_s" in s
                else ""
            )
        )
    if extra.get("startup"):
        from benchmarks.startup import lines as startup_lines

        lines += ["", *startup_lines(extra["startup"])]
    notes = result.get("notes", {})
    if notes:
        lines.append("")
        lines.append("notes:")
        for k, v in notes.items():
            for line in v if isinstance(v, list) else [v]:
                lines.append(f"  {k}: {line}")
    return "\n".join(lines)
