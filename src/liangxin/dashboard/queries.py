"""The cockpit's figures: one function per chart, each calling the coverage and dispatch engines.

Every function returns ``{"title", "headers", "rows", ...}`` so the JSON endpoint, the 表格 view
and the export show the same numbers."""

from __future__ import annotations

import datetime
import hashlib
from collections import Counter

from django.core.cache import cache
from django.db.models import QuerySet

from liangxin.core.models import Region, RegionLevel
from liangxin.coverage import engine, figcache
from liangxin.dispatch.models import Period
from liangxin.dispatch.status import LIGHT_LABELS, period_status
from liangxin.documents.bulletin import to_percent
from liangxin.documents.models import Bulletin
from liangxin.documents.serialize import SnapshotProblem, bulletin_from_json

LIGHTS = ("done", "green", "yellow", "red")
MONTH_CACHE_SECONDS = 3600  # published points (the tables: `coverage.figcache`)


def month_ends(as_of: datetime.date, count: int = 12) -> list[datetime.date]:
    """The last `count` month-ends up to `as_of` (as_of itself stands for the running month)."""
    days = [as_of]
    while len(days) < count:
        days.append(engine.end_of_previous_month(days[-1]))
    return list(reversed(days))


def _level_title(table: engine.CoverageTable) -> str:
    return {"county": "各县（市、区）", "township": "各乡镇（街道）"}.get(table.by, "各地区")


def coverage_by_county(
    orgs: QuerySet,
    *,
    as_of: datetime.date,
    scope: str = "all",
    region: Region | None = None,
    published: bool = False,
) -> dict:
    """组织覆盖率/单独组建率/工作覆盖率 (%) of each child region of `region` (the city's counties)."""
    table = month_tables(orgs, as_of=as_of, scope=scope, region=region, published=published)[as_of]
    shown = [r for r in table.rows if r.total]
    rows = [
        [r.name, float(r.pct(r.covered)), float(r.pct(r.single)), float(r.pct(r.covered + r.work))]
        for r in shown
    ]
    return {"title": f"{_level_title(table)}两个覆盖情况", "headers": ["地区", "组织覆盖率(%)", "单独组建率(%)", "工作覆盖率(%)"],
            "rows": rows, "codes": [r.code for r in shown], "by": table.by}  # fmt: skip


def published_points(days: list[datetime.date], region: Region | None) -> dict[datetime.date, tuple]:
    """The month-ends whose month has a published bulletin (通报), with its figures for `region`
    (the city, or a county row): ``(组织覆盖率, 单独组建率, 工作覆盖率, note)`` in %. A published
    number never changes, so the line shows it rather than recomputing. A bulletin dated after
    the point (a mid-month date) or a snapshot that cannot be read is skipped."""
    city = region is None or region.level in (RegionLevel.PROVINCE, RegionLevel.CITY)
    if not city and region.level != RegionLevel.COUNTY:
        return {}  # bulletins give the city and its counties only
    periods = {f"{day:%Y-%m}": day for day in days}
    stored = Bulletin.objects.filter(status=Bulletin.Status.PUBLISHED, period__in=periods)
    # A published snapshot never changes; reading one is slow, so points are cached per bulletin.
    found = list(stored.values_list("pk", "period", "as_of", "sha256"))
    key = (
        "cockpit:published:"
        + hashlib.sha256(f"{found}|{days}|{region.code if region else ''}".encode()).hexdigest()
    )
    points = cache.get(key)
    if points is None:
        points = {}
        for bulletin in stored.only("period", "as_of", "snapshot"):
            day = periods[bulletin.period]
            if bulletin.as_of > day:
                continue
            try:
                data = bulletin_from_json(bulletin.snapshot)
            except SnapshotProblem:
                continue
            row = (
                data.coverage_total
                if city
                else next((r for r in data.coverage if r.name == region.name), None)
            )
            if row is None:
                continue
            rates = [to_percent(rate) for rate in (row.org_rate, row.single_rate, row.work_rate)]
            note = f"已发布通报（截至{bulletin.as_of:%Y-%m-%d}）"
            points[day] = (*(float(r) if r is not None else None for r in rates), note)
        cache.set(key, points, MONTH_CACHE_SECONDS)
    return points


def month_tables(
    orgs: QuerySet, *, as_of: datetime.date, scope: str, region: Region | None, published: bool = False
) -> dict[datetime.date, engine.CoverageTable]:
    return month_figures(orgs, as_of=as_of, scope=scope, region=region, published=published)[0]


