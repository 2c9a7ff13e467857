"""Run plots: the data they draw (fault spans incl. flapping, panel selection, palette, region
grouping, legend columns, stacks, availability, thresholds, markers) on hand-written rows, and
the figures written for hand-written rows and for a real run."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from federation.recorder import Row
from federation.report import palette
from federation.report.figures import series
from federation.report.panels import (
    availability_floor,
    group_clusters,
    headroom,
    instant_availability,
    legend_columns,
    name_prefix,
    panel_stacks,
    pending_steps,
    regions_of,
    resolve,
    select_panels,
    unavailable_seconds,
    windowed_availability,
)
from federation.report.plots import plot_run
from federation.report.spans import fault_spans, health_spans, label_rows, markers
from federation.report.thresholds import thresholds
from federation.report.view import name_regions, prepare_view

ROOT = Path(__file__).resolve().parents[2]
WEB = "Deployment/shop/web"
PNG = b"\x89PNG\r\n\x1a\n"


def fault(t: float, phase: str, kind: str = "outage", cluster: str = "m2", **kw: object) -> Row:
    return Row(
        t, "fault", cluster, str(kw.pop("workload", "")), {"fault": kind, "phase": phase, **kw}
    )


def flapping_rows() -> list[Row]:
    rows = [fault(60, "start", "flapping", "m1", duration=30, period=8, down=2)]
    for t in (60, 68, 76, 84):
        rows += [fault(t, "down", "flapping", "m1"), fault(t + 2, "up", "flapping", "m1")]
    return [*rows, fault(90, "end", "flapping", "m1")]


# ------------------------------------------------------------------ fault spans


def test_a_flapping_fault_is_one_band_from_start_to_end_with_its_down_phases() -> None:
    (span,) = fault_spans(flapping_rows(), end=300)
    assert (span.kind, span.t0, span.t1, span.clusters) == ("flapping", 60, 90, ("m1",))
    assert span.downs == ((60, 62), (68, 70), (76, 78), (84, 86))
    assert span.label == "flapping m1 (2 s down every 8 s)"


def test_a_fault_still_running_at_the_end_ends_there_and_a_down_phase_too() -> None:
    rows = [fault(10, "start", "flapping", "m1"), fault(20, "down", "flapping", "m1")]
    (span,) = fault_spans(rows, end=50)
    assert (span.t0, span.t1, span.downs) == (10, 50, ((20, 50),))


def test_a_region_fault_is_one_band_naming_every_cluster_and_its_region_when_recorded() -> None:
    rows = [fault(60, "start", cluster=c) for c in ("eu-2", "eu-1")]
    rows += [fault(180, "end", cluster=c) for c in ("eu-1", "eu-2")]
    (span,) = fault_spans(rows, end=300)
    assert (span.clusters, span.t0, span.t1, span.label) == (
        ("eu-1", "eu-2"),
        60,
        180,
        "outage eu-1, eu-2",
    )
    region = {"eu-1": "eu-west", "eu-2": "eu-west", "us-1": "us-east"}
    (named,) = name_regions([span], region, recorded=set(region))
    assert named.label == "outage eu-west (eu-1, eu-2)"
    (guessed,) = name_regions([span], region, recorded=set())
    assert guessed.label == "outage eu-1, eu-2", "a guessed region is not named as a fact"
    (part,) = name_regions([span], {**region, "eu-3": "eu-west"}, recorded={"eu-1", "eu-2", "eu-3"})
    assert part.label == "outage eu-1, eu-2", "not the whole region"


def test_faults_at_different_times_stay_apart_and_a_load_surge_names_its_workload() -> None:
    rows = [
        fault(10, "start", cluster="m1"),
        fault(20, "start", cluster="m2"),
        fault(30, "end", cluster="m1"),
        fault(40, "end", cluster="m2"),
        fault(50, "start", "load-surge", "", workload=WEB, replicas=36),
        fault(70, "end", "load-surge", "", workload=WEB),
    ]
    spans = fault_spans(rows, end=100)
    assert [(s.label, s.t0, s.t1) for s in spans] == [
        ("outage m1", 10, 30),
        ("outage m2", 20, 40),
        ("load-surge shop/web (→ 36 replicas)", 50, 70),
    ]
    assert label_rows(spans, 100, chars_per_second=100) == [0, 1, 0]


# ------------------------------------------------------------------ palette


def test_cluster_colours_never_reuse_a_health_or_fault_colour_nor_come_close() -> None:
    health = set(palette.HEALTH_COLORS.values())
    faults = {*palette.FAULT_COLORS.values(), palette.FAULT_DOWN_COLOR, palette.UNKNOWN_FAULT_COLOR}
    clusters = set(palette.CLUSTER_PALETTE) | {palette.OTHERS_COLOR}
    assert not clusters & health and not clusters & faults and not clusters & {palette.MARK_COLOR}
    assert len(set(palette.CLUSTER_PALETTE)) == len(palette.CLUSTER_PALETTE) == 12
    for c in palette.CLUSTER_PALETTE:
        assert min(palette.distance(c, h) for h in health) >= 30, c
        assert min(palette.distance(c, f) for f in faults) >= 20, c
        assert min(palette.distance(c, o) for o in palette.CLUSTER_PALETTE if o != c) >= 20, c
    assert palette.distance("#000000", "#ffffff") == pytest.approx(100, abs=0.5)


def test_names_past_the_palette_share_the_others_colour_instead_of_a_reused_one() -> None:
    colors = palette.cluster_colors([f"c{i}" for i in range(14)])
    assert list(colors.values())[:12] == list(palette.CLUSTER_PALETTE)
    assert colors["c12"] == colors["c13"] == palette.OTHERS_COLOR


# ------------------------------------------------------------------ panels and regions


def test_panels_are_all_workloads_up_to_the_cap_else_the_most_unavailable() -> None:
    keys = [f"Deployment/ns/w{i}" for i in range(10)]
    lost = {k: float(i) for i, k in enumerate(keys)}
    assert select_panels(keys[:3], lost, cap=8).shown == tuple(sorted(keys[:3]))
    sel = select_panels(keys, lost, cap=3)
    assert sel.shown == ("Deployment/ns/w9", "Deployment/ns/w8", "Deployment/ns/w7")
    assert len(sel.left_out) == 7 and sel.why == "most unavailable replica-seconds"
    chosen = select_panels(keys, lost, chosen=["w2", "ns/w1", "Deployment/ns/w2"], cap=1)
    assert chosen.shown == ("Deployment/ns/w2", "Deployment/ns/w1") and chosen.why == "chosen"
    with pytest.raises(ValueError, match=r"unknown workload 'nope'.*Deployment/ns/w0"):
        select_panels(keys, lost, chosen=["nope"])


def test_a_short_workload_name_must_match_exactly_one_key() -> None:
    keys = ["Deployment/a/web", "Deployment/b/web", "Job/a/batch"]
    assert resolve("batch", keys) == "Job/a/batch" and resolve("b/web", keys) == "Deployment/b/web"
    with pytest.raises(ValueError, match="ambiguous"):
        resolve("web", keys)


def test_unavailable_seconds_come_from_the_summary_else_from_the_rows() -> None:
    rows = [
        Row(0, "desired", "", WEB, {"replicas": 4}),
        Row(10, "ready", "m1", WEB, {"ready": 4}),
        Row(50, "ready", "m1", WEB, {"ready": 2}),
        Row(60, "ready", "m1", WEB, {"ready": 4}),
    ]
    s = series(rows)
    assert unavailable_seconds(s, 100, None) == {WEB: 20.0}
    assert unavailable_seconds(
        s, 100, {"workloads": {WEB: {"unavailable_replica_seconds": 7}}}
    ) == {WEB: 7.0}


def test_regions_come_from_the_caller_the_capacity_rows_or_the_summary_else_name_prefixes() -> None:
    names = ["eu-1", "eu-2", "usw2-a", "m12"]
    assert [name_prefix(c) for c in names] == ["eu", "eu", "usw2", "m"]
    assert regions_of(names) == (
        {"eu-1": "eu", "eu-2": "eu", "usw2-a": "usw2", "m12": "m"},
        "cluster-name prefix (no regions recorded)",
        set(),
    )
    rows = [Row(0, "capacity", "eu-1", "", {"cpu": 1, "region": "eu-west"})]
    summary = {"clusters": {"eu-2": {"region": "eu-west"}, "usw2-a": {"region": "us-west"}}}
    region, source, recorded = regions_of(names, rows, summary, {"m12": "lab"})
    assert region == {"eu-1": "eu-west", "eu-2": "eu-west", "usw2-a": "us-west", "m12": "lab"}
    assert (source, recorded) == ("region", set(names))
    listed = {"clusters": [{"name": "eu-1", "region": "eu-west"}]}
    region, source, _ = regions_of(["eu-1", "eu-2"], (), listed)
    assert region == {"eu-1": "eu-west", "eu-2": "eu"}
    assert source == "region (cluster-name prefix where none recorded)"


def test_more_than_twelve_clusters_stack_by_region_and_regions_past_twelve_fold() -> None:
    few = [f"c{i}" for i in range(12)]
    assert group_clusters(few, {}) == ({c: c for c in few}, few)
    many = [f"{r}-{i}" for r in ("ap", "eu", "us") for i in range(5)]
    groups, order = group_clusters(many, {c: c.split("-")[0] for c in many})
    assert order == ["ap", "eu", "us"] and groups["eu-3"] == "eu"
    lots = [f"r{i:02}-{j}" for i in range(15) for j in range(1 + (i == 0))]
    groups, order = group_clusters(lots, {c: c.split("-")[0] for c in lots})
    assert len(order) == 12 and order[-1] == "others (4 regions)"
    assert order[0] == "r00", "the largest region first"
    assert sum(1 for g in groups.values() if g.startswith("others")) == 4


@pytest.mark.parametrize(
    ("entries", "height", "cols"), [(0, 3, 1), (5, 3, 1), (40, 3, 3), (40, 1, 10), (12, 0.1, 12)]
)
def test_legend_columns_fit_the_height(entries: int, height: float, cols: int) -> None:
    assert legend_columns(entries, height, 8) == cols


def test_headroom_keeps_the_data_below_the_band_labels() -> None:
    assert headroom(10, 0) == pytest.approx(11.2)
    assert headroom(10, 3, step=0.08) == pytest.approx(10 / (1 - 0.24 - 0.05))


# ------------------------------------------------------------------ what a panel draws


def panel_rows() -> list[Row]:
    api = "Deployment/shop/api"
    return [
        Row(0, "desired", "", WEB, {"replicas": 6}),
        Row(0, "desired", "", api, {"replicas": 2}),
        Row(1, "ready", "m1", WEB, {"ready": 3}),
        Row(1, "ready", "m2", WEB, {"ready": 3}),
        Row(1, "ready", "m1", api, {"ready": 2}),
        Row(60, "ready", "m2", WEB, {"ready": 0}),
        Row(60, "pending", "m1", WEB, {"pending": 3, "reason": "no node with 2 CPU free"}),
        Row(60, "pending", "m3", WEB, {"pending": 1, "reason": "no node with 2 CPU free"}),
        Row(70, "pending", "m1", WEB, {"pending": 0}),
        Row(80, "desired", "", WEB, {"replicas": 12, "clusters": {"m1": 6, "m2": 6}}),
    ]


def test_each_workload_has_its_own_desired_line_and_stacks_in_the_given_order() -> None:
    s = series(panel_rows())
    view = panel_stacks(s[WEB], {"m1": "m1", "m2": "m2"}, end=100, order=["m2", "m1"])
    assert view.times == [0, 1, 60, 80, 100] and view.drawn == ["m2", "m1"]
    assert view.desired == [6, 6, 6, 12, 12] and view.ready == [0, 6, 3, 3, 3]
    assert view.band_at("m1", 30) == (3, 6) and view.band_at("m1", 65) == (0, 3)
    assert panel_stacks(s["Deployment/shop/api"], {}, end=100).desired == [2, 2, 2]


def test_pending_replicas_are_summed_over_clusters_as_steps() -> None:
    assert pending_steps(panel_rows()) == {WEB: [(60, 4), (70, 1)]}


def test_availability_instant_and_over_a_trailing_window() -> None:
    rows = [
        Row(0, "desired", "", WEB, {"replicas": 10}),
        Row(0, "ready", "m1", WEB, {"ready": 10}),
        Row(50, "ready", "m1", WEB, {"ready": 5}),
        Row(60, "ready", "m1", WEB, {"ready": 12}),
    ]
    s = series(rows)[WEB]
    ts, vs = instant_availability(s, 100)
    assert ts == [0, 0, 50, 60, 100] and vs[1:] == [1.0, 0.5, 1.0, 1.0]
    ts, vs = windowed_availability(s, 100, window=10, samples=10)
    assert ts == [10.0 * i for i in range(11)]
    assert vs[1:] == [1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 1.0, 1.0, 1.0, 1.0]
    assert math.isnan(vs[0]), "nothing desired yet over an empty window"


def test_availability_axis_starts_below_what_counts_when_all_of_it_is_high() -> None:
    curve = ([0.0, 1.0, 50.0, 60.0], [0.0, 1.0, 0.97, 1.0])
    assert availability_floor([(*curve, 1.0)], [0.99]) == 0.95, "start-up at 0 does not count"
    assert availability_floor([(*curve, 1.0)], [0.4]) == -0.02
    assert availability_floor([(*curve, None)], [0.99]) == -0.02, "never available"
    assert availability_floor([], [0.99]) == -0.02, "nothing drawn"


def test_thresholds_are_read_from_expectations_with_kind_and_params() -> None:
    summary = {
        "expectations": [
            {"description": "old style", "value": 1, "passed": True},
            {
                "description": "a",
                "kind": "availability",
                "params": {"workload": WEB, "min": 0.9, "from": 60, "to": 120},
                "threshold": 0.95,
                "value": 0.97,
                "passed": True,
            },
            {
                "description": "b",
                "kind": "replicas-on",
                "params": {"workload": WEB, "cluster": "m1", "at": 150, "min": 2, "max": 4},
                "value": 3,
                "passed": False,
            },
            {
                "description": "c",
                "kind": "no-replicas-on",
                "params": {"cluster": "m2", "after": 170},
            },
        ]
    }
    a, b, c = thresholds(summary)
    assert (a.kind, a.value, a.t0, a.t1, a.passed) == ("availability", 0.95, 60, 120, True)
    assert (b.cluster, b.value, b.upper, b.at, b.passed, b.observed) == ("m1", 2, 4, 150, False, 3)
    assert (c.kind, c.workload, c.at) == ("no-replicas-on", "", 170)
    assert thresholds(None) == []


def test_markers_are_detections_and_the_first_evict_failback_reschedule_of_each_episode() -> None:
    rows = [
        Row(64.5, "health", "m2", "", {"from": "Suspect", "to": "Offline"}),
        Row(64.5, "evict", "m2", WEB, {}),
        Row(64.6, "evict", "m2", WEB, {}),
        Row(90, "reschedule", "m1", WEB, {"replicas": 1}),
        Row(120, "failback", "m2", WEB, {}),
        Row(200, "health", "m2", "", {"from": "Ready", "to": "Offline"}),
        Row(200, "evict", "m2", WEB, {}),
    ]
    got = [(m.t, m.kind, m.cluster, m.workload) for m in markers(rows)]
    assert got == [
        (64.5, "detected", "m2", ""),
        (64.5, "evicted", "m2", WEB),
        (90, "rescheduled", "m1", WEB),
        (120, "failback", "m2", WEB),
        (200, "detected", "m2", ""),
        (200, "evicted", "m2", WEB),
    ]


def test_health_spans_cover_the_run_for_every_cluster() -> None:
    rows = [
        Row(60.5, "health", "m2", "", {"from": "Ready", "to": "Suspect"}),
        Row(64.5, "health", "m2", "", {"from": "Suspect", "to": "Offline"}),
    ]
    assert health_spans(rows, ["m1", "m2"], 100) == {
        "m1": [(0.0, 100, "Ready")],
        "m2": [(0.0, 60.5, "Ready"), (60.5, 64.5, "Suspect"), (64.5, 100, "Offline")],
    }


def test_health_spans_only_while_a_member() -> None:
    rows = [
        Row(30, "operation", "m3", "", {"op": "join"}),
        Row(50, "operation", "m2", "", {"op": "drain"}),
        Row(60, "operation", "m1", "", {"op": "unjoin"}),
        Row(75, "operation", "m1", "", {"op": "unjoin", "phase": "removed"}),
        Row(80, "operation", "m2", "", {"op": "uncordon"}),
    ]
    assert health_spans(rows, ["m1", "m2", "m3"], 100) == {
        "m1": [(0.0, 75, "Ready")],  # drained from 60, gone at 75
        "m2": [(0.0, 100, "Ready")],  # maintenance is not health
        "m3": [(30, 100, "Ready")],  # not a member before its join
    }


def test_the_view_says_how_clusters_are_grouped_and_which_workloads_are_left_out() -> None:
    clusters = [f"{r}-{i}" for r in ("eu", "us", "ap") for i in range(5)]
    rows = [Row(0, "desired", "", f"Deployment/ns/w{i}", {"replicas": 1}) for i in range(10)]
    view = prepare_view(rows, "t", 100, clusters, None, None, None, cap=4)
    assert view.grouped_by == "cluster-name prefix (no regions recorded)"
    assert view.order == ["ap", "eu", "us"] and view.clusters[:2] == ["ap-0", "ap-1"]
    assert len(view.selection.shown) == 4 and len(view.selection.left_out) == 6
    few = prepare_view(rows, "t", 100, ["m1", "m2"], None, ["w3"], None)
    assert few.grouped_by == "cluster" and few.selection.shown == ("Deployment/ns/w3",)


# ------------------------------------------------------------------ figures


def test_plot_run_draws_hand_written_rows_with_thresholds_and_markers(tmp_path: Path) -> None:
    rows = [
        *panel_rows(),
        *flapping_rows(),
        Row(64.5, "health", "m2", "", {"from": "Suspect", "to": "Offline"}),
        Row(64.5, "evict", "m2", WEB, {}),
        Row(90, "reschedule", "m1", WEB, {"replicas": 1}),
    ]
    summary = {
        "workloads": {WEB: {"availability": 0.9, "unavailable_replica_seconds": 12.0}},
        "expectations": [
            {
                "kind": "availability",
                "params": {"workload": WEB, "min": 0.9},
                "passed": True,
                "value": 0.93,
            },
            {"kind": "max-unavailable", "params": {"workload": WEB, "replicas": 2}},
            {
                "kind": "replicas-on",
                "params": {"workload": WEB, "cluster": "m1", "at": 95, "min": 1},
                "passed": True,
            },
            {"kind": "failover-within", "params": {"cluster": "m2", "seconds": 15}},
            {"kind": "replicas-on", "params": {"workload": WEB, "cluster": "m1", "at": 340}},
            {"kind": "no-replicas-on", "params": {"cluster": "m2", "after": 170}},
        ],
    }
    paths = plot_run(rows, tmp_path, title="hand", end=100, summary=summary)
    (tmp_path / "summary.json").write_text(json.dumps(summary))
    assert plot_run(rows, tmp_path, title="read from out_dir", end=100) == paths
    assert paths == [tmp_path / "replicas.png", tmp_path / "availability.png"]
    from PIL import Image

    width = Image.open(paths[0]).size[0]
    assert width < 1600, "checks timed after the end of the run are not drawn out there"
    assert all(p.read_bytes()[:8] == PNG for p in paths)
    with pytest.raises(ValueError, match="unknown workload"):
        plot_run(rows, tmp_path, title="hand", end=100, workloads=["nope"])


def test_plot_run_with_many_workloads_and_clusters_and_no_rows(tmp_path: Path) -> None:
    clusters = [f"{r}-{i}" for r in ("eu", "us", "ap") for i in range(6)]
    rows = [Row(0, "desired", "", f"Deployment/ns/w{i}", {"replicas": 18}) for i in range(10)]
    rows += [
        Row(1, "ready", c, f"Deployment/ns/w{i}", {"ready": 1}) for i in range(10) for c in clusters
    ]
    rows += [fault(60, "start", cluster=c) for c in clusters[:6]]
    paths = plot_run(rows, tmp_path, title="many", end=120, clusters=clusters, max_panels=3)
    assert all(p.stat().st_size > 10_000 for p in paths)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert all(p.exists() for p in plot_run([], empty, title="empty", end=10))


def test_plot_run_on_a_real_run_with_its_summary(tmp_path: Path) -> None:
    from federation.api import load_scenario
    from federation.runner import execute

    sc = load_scenario(ROOT / "scenarios/flapping-cluster.yaml")
    execute(sc, "sim", out_dir=tmp_path, plots=False)
    from federation.recorder import read_csv

    summary = json.loads((tmp_path / "summary.json").read_text())
    rows = read_csv(tmp_path / "timeline.csv")
    (span,) = fault_spans(rows, summary["simulated_seconds"])
    assert (span.t0, span.t1) == (60, 180) and len(span.downs) == 15
    paths = plot_run(
        rows,
        tmp_path,
        title="flapping",
        end=summary["simulated_seconds"],
        summary=summary,
        workloads=["web"],
    )
    assert all(p.stat().st_size > 10_000 for p in paths)


def test_importing_the_plots_does_not_import_matplotlib() -> None:
    code = "import sys, federation.report.plots; sys.exit('matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0
