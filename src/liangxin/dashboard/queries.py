"""The cockpit's figures: one function per chart, each calling the coverage and dispatch engines.

Every function returns ``{"title", "headers", "rows", ...}`` so the JSON endpoint, the 表格 view
and the export show the same numbers."""

from __future__ import annotations

import datetime
import hashlib

from django.core.cache import cache
from django.db.models import Max, QuerySet

from liangxin.core.models import AuditLog, ImportBatch, Region
from liangxin.coverage import engine
from liangxin.dispatch.models import Period
from liangxin.dispatch.status import LIGHT_LABELS, period_status
from liangxin.registry.models import Organization

LIGHTS = ("done", "green", "yellow", "red")
MONTH_CACHE_SECONDS = 3600


def month_ends(as_of: datetime.date, count: int = 12) -> list[datetime.date]:
    """The last `count` month-ends up to `as_of` (as_of itself stands for the running month)."""
    days = [as_of]
    while len(days) < count:
        days.append(engine.end_of_previous_month(days[-1]))
    return list(reversed(days))


def _level_title(table: engine.CoverageTable) -> str:
    return {"county": "各县（市、区）", "township": "各乡镇（街道）"}.get(table.by, "各地区")


def coverage_by_county(
    orgs: QuerySet, *, as_of: datetime.date, scope: str = "all", region: Region | None = None
) -> dict:
    """组织覆盖率/单独组建率/工作覆盖率 (%) of each child region of `region` (the city's counties)."""
    table = coverage_table(orgs, as_of=as_of, scope=scope, region=region)
    shown = [r for r in table.rows if r.total]
    rows = [
        [r.name, float(r.pct(r.covered)), float(r.pct(r.single)), float(r.pct(r.covered + r.work))]
        for r in shown
    ]
    return {"title": f"{_level_title(table)}两个覆盖情况", "headers": ["地区", "组织覆盖率(%)", "单独组建率(%)", "工作覆盖率(%)"],
            "rows": rows, "codes": [r.code for r in shown], "by": table.by}  # fmt: skip


def data_version() -> tuple:
    """Changes whenever the data behind a coverage figure may have: every change is audited and
    every import is a batch; organizations are also counted by their newest id."""
    return (
        AuditLog.objects.aggregate(m=Max("pk"))["m"],
        ImportBatch.objects.aggregate(m=Max("pk"))["m"],
        Organization.objects.aggregate(m=Max("pk"))["m"],
    )


def coverage_table(orgs: QuerySet, *, as_of: datetime.date, scope: str, region: Region | None, version=None):
    """`engine.coverage`, cached while the data stays the same: the three coverage charts and
    the line's 12 points share the tables instead of computing them again per chart."""
    version = version or data_version()
    raw = f"{orgs.query}|{as_of}|{scope}|{region.code if region else ''}|{version}"
    key = "cockpit:table:" + hashlib.sha256(raw.encode()).hexdigest()
    table = cache.get(key)
    if table is None:
        table = engine.coverage(orgs, as_of=as_of, scope=scope, region=region)
        cache.set(key, table, MONTH_CACHE_SECONDS)
    return table


def coverage_over_months(
    orgs: QuerySet, *, as_of: datetime.date, scope: str = "all", region: Region | None = None
) -> dict:
    """The totals of `region` at each of the last 12 month-ends (the running month: `as_of`)."""
    rows = []
    version = data_version()
    for day in month_ends(as_of):
        t = coverage_table(orgs, as_of=day, scope=scope, region=region, version=version).total
        rows.append(
            [
                day.isoformat(),
                float(t.pct(t.covered)),
                float(t.pct(t.single)),
                float(t.pct(t.covered + t.work)),
            ]
        )
    return {"title": "近12个月覆盖率走势", "headers": ["月末", "组织覆盖率(%)", "单独组建率(%)", "工作覆盖率(%)"],
            "rows": rows}  # fmt: skip


def should_build_by_county(
    orgs: QuerySet, *, as_of: datetime.date, scope: str = "all", region: Region | None = None
) -> dict:
    table = coverage_table(orgs, as_of=as_of, scope=scope, region=region)
    shown = [r for r in table.rows if r.total]
    return {"title": f"{_level_title(table)}应建未建数量", "headers": ["地区", "应建未建(家)"],
            "rows": [[r.name, r.should_build] for r in shown], "codes": [r.code for r in shown], "by": table.by}  # fmt: skip


def tasks_by_light(period: Period | None, *, as_of: datetime.date) -> dict:
    """Task × unit cells of the period by light (done/green/yellow/red)."""
    rows, lights = [], []
    if period is not None:
        status = period_status(period, as_of)
        counts = status.totals
        rows = [[LIGHT_LABELS[k], counts[k]] for k in LIGHTS if counts.get(k)]
        lights = [k for k in LIGHTS if counts.get(k)]
    return {"title": "任务亮灯情况", "headers": ["灯色", "任务数(项·单位)"], "rows": rows, "codes": lights}


def reporting_by_unit(period: Period | None, *, as_of: datetime.date) -> dict:
    rows = []
    if period is not None:
        status = period_status(period, as_of)
        units = [u for u in status.units if u.expected]
        units.sort(key=lambda u: (-(u.rate or 0), u.unit.name))
        rows = [
            [u.unit.name, round(100 * (u.rate or 0), 1), round(100 * (u.on_time_rate or 0), 1)] for u in units
        ]
    return {"title": "各单位报送率", "headers": ["单位", "报送率(%)", "按时报送率(%)"], "rows": rows}


def lagging_tasks(period: Period | None, *, as_of: datetime.date) -> dict:
    rows = []
    if period is not None:
        status = period_status(period, as_of)
        names = {a.unit_id: a.unit.name for units in status.assignments.values() for a in units}
        for task in status.tasks:
            for a in status.assignments[task.pk]:
                cell = status.cells[(task.pk, a.unit_id)]
                if cell.light in ("red", "yellow"):
                    rows.append([task.code, task.title, names[a.unit_id], LIGHT_LABELS[cell.light],
                                 cell.progress if cell.progress is not None else ""])  # fmt: skip
        rows.sort(key=lambda r: (r[3] != LIGHT_LABELS["red"], r[0]))
    return {
        "title": "滞后和逾期任务",
        "headers": ["编号", "任务", "责任单位", "灯色", "进度(%)"],
        "rows": rows,
    }


COVERAGE_CHARTS = {
    "coverage": coverage_by_county,
    "months": coverage_over_months,
    "should_build": should_build_by_county,
}
DISPATCH_CHARTS = {"lights": tasks_by_light, "reporting": reporting_by_unit, "lagging": lagging_tasks}
CHARTS = [*COVERAGE_CHARTS, *DISPATCH_CHARTS]
