"""The cockpit's headline tiles (主要指标): 组织覆盖率, 工作覆盖率, 应建未建, 报送率, 按时报送率
and 红灯, each with its change from last month as the bulletin counts it (the same point a month
earlier: the previous month-end for a month-end, the previous period for the dispatch)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import QuerySet

from liangxin.core.dates import month_before
from liangxin.core.models import Region
from liangxin.core.rates import Rate, change_points, format_percent, percent_value, ratio
from liangxin.dashboard import dispatch_charts, queries
from liangxin.dispatch.models import Period
from liangxin.dispatch.status import PeriodStatus

HEADERS = ["指标", "数值", "较上月"]
LABELS = {"org_rate": "组织覆盖率", "work_rate": "工作覆盖率", "should_build": "应建未建",
          "report_rate": "报送率", "on_time_rate": "按时报送率", "red": "红灯"}  # fmt: skip


def _rate_tile(key: str, now: Rate, before: Rate, *, known: bool = True) -> dict:
    points = change_points(now, before) if known else None
    return {"key": key, "label": LABELS[key], "value": percent_value(now) if known else None,
            "text": format_percent(now) if known else "—", "change": None if points is None else float(points),
            **_change_text(points, "个百分点")}  # fmt: skip


def _count_tile(key: str, now: int | None, before: int | None, unit: str) -> dict:
    change = None if now is None or before is None else now - before
    return {"key": key, "label": LABELS[key], "value": now, "text": "—" if now is None else f"{now}{unit}",
            "change": change, **_change_text(change, unit)}  # fmt: skip


def _change_text(change: Decimal | int | None, unit: str) -> dict:
    """▲1.2个百分点 / ▼3个 / 持平; “—” when last month has no figure to compare with."""
    if change is None:
        return {"change_text": "—", "trend": ""}
    if change > 0:
        return {"change_text": f"▲{change}{unit}", "trend": "up"}
    if change < 0:
        return {"change_text": f"▼{-change}{unit}", "trend": "down"}
    return {"change_text": "持平", "trend": "flat"}


def _reporting(status: PeriodStatus | None, units: set[int] | None) -> tuple[Rate, Rate, int | None]:
    """(报送率, 按时报送率, red pairs) of the user's units in a period; Nones without a period."""
    if status is None:
        return None, None, None
    found = dispatch_charts.counts(status, units)
    return (
        ratio(found["submitted"], found["expected"]),
        ratio(found["on_time"], found["expected"]),
        found["red"],
    )


def previous_period(period: Period) -> Period | None:
    return Period.objects.filter(month=month_before(period.month)).first()


def headline(
    orgs: QuerySet,
    *,
    as_of: datetime.date,
    period: Period | None,
    units: set[int] | None,
    scope: str = "all",
    region: Region | None = None,
    published: bool = False,
    user=None,
) -> dict:
    figures = queries.month_figures(
        orgs, as_of=as_of, scope=scope, region=region, published=published, user=user
    )
    now, before = queries.point_on(as_of, figures), queries.point_on(month_before(as_of), figures)
    status = dispatch_charts.status_of(period, as_of)
    earlier = previous_period(period) if period is not None else None
    last = dispatch_charts.status_of(earlier, month_before(as_of))
    rate, on_time, red = _reporting(status, units)
    last_rate, last_on_time, last_red = _reporting(last, units)
    dispatch = status is not None
    tiles = [
        _rate_tile("org_rate", now.org, before.org),
        _rate_tile("work_rate", now.work, before.work),
        _count_tile("should_build", now.should_build, before.should_build, "家"),
        _rate_tile("report_rate", rate, last_rate, known=dispatch),
        _rate_tile("on_time_rate", on_time, last_on_time, known=dispatch),
        _count_tile("red", red, last_red, "个"),
    ]
    note = ""
    if month_before(as_of) in figures.pending:  # never computed yet: the worker is counting it
        for tile in tiles[:3]:
            tile["change_text"] = queries.PENDING
        note = f"上月同期的覆盖数据{queries.PENDING}，算完后刷新页面即可看到较上月变化"
    rows = [[t["label"], t["text"], t["change_text"]] for t in tiles]
    return {
        "title": "主要指标",
        "headers": HEADERS,
        "rows": rows,
        "display": rows,
        "tiles": tiles,
        "note": note,
    }
