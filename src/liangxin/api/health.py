"""Party organizations' health (every formation, as the health page) and inspections for other systems: the figures of `liangxin health`
(`coverage.health.figures`), the flagged branches with their reasons (`health.branches`,
`health.hits`, as the health page), and the inspections — within the token account's
jurisdiction, to the roles the coverage pages admit, a page at a time."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import Http404
from ninja import Field, Query, Router, Schema

from liangxin.api.common import PageQuery, keyset_page, list_page, require_role
from liangxin.api.common import as_of as as_of_date
from liangxin.api.problems import ApiProblem
from liangxin.api.schemas import ERRORS
from liangxin.core.models import Region, RegionLevel
from liangxin.coverage import health
from liangxin.coverage.models import BranchInspection, Formation, Instructor, PartyOrganization, Rating
from liangxin.coverage.views import VIEWERS
from liangxin.registry.models import Organization

router = Router(tags=["联合党支部健康"])


def _in_region(code: str | None) -> dict[str, str]:
    if not code:
        return {}
    region = Region.objects.filter(code=code.strip()).first()
    if region is None:
        raise Http404(f"区划代码“{code}”不存在")
    return {} if region.level == RegionLevel.PROVINCE else {f"{region.level}_code": region.code}


@router.get(
    "/health/figures",
    response={200: dict[str, Any], **ERRORS},
    summary="联合党支部健康提示统计（与 liangxin health --json 相同，限于管辖范围）",
)
def health_figures(
    request, as_of: str | None = None, region: str | None = None, formation: str | None = None
):
    require_role(request, VIEWERS)
    user, where = request.auth.user, _in_region(region)
    return health.figures(
        PartyOrganization.objects.restrict(user).filter(**where),
        Organization.objects.restrict(user).filter(**where),
        Instructor.objects.restrict(user).filter(**where),
        as_of=as_of_date(as_of),
        formation=_formation(formation),
    )


def _formation(value: str | None) -> str:
    if value and value not in Formation.values:
        choices = "、".join(f"{v}（{label}）" for v, label in Formation.choices)
        raise ApiProblem(422, f"组建方式“{value}”不存在，应为 {choices}")
    return value or ""


class FlagOut(Schema):
    code: str
    label: str
    since: datetime.date | None
    reason: str


class BranchOut(Schema):
    id: int
    name: str
    formation: str
    county: str
    region_code: str
    secretary_vacant: bool
    last_inspected_on: datetime.date | None
    last_rating: str | None
    flags: list[FlagOut]


class BranchPage(Schema):
    as_of: datetime.date
    items: list[BranchOut]
    next_cursor: str | None = None


class BranchQuery(PageQuery):
    as_of: str | None = Field(None, description="截止日期 YYYY-MM-DD，默认今天")
    region: str | None = Field(None, description="区划代码（含下级）")
    flag: str | None = Field(None, description="只看某一提示：" + "、".join(f.code for f in health.FLAGS))
    flagged: bool = Field(True, description="true：只看有提示的（默认）；false：全部党组织")
    formation: str | None = Field(
        None, description="组建方式：single 单独组建、joint 联合组建、industry 行业党委；默认全部"
    )


@router.get(
    "/health/branches/",
    response={200: BranchPage, **ERRORS},
    summary="党组织健康清单：提示、原因和起始日期（与健康清单页面相同）",
)
def health_branches(request, query: Query[BranchQuery]):
    require_role(request, VIEWERS)
    if query.flag and query.flag not in health.BY_CODE:
        raise ApiProblem(422, f"提示“{query.flag}”不存在，应为 " + "、".join(health.BY_CODE))
    day = as_of_date(query.as_of)
    visible = PartyOrganization.objects.restrict(request.auth.user).filter(**_in_region(query.region))
    rows = health.branches(
        visible,
        as_of=day,
        flag=query.flag or "",
        flagged_only=query.flagged,
        formation=_formation(query.formation),
    )
    ratings = dict(Rating.choices)

    def item(p) -> dict[str, Any]:
        return {
            "id": p.pk,
            "name": p.name,
            "formation": Formation(p.formation).label,
            "county": p.county_name or "市本级",
            "region_code": p.region.code,
            "secretary_vacant": not p.secretary,
            "last_inspected_on": p.last_inspected_on,
            "last_rating": ratings.get(p.last_rating),
            "flags": [
                {"code": h.code, "label": h.label, "since": h.since, "reason": h.reason}
                for h in health.hits(p, as_of=day)
            ],
        }

    # In the page's order (county, name), by offset: only the page's rows are read.
    return {"as_of": day, **list_page(rows.select_related("region"), query, item)}


class InspectionQuery(PageQuery):
    q: str | None = Field(None, description="联合党支部名称")
    rating: str | None = Field(None, description="评定等次代码")
    date_from: datetime.date | None = Field(None, alias="from", description="排查日期起 YYYY-MM-DD")
    date_to: datetime.date | None = Field(None, alias="to", description="排查日期止 YYYY-MM-DD")


class InspectionOut(Schema):
    id: int
    party_org: str
    party_org_id: int
    inspected_on: datetime.date
    meetings_held: bool
    secretary_in_post: bool
    organizations_registered: bool
    life_meeting_held: bool | None = Field(None, description="按要求召开组织生活会（null：未检查）")
    dues_collected: bool | None = Field(None, description="按时足额收缴党费（null：未检查）")
    venue_in_place: bool | None = Field(None, description="党员活动阵地落实（null：未检查）")
    members_contacted: bool | None = Field(None, description="党员联系管理到位（null：未检查）")
    rating: str
    rating_label: str
    problems: str
    actions: str
    inspector: str


class InspectionPage(Schema):
    items: list[InspectionOut]
    next_cursor: str | None = None


def _inspection(i: BranchInspection) -> dict[str, Any]:
    return {
        "id": i.pk,
        "party_org": i.party_org.name,
        "party_org_id": i.party_org_id,
        "inspected_on": i.inspected_on,
        "meetings_held": i.meetings_held,
        "secretary_in_post": i.secretary_in_post,
        "organizations_registered": i.organizations_registered,
        "life_meeting_held": i.life_meeting_held,
        "dues_collected": i.dues_collected,
        "venue_in_place": i.venue_in_place,
        "members_contacted": i.members_contacted,
        "rating": i.rating,
        "rating_label": i.get_rating_display(),
        "problems": i.problems,
        "actions": i.actions,
        "inspector": i.inspector,
    }


@router.get(
    "/inspections/", response={200: InspectionPage, **ERRORS}, summary="联合党支部排查记录（游标分页）"
)
def inspections(request, query: Query[InspectionQuery]):
    require_role(request, VIEWERS)
    rows = BranchInspection.objects.restrict(request.auth.user).select_related("party_org")
    if query.q:
        rows = rows.filter(party_org__name__contains=query.q)
    if query.rating:
        rows = rows.filter(rating=query.rating)
    if query.date_from:
        rows = rows.filter(inspected_on__gte=query.date_from)
    if query.date_to:
        rows = rows.filter(inspected_on__lte=query.date_to)
    return keyset_page(rows, query, _inspection)
