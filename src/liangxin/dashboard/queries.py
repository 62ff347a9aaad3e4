"""The cockpit's coverage figures: one function per chart, each reading the coverage engine.

Every chart function returns ``{"title", "headers", "rows", "display", ...}``: `rows` hold the
numbers the chart draws and the export writes, `display` the same rows as a reader sees them
(rates with one decimal, “40.0%”) for the 表格 view. The dispatch charts are in
`dashboard.dispatch_charts`, the headline tiles in `dashboard.tiles`."""

from __future__ import annotations

import datetime
import hashlib
from typing import NamedTuple

from django.core.cache import cache
from django.db.models import QuerySet

from liangxin.core.dates import month_before
from liangxin.core.models import Region, RegionLevel
from liangxin.core.rates import Rate, format_percent, percent_value
from liangxin.coverage import engine
from liangxin.dashboard import dispatch_charts, snapshots
from liangxin.documents.models import Bulletin
from liangxin.documents.serialize import SnapshotProblem, bulletin_from_json

MONTH_CACHE_SECONDS = 3600  # published points (the tables: `coverage.figcache`)
COMPUTED = "实时计算"
BEHIND = "已存月末数据（正在按最新数据更新）"
PENDING = "正在后台计算"


class Point(NamedTuple):
    """A region's totals on one day: its rates as fractions, 应建未建, and where they come from."""

    org: Rate
    single: Rate
    work: Rate
    should_build: int
    source: str

    @classmethod
    def of(cls, figures: engine.Figures, source: str = COMPUTED) -> Point:
        return cls(figures.org_rate, figures.single_rate, figures.work_rate, figures.should_build, source)


def month_ends(as_of: datetime.date, count: int = 12) -> list[datetime.date]:
    """The last `count` month-ends up to `as_of` (as_of itself stands for the running month)."""
    days = [as_of]
    while len(days) < count:
        days.append(engine.end_of_previous_month(days[-1]))
    return list(reversed(days))


def _level_title(table: engine.CoverageTable) -> str:
    return {"county": "各县（市、区）", "township": "各乡镇（街道）"}.get(table.by, "各地区")


RATES = ("org_rate", "single_rate", "work_rate")


def _is_month_end(day: datetime.date) -> bool:
    return (day + datetime.timedelta(days=1)).day == 1


def coverage_by_county(
    orgs: QuerySet,
    *,
    as_of: datetime.date,
    scope: str = "all",
    region: Region | None = None,
    published: bool = False,
    user=None,
) -> dict:
    """组织覆盖率/单独组建率/工作覆盖率 (%) of each child region of `region` (the city's counties,
    with 市本级 when the engine lists it)."""
    figures = month_figures(orgs, as_of=as_of, scope=scope, region=region, published=published, user=user)
    table = figures.tables[as_of]
    shown = [r for r in table.rows if r.total]
    rates = [[getattr(r, key) for key in RATES] for r in shown]
    return {"title": f"{_level_title(table)}两个覆盖情况", "headers": ["地区", "组织覆盖率(%)", "单独组建率(%)", "工作覆盖率(%)"],
            "rows": [[r.name, *map(percent_value, rs)] for r, rs in zip(shown, rates, strict=True)],
            "display": [[r.name, *map(format_percent, rs)] for r, rs in zip(shown, rates, strict=True)],
            "codes": [r.code for r in shown], "by": table.by, "note": _behind_note(figures, as_of)}  # fmt: skip


def _behind_note(figures: MonthFigures, day: datetime.date) -> str:
    return f"{BEHIND}：数据刚有变动，图表将在后台重算完成后更新" if day in figures.behind else ""