def month_figures(
    orgs: QuerySet, *, as_of: datetime.date, scope: str, region: Region | None, published: bool = False
) -> tuple[dict[datetime.date, engine.CoverageTable], dict[datetime.date, tuple]]:
    """The coverage tables the cockpit needs, from one engine statement and cached while the
    data stays the same: `as_of` (the bars) and every earlier month-end of the line that has no
    published bulletin to read (`published`: the user sees everything the bulletin counted);
    and those bulletins' points. The three coverage charts share the tables; requests arriving
    together wait for one computation."""
    points = published_points(month_ends(as_of), region) if published and scope == "all" else {}
    days = [day for day in month_ends(as_of) if day == as_of or day not in points]

    def compute() -> dict[datetime.date, engine.CoverageTable]:
        if len(days) == 1:
            return {as_of: engine.coverage(orgs, as_of=as_of, scope=scope, region=region)}
        found = engine.coverage_tables(orgs, dates=days, scope=scope, region=region)
        return dict(zip(days, found, strict=True))

    key = figcache.key("cockpit:tables", orgs, days, scope, region.code if region else "")
    return figcache.cached(key, compute), points


def coverage_over_months(
    orgs: QuerySet,
    *,
    as_of: datetime.date,
    scope: str = "all",
    region: Region | None = None,
    published: bool = False,
) -> dict:
    """The totals of `region` at each of the last 12 month-ends (the running month: `as_of`): a
    month with a published bulletin shows the bulletin's figures, the others are computed."""
    tables, points = month_figures(orgs, as_of=as_of, scope=scope, region=region, published=published)
    rows = []
    for day in month_ends(as_of):
        if day in points:
            rows.append([day.isoformat(), *points[day]])
            continue
        t = tables[day].total
        rows.append([day.isoformat(), float(t.pct(t.covered)), float(t.pct(t.single)),
                     float(t.pct(t.covered + t.work)), "实时计算"])  # fmt: skip
    return {"title": "近12个月覆盖率走势", "headers": ["月末", "组织覆盖率(%)", "单独组建率(%)", "工作覆盖率(%)", "数据来源"],
            "rows": rows, "series": 3}  # fmt: skip


def should_build_by_county(
    orgs: QuerySet,
    *,
    as_of: datetime.date,
    scope: str = "all",
    region: Region | None = None,
    published: bool = False,
) -> dict:
    table = month_tables(orgs, as_of=as_of, scope=scope, region=region, published=published)[as_of]
    shown = [r for r in table.rows if r.total]
    return {"title": f"{_level_title(table)}应建未建数量", "headers": ["地区", "应建未建(家)"],
            "rows": [[r.name, r.should_build] for r in shown], "codes": [r.code for r in shown], "by": table.by}  # fmt: skip


def _cells(status, units: set[int] | None):
    """(task, assignment, cell) of the period, only `units`' when given (None: every unit)."""
    for task in status.tasks:
        for a in status.assignments[task.pk]:
            if units is None or a.unit_id in units:
                yield task, a, status.cells[(task.pk, a.unit_id)]


def tasks_by_light(period: Period | None, *, as_of: datetime.date, units: set[int] | None = None) -> dict:
    """Task × unit cells of the period by light (done/green/yellow/red)."""
    rows, lights = [], []
    if period is not None:
        counts = Counter(cell.light for _, _, cell in _cells(period_status(period, as_of), units))
        rows = [[LIGHT_LABELS[k], counts[k]] for k in LIGHTS if counts.get(k)]
        lights = [k for k in LIGHTS if counts.get(k)]
    return {"title": "任务亮灯情况", "headers": ["灯色", "任务数(项·单位)"], "rows": rows, "codes": lights}


def reporting_by_unit(period: Period | None, *, as_of: datetime.date, units: set[int] | None = None) -> dict:
    rows = []
    if period is not None:
        status = period_status(period, as_of)
        shown = [u for u in status.units if u.expected and (units is None or u.unit.pk in units)]
        shown.sort(key=lambda u: (-(u.rate or 0), u.unit.name))
        rows = [
            [u.unit.name, round(100 * (u.rate or 0), 1), round(100 * (u.on_time_rate or 0), 1)] for u in shown
        ]
    return {"title": "各单位报送率", "headers": ["单位", "报送率(%)", "按时报送率(%)"], "rows": rows}


def lagging_tasks(period: Period | None, *, as_of: datetime.date, units: set[int] | None = None) -> dict:
    rows = []
    if period is not None:
        for task, a, cell in _cells(period_status(period, as_of), units):
            if cell.light in ("red", "yellow"):
                rows.append([task.code, task.title, a.unit.name, LIGHT_LABELS[cell.light],
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
