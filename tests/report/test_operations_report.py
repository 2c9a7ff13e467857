"""Operations in the report, worked out by hand from a few timeline rows."""

from __future__ import annotations

from federation.recorder import Row
from federation.report.figures import series, workload_figures
from federation.report.operations import deleted_at, operations

W = "Deployment/shop/api"


def _rows() -> list[Row]:
    return [
        Row(0.0, "desired", "", W, {"replicas": 4}),
        Row(1.0, "ready", "a", W, {"ready": 4}),
        Row(5.0, "ready", "a", W, {"ready": 2}),  # 2 lost from 5 s to 7 s
        Row(7.0, "ready", "a", W, {"ready": 4}),
        Row(10.0, "operation", "", W, {"op": "delete"}),
        Row(10.0, "desired", "", W, {"replicas": 0, "deleted": True}),
        Row(10.5, "ready", "a", W, {"ready": 0}),
    ]


def test_the_time_after_a_deletion_is_not_counted() -> None:
    """4 desired, all Ready from 1 s, 2 lost 5-7 s, deleted at 10 s, run ends at 20 s:
    counted = 4 x 9 = 36 replica-s (1-10 s), missing = 2 x 2 = 4, availability 1 - 4/36."""
    fig = workload_figures(series(_rows())[W], 20.0)
    assert fig["unavailable_replica_seconds"] == 4.0
    assert fig["availability"] == round(1 - 4 / 36, 6)
    assert fig["desired"] == 0
    assert deleted_at(_rows()) == {W: 10.0}


def test_a_migration_by_hand() -> None:
    """2 replicas move from a to b at 10 s with surge 1: b1 Ready at 11, a down to 1 at 11,
    b2 Ready at 12, a 0 at 12, done at 12 s: 0 missing, at most 1 Ready above desired."""
    rows = [
        Row(0.0, "desired", "", W, {"replicas": 2}),
        Row(1.0, "ready", "a", W, {"ready": 2}),
        Row(10.0, "operation", "", W, {"op": "migrate", "from": ["a"], "to": ["b"]}),
        Row(11.0, "ready", "b", W, {"ready": 1}),
        Row(11.2, "ready", "a", W, {"ready": 1}),
        Row(12.0, "ready", "b", W, {"ready": 2}),
        Row(12.2, "ready", "a", W, {"ready": 0}),
        Row(12.2, "migrated", "", W, {"duration": 2.2, "surge_peak": 1}),
    ]
    (op,) = operations(rows, series(rows), 30.0)
    assert op["move_seconds"] == 2.2 and op["finished_at"] == 12.2
    assert op["unavailable_replica_seconds"] == 0 and op["max_unavailable"] == 0
    assert op["surge_peak"] == 1 and op["ready_above_desired"] == 1
    # the same move with a's replicas gone at 10 s and b's Ready at 11 and 12: 2 x 1 + 1 x 1
    naive = [r for r in rows if r.cluster != "a" or r.t < 10] + [
        Row(10.0, "ready", "a", W, {"ready": 0})
    ]
    (op,) = operations(sorted(naive, key=lambda r: r.t), series(naive), 30.0)
    assert op["unavailable_replica_seconds"] == 3.0 and op["max_unavailable"] == 2