def published_points(days: list[datetime.date], region: Region | None) -> dict[datetime.date, Point]:
    """The days (month-ends) whose month has a published bulletin (通报), with its figures for
    `region` (the city, or a county row). A published number never changes, so the cockpit
    shows it rather than recomputing. A bulletin dated after the point (a mid-month date) or a
    snapshot that cannot be read is skipped."""
    city = region is None or region.level in (RegionLevel.PROVINCE, RegionLevel.CITY)
    if not city and region.level != RegionLevel.COUNTY:
        return {}  # bulletins give the city and its counties only
    periods = {f"{day:%Y-%m}": day for day in days if _is_month_end(day)}
    stored = Bulletin.objects.filter(status=Bulletin.Status.PUBLISHED, period__in=periods)
    # A published snapshot never changes; reading one is slow, so points are cached per bulletin.
    found = list(stored.values_list("pk", "period", "as_of", "sha256"))
    key = (
        "cockpit:points:"
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
            note = f"已发布通报（截至{bulletin.as_of:%Y-%m-%d}）"
            points[day] = Point(row.org_rate, row.single_rate, row.work_rate, row.should_build, note)
        cache.set(key, points, MONTH_CACHE_SECONDS)
    return points


def figure_days(as_of: datetime.date) -> list[datetime.date]:
    """The days the cockpit shows coverage for: the line's month-ends and, for the tiles' change,
    the same point a month earlier (the bulletin's 较上月; the previous month-end at a month-end)."""
    return sorted({*month_ends(as_of), month_before(as_of)})


class MonthFigures(NamedTuple):
    tables: dict[datetime.date, engine.CoverageTable]
    points: dict[datetime.date, Point]  # published bulletins' figures
    behind: set[datetime.date]  # stored tables shown while the worker recomputes them
    pending: frozenset[datetime.date] | set[datetime.date] = frozenset()  # never computed: the worker does it


def month_figures(
    orgs: QuerySet,
    *,
    as_of: datetime.date,
    scope: str,
    region: Region | None,
    published: bool = False,
    user=None,
    fresh: bool = False,
) -> MonthFigures:
    """The coverage tables the cockpit needs: `as_of` (the bars) and every other day of
    `figure_days` that has no published bulletin to read (`published`: the user sees everything
    the bulletin counted), and those bulletins' points. Past days come from the stored tables
    (`dashboard.snapshots`), the running month from one engine statement cached while the data
    stays the same; the coverage charts and the tiles share them. `user`: the viewer, whose
    stored tables that are behind a change are shown while the worker recomputes them."""
    wanted = figure_days(as_of)
    points = published_points(wanted, region) if published and scope == "all" else {}
    days = [day for day in wanted if day == as_of or day not in points]
    # the day shown cannot wait; the line's other month-ends and the tiles' day a month earlier
    # can wait for the worker when they were never computed (at 1,000,000 organizations one day
    # takes about 0.6 s, two about 1 s; every chart asks the same, so they share one count)
    needed = {as_of}
    found = snapshots.tables(orgs, days, scope=scope, region=region, user=user, fresh=fresh, needed=needed)
    return MonthFigures(found.tables, points, found.behind, found.pending)


def point_on(day: datetime.date, figures: MonthFigures) -> Point:
    """The region's totals on `day`: a published bulletin's, else computed (or stored)."""
    if day in figures.points:
        return figures.points[day]
    if day in figures.pending:
        return Point(None, None, None, None, PENDING)
    return Point.of(figures.tables[day].total, BEHIND if day in figures.behind else COMPUTED)


def coverage_over_months(
    orgs: QuerySet,
    *,
    as_of: datetime.date,
    scope: str = "all",
    region: Region | None = None,
    published: bool = False,
    user=None,
) -> dict:
    """The totals of `region` at each of the last 12 month-ends (the running month: `as_of`): a
    month with a published bulletin shows the bulletin's figures, the others are computed."""
    figures = month_figures(orgs, as_of=as_of, scope=scope, region=region, published=published, user=user)
    rows, display = [], []
    for day in month_ends(as_of):
        point = point_on(day, figures)
        rates = (point.org, point.single, point.work)
        rows.append([day.isoformat(), *map(percent_value, rates), point.source])
        display.append([day.isoformat(), *map(format_percent, rates), point.source])
    note = f"{PENDING}：部分月末尚无数据，后台算完后刷新页面即可看到" if figures.pending else ""
    return {"title": "近12个月覆盖率走势", "headers": ["月末", "组织覆盖率(%)", "单独组建率(%)", "工作覆盖率(%)", "数据来源"],
            "rows": rows, "display": display,
            "series": 3, "note": note}  # fmt: skip


def should_build_by_county(
    orgs: QuerySet,
    *,
    as_of: datetime.date,
    scope: str = "all",
    region: Region | None = None,
    published: bool = False,
    user=None,
) -> dict:
    figures = month_figures(orgs, as_of=as_of, scope=scope, region=region, published=published, user=user)
    table = figures.tables[as_of]
    shown = [r for r in table.rows if r.total]
    rows = [[r.name, r.should_build] for r in shown]
    return {"title": f"{_level_title(table)}应建未建数量", "headers": ["地区", "应建未建(家)"],
            "rows": rows, "display": [[name, f"{n}家"] for name, n in rows],
            "codes": [r.code for r in shown], "by": table.by, "note": _behind_note(figures, as_of)}  # fmt: skip


COVERAGE_CHARTS = {
    "coverage": coverage_by_county,
    "months": coverage_over_months,
    "should_build": should_build_by_county,
}
DISPATCH_CHARTS = {
    "lights": dispatch_charts.tasks_by_light,
    "reporting": dispatch_charts.reporting_by_unit,
    "lagging": dispatch_charts.lagging_tasks,
}
CHARTS = [*COVERAGE_CHARTS, *DISPATCH_CHARTS]  # the 大屏's six
PAGE_CHARTS = [*CHARTS, "sentinel"]  # the page adds 流动哨兵 (dashboard/workforce_charts.py)
