"""新就业群体 and 流动哨兵 for other systems: the figures of `liangxin workforce` and
`liangxin sentinel_stats` (`workforce.figures`, `workforce.stats`) and the stations and reports
through their pages' own filters — within the token account's jurisdiction, a page at a time.
A rider's name and phone are masked as on the pages."""

from __future__ import annotations

import datetime
from typing import Any

from ninja import Field, Query, Router, Schema

from liangxin.api.common import PageQuery, keyset_page, require_role
from liangxin.api.common import as_of as as_of_date
from liangxin.api.problems import ApiProblem
from liangxin.api.schemas import ERRORS
from liangxin.core.masking import shown
from liangxin.workforce import figures, stats
from liangxin.workforce import views as station_pages
from liangxin.workforce import views_reports as report_pages
from liangxin.workforce.common import VIEWERS
from liangxin.workforce.models import SentinelReport, Station

router = Router(tags=["新就业群体"])


@router.get(
    "/workforce/figures",
    response={200: dict[str, Any], **ERRORS},
    summary="新就业群体统计（与 liangxin workforce --json 相同，限于管辖范围）",
)
def workforce_figures(request, as_of: str | None = None):
    require_role(request, VIEWERS)
    return figures.workforce(request.auth.user, as_of_date(as_of))


class StationQuery(PageQuery):
    q: str | None = Field(None, description="站点、平台/企业名称或地址")
    region: str | None = Field(None, description="县（市、区）或乡镇（街道）代码")
    group_type: str | None = Field(None, description="群体类型代码")
    kind: str | None = Field(None, description="站点类型代码")
    covered: str | None = Field(None, description="no：只看未关联在册组织的")


class StationOut(Schema):
    id: int
    platform: str
    name: str
    group_type: str
    group_type_label: str
    kind: str
    kind_label: str
    region_code: str
    region_name: str
    address: str
    headcount: int
    members_full: int
    members_probationary: int
    pioneer_posts: int
    credit_code: str | None = Field(description="关联的在册组织")
    established_on: datetime.date | None
    closed_on: datetime.date | None


def _station(s: Station) -> dict[str, Any]:
    return {
        "id": s.pk,
        "platform": s.platform,
        "name": s.name,
        "group_type": s.group_type,
        "group_type_label": s.get_group_type_display(),
        "kind": s.kind,
        "kind_label": s.get_kind_display(),
        "region_code": s.region.code,
        "region_name": s.region.name,
        "address": s.address,
        "headcount": s.headcount,
        "members_full": s.members_full,
        "members_probationary": s.members_probationary,
        "pioneer_posts": s.pioneer_posts,
        "credit_code": s.organization.credit_code if s.organization_id else None,
        "established_on": s.established_on,
        "closed_on": s.closed_on,
    }


class StationPage(Schema):
    items: list[StationOut]
    next_cursor: str | None = None


@router.get(
    "/workforce/stations/",
    response={200: StationPage, **ERRORS},
    summary="新就业群体站点（页面的筛选，游标分页）",
)
def stations(request, query: Query[StationQuery]):
    require_role(request, VIEWERS)
    rows, _ = station_pages.filtered(request)
    return keyset_page(rows, query, _station)


def _month(period: str | None) -> stats.Month:
    try:
        return stats.Month.parse(period) if period else stats.Month.of(as_of_date(None))
    except stats.PeriodError as exc:
        raise ApiProblem(422, exc.message) from None


@router.get(
    "/workforce/sentinel/figures",
    response={200: dict[str, Any], **ERRORS},
    summary="流动哨兵报告统计（与 liangxin sentinel_stats --json 相同，限于管辖范围）",
)
def sentinel_figures(request, period: str | None = None):
    require_role(request, VIEWERS)
    return stats.sentinel_stats(request.auth.user, _month(period))


class SentinelQuery(PageQuery):
    q: str | None = Field(None, description="回执号、地点或所见情况")
    region: str | None = Field(None, description="县（市、区）或乡镇（街道）代码")
    status: str | None = Field(None, description="办理状态代码")
    category: str | None = Field(None, description="类别代码")
    group_type: str | None = Field(None, description="群体类型代码")
    overdue: str | None = Field(None, description="1：只看逾期未办结的")
    month: str | None = Field(None, description="报告月份 YYYY-MM")


class SentinelOut(Schema):
    id: int
    receipt: str
    submitted_at: datetime.datetime
    station: str
    group_type: str
    category: str
    category_label: str
    region_code: str
    region_name: str
    place: str
    description: str
    unit: str | None = Field(description="承办单位")
    status: str
    status_label: str
    due_on: datetime.date
    closed_at: datetime.datetime | None
    outcome: str
    reporter_name: str = Field(description="按查看权限脱敏")
    reporter_phone: str = Field(description="按查看权限脱敏")


class SentinelPage(Schema):
    items: list[SentinelOut]
    next_cursor: str | None = None


@router.get(
    "/workforce/sentinel/reports/",
    response={200: SentinelPage, **ERRORS},
    summary="流动哨兵报告（页面的筛选，游标分页）",
)
def sentinel_reports(request, query: Query[SentinelQuery]):
    require_role(request, VIEWERS)
    if query.month:
        _month(query.month)  # refused here with its reason, not ignored as on the page
    user = request.auth.user
    rows, _ = report_pages.filtered(request)

    def item(r: SentinelReport) -> dict[str, Any]:
        full = getattr(r, "full_view", None)
        return {
            "id": r.pk,
            "receipt": r.receipt,
            "submitted_at": r.submitted_at,
            "station": str(r.station),
            "group_type": r.group_type,
            "category": r.category,
            "category_label": r.get_category_display(),
            "region_code": r.region.code,
            "region_name": r.region.name,
            "place": r.place,
            "description": r.description,
            "unit": r.unit.name if r.unit_id else None,
            "status": r.status,
            "status_label": r.get_status_display(),
            "due_on": r.due_on,
            "closed_at": r.closed_at,
            "outcome": r.outcome,
            "reporter_name": shown(user, r, "reporter_name", full=full) or "",
            "reporter_phone": shown(user, r, "reporter_phone", full=full) or "",
        }

    return keyset_page(rows.defer("photo"), query, item)
