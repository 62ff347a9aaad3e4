"""The cockpit's dispatch figures (亮灯, 报送率, 滞后和逾期任务), read from the period status.

Lights are the period status's: counted over the pairs expected this month (domain.md §6), so
done + green + yellow + red = expected; a pair finished in an earlier month is shown apart
(此前已完成). `units` limits the cells to a user's own unit(s); None is every unit."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from liangxin.core.rates import format_percent, percent_value
from liangxin.dispatch.models import Period
from liangxin.dispatch.status import (
    EARLIER,
    LIGHT_LABELS,
    LIGHT_ORDER,
    PeriodStatus,
    counts_of,
    period_status,
)

LIGHTS = LIGHT_ORDER  # done, green, yellow, red


def cells(status: PeriodStatus, units: set[int] | None) -> Iterator:
    """(task, assignment, cell) of the period's pairs, only `units`' when given."""
    for task in status.tasks:
        for a in status.assignments[task.pk]:
            if units is None or a.unit_id in units:
                yield task, a, status.cells[(task.pk, a.unit_id)]


def counts(status: PeriodStatus, units: set[int] | None) -> dict[str, int]:
    """The period's counts over `units`' pairs (`status.counts_of`): expected, by light
    (done + green + yellow + red = expected), 此前已完成 (`earlier`), submitted, on time."""
    return counts_of(cell for _, _, cell in cells(status, units))


def status_of(period: Period | None, as_of: datetime.date) -> PeriodStatus | None:
    return None if period is None else period_status(period, as_of)


def tasks_by_light(period: Period | None, *, as_of: datetime.date, units: set[int] | None = None) -> dict:
    """Task × unit pairs expected this month, by light; every light listed, zero included."""
    rows, note, expected = [], "", 0
    status = status_of(period, as_of)
    if status is not None:
        found = counts(status, units)
        expected = found["expected"]
        if expected:
            rows = [[LIGHT_LABELS[k], found[k]] for k in LIGHTS]
        before = found[EARLIER]
        note = f"应报送{expected}个" + (f"，此前已完成{before}个（不计入本月）" if before else "")
    return {"title": "任务亮灯情况", "headers": ["灯色", "任务数(项·单位)"], "rows": rows,
            "display": [[label, f"{n}个"] for label, n in rows], "codes": list(LIGHTS) if rows else [],
            "expected": expected, "note": note}  # fmt: skip


def reporting_by_unit(period: Period | None, *, as_of: datetime.date, units: set[int] | None = None) -> dict:
    """Each unit with something expected this month: 报送率 and 按时报送率, best first."""
    rows, display = [], []
    status = status_of(period, as_of)
    if status is not None:
        shown = [u for u in status.units if u.expected and (units is None or u.unit.pk in units)]
        shown.sort(key=lambda u: (-(u.rate or 0), -(u.on_time_rate or 0), u.unit.name))
        for u in shown:
            rows.append([u.unit.name, percent_value(u.rate), percent_value(u.on_time_rate)])
            display.append([u.unit.name, format_percent(u.rate), format_percent(u.on_time_rate)])
    return {
        "title": "各单位报送率",
        "headers": ["单位", "报送率(%)", "按时报送率(%)"],
        "rows": rows,
        "display": display,
    }


def lagging_tasks(period: Period | None, *, as_of: datetime.date, units: set[int] | None = None) -> dict:
    rows = []
    status = status_of(period, as_of)
    if status is not None:
        for task, a, cell in cells(status, units):
            if cell.light in ("red", "yellow"):  # an expected pair's (earlier ones have no light)
                rows.append([task.code, task.title, a.unit.name, LIGHT_LABELS[cell.light],
                             cell.progress if cell.progress is not None else ""])  # fmt: skip
        rows.sort(key=lambda r: r[3] != LIGHT_LABELS["red"])  # overdue first, then in plan order
    return {
        "title": "滞后和逾期任务",
        "headers": ["编号", "任务", "责任单位", "灯色", "进度(%)"],
        "rows": rows,
        "display": [[*r[:4], "" if r[4] == "" else f"{r[4]}%"] for r in rows],
    }
