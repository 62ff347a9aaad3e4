"""Figures and lists for provincial platforms (“最多报一次”): coverage and blind spots from the
coverage engine, party organizations,
instructors and published bulletins — each from the same function as its page and command,
over the token account's jurisdiction."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import Http404, HttpResponse
from ninja import Field, Query, Router, Schema

from liangxin.api.common import as_of as as_of_date
from liangxin.api.problems import ApiProblem
from liangxin.api.schemas import ERRORS
from liangxin.core.masking import shown, with_full_view
from liangxin.core.models import Installation, Region
from liangxin.coverage import blindspots, engine
from liangxin.coverage.models import Instructor, PartyOrganization
from liangxin.documents.models import Bulletin
from liangxin.registry.models import Organization

router = Router(tags=["统计与调度"])


def _region(user, code: str | None) -> Region:
    if not code:
        return user.region or Installation.current_city()
    region = Region.objects.filter(code=code.strip()).first()
    if region is None:
        raise Http404(f"区划代码“{code}”不存在")
    return region


class CoverageQuery(Schema):
    region: str | None = Field(None, description="区划代码，默认令牌账号的区划（全市账号为全市）")
    by: str = Field("region", description="region/county/township/area/industry/kind/tag")
    scope: str = Field("all", description="all、三有、规上 或 tag:标签名")
    as_of: str | None = Field(None, description="截止日期 YYYY-MM-DD，默认今天")


@router.get(
    "/coverage",
    response={200: dict[str, Any], **ERRORS},
    summary="“两个覆盖”统计（与 liangxin coverage --json 相同）",
)
def coverage(request, query: Query[CoverageQuery]):
    user = request.auth.user
    try:
        table = engine.coverage(
            Organization.objects.restrict(user),
            as_of=as_of_date(query.as_of),
            scope=query.scope,
            by=query.by,
            region=_region(user, query.region),
        )
    except engine.CoverageError as exc:
        raise ApiProblem(422, exc.message) from None
    return table.as_dict()


@router.get(
    "/blindspots",
    response={200: dict[str, Any], **ERRORS},
    summary="“两个覆盖”盲区（与 liangxin blindspots --json 相同）",
)
def blind_spots(request, as_of: str | None = None):
    user = request.auth.user
    day = as_of_date(as_of)
    result = blindspots.as_json(
        Organization.objects.restrict(user),
        Instructor.objects.restrict(user),
        PartyOrganization.objects.restrict(user),
        as_of=day,
    )
    return {"as_of": day.isoformat(), **result}


class PartyOrgOut(Schema):
    id: int
    name: str
    org_type: str
    formation: str
    region_code: str
    status: str
    founded_on: datetime.date | None


@router.get("/party-organizations/", response={200: list[PartyOrgOut], **ERRORS}, summary="党组织")
def party_organizations(request, q: str | None = None, after: int = 0, limit: int = Query(100, ge=1, le=500)):
    rows = PartyOrganization.objects.restrict(request.auth.user).select_related("region").filter(pk__gt=after)
    if q:
        rows = rows.filter(name__contains=q)
    return [
        {
            "id": p.pk,
            "name": p.name,
            "org_type": p.get_org_type_display(),
            "formation": p.get_formation_display(),
            "region_code": p.region.code,
            "status": p.get_status_display(),
            "founded_on": p.founded_on,
        }
        for p in rows.order_by("pk")[:limit]
    ]


class InstructorOut(Schema):
    id: int
    name: str
    phone: str = Field(description="按查看权限脱敏")
    workplace: str
    region_code: str


@router.get("/instructors/", response={200: list[InstructorOut], **ERRORS}, summary="党建指导员")
def instructors(request, q: str | None = None, after: int = 0, limit: int = Query(100, ge=1, le=500)):
    user = request.auth.user
    rows = with_full_view(
        Instructor.objects.restrict(user).select_related("region").filter(pk__gt=after), user
    )
    if q:
        rows = rows.filter(name__contains=q)
    return [
        {
            "id": i.pk,
            "name": i.name,
            "phone": shown(user, i, "phone", full=getattr(i, "full_view", None)) or "",
            "workplace": i.workplace,
            "region_code": i.region.code,
        }
        for i in rows.order_by("pk")[:limit]
    ]


class BulletinOut(Schema):
    period: str
    as_of: datetime.date
    published_at: datetime.datetime | None
    sha256: str


@router.get("/bulletins/", response={200: list[BulletinOut], **ERRORS}, summary="已发布的通报")
def bulletins(request):
    rows = Bulletin.objects.filter(status=Bulletin.Status.PUBLISHED).defer("docx", "xlsx", "snapshot")
    return [
        {"period": b.period, "as_of": b.as_of, "published_at": b.published_at, "sha256": b.sha256}
        for b in rows
    ]


FILES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.get(
    "/bulletins/{period}/{kind}",
    response={**ERRORS},
    summary="下载已发布的通报（docx 或 xlsx）",
    openapi_extra={
        "responses": {"200": {"description": "通报文件", "content": {t: {} for t in FILES.values()}}}
    },
)
def bulletin_file(request, period: str, kind: str):
    bulletin = Bulletin.objects.filter(period=period, status=Bulletin.Status.PUBLISHED).first()
    if bulletin is None or kind not in FILES:
        raise Http404("没有这一期已发布的通报")
    content = bytes(bulletin.docx if kind == "docx" else bulletin.xlsx)
    response = HttpResponse(content, content_type=FILES[kind])
    response["Content-Disposition"] = f'attachment; filename="bulletin-{period}.{kind}"'
    return response
