"""The newer ledgers for other systems: 行业党委 and 工委会议, 结对共建, 五融入五提升 and the brand
campaign. Each figure comes from the function its page and command call (`committee.figures`,
`committee.meetings`, `pairings.totals`, `integration.summary`, `brands.status`); each list
through its page's own filters (the same query parameters), over the token account's
jurisdiction, to the roles the page admits, a page at a time."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import Http404
from ninja import Field, Query, Router, Schema

from liangxin.api.common import PageQuery, keyset_page, list_page, require_role
from liangxin.api.common import as_of as as_of_date
from liangxin.api.common import year as year_of
from liangxin.api.problems import ApiProblem
from liangxin.api.schemas import ERRORS
from liangxin.brands import views as brand_pages
from liangxin.brands.models import Brand, Campaign
from liangxin.brands.status import campaign_status
from liangxin.committee import figures as committee_figures
from liangxin.committee import meetings as committee_meetings
from liangxin.committee import views as committee_pages
from liangxin.committee.models import IndustryCommittee, Meeting
from liangxin.core.models import MemberUnit, Region
from liangxin.integration import views as integration_pages
from liangxin.integration.models import DIMENSIONS, Assessment
from liangxin.integration.summary import BY_LABELS, summarize
from liangxin.pairings import views as pairing_pages
from liangxin.pairings.models import Pairing
from liangxin.pairings.totals import pairing_totals

router = Router(tags=["台账"])


# ----------------------------------------------------------------------------- 行业党委 and 工委会议


class CommitteeOut(Schema):
    name: str
    owner_unit: str
    industries: list[str]
    tags: list[str]
    organizations: int = Field(description="所联系领域的在册组织数")
    org_rate: float = Field(description="组织覆盖率（0–1）")
    org_rate_year_ago: float
    work_rate: float
    party_orgs: int
    inspections: int
    poor_inspections: int
    tasks: dict[str, int] = Field(description="牵头任务按亮灯计数：done/green/yellow/red")
    activities: int
    verdict: str
    reasons: list[str]


class MissingCommitteeOut(Schema):
    unit: str
    industries: list[str]
    tags: list[str]


class CommitteePage(Schema):
    as_of: datetime.date
    items: list[CommitteeOut]
    next_cursor: str | None = None
    missing: list[MissingCommitteeOut] = Field(description="应成立未成立的成员单位")


class CommitteeQuery(PageQuery):
    as_of: str | None = Field(None, description="截止日期 YYYY-MM-DD，默认今天")
    q: str | None = Field(None, description="党委或成员单位名称")


@router.get(
    "/committee/industry/",
    response={200: CommitteePage, **ERRORS},
    summary="行业（综合）党委及应成立未成立（与 liangxin committees --json 相同的计算）",
)
def industry_committees(request, query: Query[CommitteeQuery]):
    require_role(request, committee_pages.VIEWERS)
    user, day = request.auth.user, as_of_date(query.as_of)
    committees = IndustryCommittee.objects.restrict(user)
    if query.q:
        committees = committees.filter(party_org__name__contains=query.q) | committees.filter(
            party_org__owner_unit__name__contains=query.q
        )
    found = committee_figures.compute_all(day, user=user, committees=committees)
    return {
        "as_of": day,
        **list_page(found, query, lambda f: f.as_dict()),
        "missing": [m.as_dict() for m in committee_figures.missing(day, user=user)],
    }


class DecisionOut(Schema):
    title: str
    lead: str
    units: list[str]
    deadline: str
    task_code: str | None
    light: str | None = Field(description="调度亮灯：done/green/yellow/red；未纳入调度为空")


class MeetingOut(Schema):
    name: str
    date: datetime.date
    decisions: list[DecisionOut]


class MeetingPage(Schema):
    as_of: datetime.date
    items: list[MeetingOut]
    next_cursor: str | None = None


class MeetingQuery(PageQuery):
    year: int | None = Field(None, description="年度，默认今年")
    as_of: str | None = Field(None, description="亮灯截止日期，默认今天（往年为12月31日）")


@router.get(
    "/committee/meetings/",
    response={200: MeetingPage, **ERRORS},
    summary="工委会议及议定事项的调度亮灯（与 liangxin meetings --json 相同）",
)
def committee_meetings_list(request, query: Query[MeetingQuery]):
    require_role(request, committee_pages.VIEWERS)
    year = year_of(query.year)
    day = as_of_date(query.as_of) if query.as_of else committee_meetings.default_as_of(year, as_of_date(None))
    ids = list(
        Meeting.objects.restrict(request.auth.user)
        .filter(date__year=year)
        .order_by("date", "id")
        .values_list("pk", flat=True)
        .distinct()
    )
    page = list_page(ids, query, lambda pk: pk)
    found = committee_meetings.meetings_json(Meeting.objects.filter(pk__in=page["items"]), day)
    return {"as_of": day, "items": found["meetings"], "next_cursor": page["next_cursor"]}


# ----------------------------------------------------------------------------- 结对共建


class PairingQuery(PageQuery):
    q: str | None = Field(None, description="组织名称、信用代码前缀或村（社区）名称")
    county: str | None = Field(None, description="村（社区）所在县（市、区）代码")
    year: str | None = Field(None, description="该年度内在结对的")
    key: str | None = Field(None, description="1：只看重点帮扶村")


class PairingOut(Schema):
    id: int
    organization: str
    credit_code: str
    village_code: str
    village: str
    township: str
    key_village: bool
    starts_on: datetime.date
    ends_on: datetime.date | None
    note: str


def _pairing(p: Pairing) -> dict[str, Any]:
    return {
        "id": p.pk,
        "organization": p.organization.name,
        "credit_code": p.organization.credit_code,
        "village_code": p.village.code,
        "village": p.village.name,
        "township": p.village.parent.name if p.village.parent_id else "",
        "key_village": p.village.key_village,
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
        "note": p.note,
    }


class PairingPage(Schema):
    items: list[PairingOut]
    next_cursor: str | None = None


@router.get(
    "/pairings/", response={200: PairingPage, **ERRORS}, summary="结对共建台账（页面的筛选，游标分页）"
)
def pairings(request, query: Query[PairingQuery]):
    require_role(request, pairing_pages.VIEWERS)
    rows, _ = pairing_pages.filtered(request)
    return keyset_page(rows, query, _pairing)


@router.get(
    "/pairings/totals",
    response={200: dict[str, Any], **ERRORS},
    summary="结对共建汇总（与 liangxin pairings --json 相同）",
)
def pairing_figures(request, year: int | None = None):
    require_role(request, pairing_pages.VIEWERS)
    user = request.auth.user
    result = pairing_totals(
        Pairing.objects.restrict(user), year_of(year), villages=Region.objects.restrict(user)
    )
    return result.as_json()


# ----------------------------------------------------------------------------- 五融入五提升


class AssessmentQuery(PageQuery):
    q: str | None = Field(None, description="组织名称或信用代码前缀")
    county: str | None = Field(None, description="县（市、区）代码")
    section: str | None = Field(None, description="行业门类字母")
    year: str | None = Field(None, description="评估年度")


class AssessmentOut(Schema):
    id: int
    organization: str
    credit_code: str
    year: int
    scores: dict[str, int] = Field(
        description="五个维度的得分（1–5）：" + "、".join(k for k, _ in DIMENSIONS)
    )
    assessor: str
    assessed_on: datetime.date


def _assessment(a: Assessment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "organization": a.organization.name,
        "credit_code": a.organization.credit_code,
        "year": a.year,
        "scores": {key: getattr(a, key) for key, _ in DIMENSIONS},
        "assessor": a.assessor,
        "assessed_on": a.assessed_on,
    }


class AssessmentPage(Schema):
    items: list[AssessmentOut]
    next_cursor: str | None = None


@router.get(
    "/integration/assessments/",
    response={200: AssessmentPage, **ERRORS},
    summary="“五融入五提升”评估台账（页面的筛选，游标分页）",
)
def assessments(request, query: Query[AssessmentQuery]):
    require_role(request, integration_pages.VIEWERS)
    rows, _ = integration_pages.filtered(request)
    return keyset_page(rows, query, _assessment)


@router.get(
    "/integration/summary",
    response={200: dict[str, Any], **ERRORS},
    summary="“五融入五提升”汇总（与 liangxin integration --json 相同）",
)
def integration_summary(request, year: int | None = None, by: str = "region"):
    require_role(request, integration_pages.VIEWERS)
    if by not in BY_LABELS:
        raise ApiProblem(
            422,
            f"分组“{by}”不对，应为 region（县区）、industry（行业门类）、unit（成员单位）或 committee（行业党委）",
        )
    return summarize(Assessment.objects.restrict(request.auth.user), year_of(year), by).as_json()


# ----------------------------------------------------------------------------- 品牌


def _campaign(year: int) -> Campaign:
    campaign = Campaign.objects.filter(year=year).first()
    if campaign is None:
        raise Http404(f"{year}年尚未开启品牌申报")
    return campaign


@router.get(
    "/brands/status",
    response={200: dict[str, Any], **ERRORS},
    summary="品牌申报情况（与 liangxin brands --json 相同）",
)
def brand_status(request, campaign: int, as_of: str | None = None):
    require_role(request, brand_pages.VIEWERS)
    user = request.auth.user
    status = campaign_status(
        _campaign(campaign),
        as_of_date(as_of),
        brands=Brand.objects.restrict(user),
        units=MemberUnit.objects.restrict(user),
    )
    return status.as_json()


class BrandQuery(PageQuery):
    campaign: int = Field(description="申报年度")
    q: str | None = Field(None, description="品牌、申报单位或组织名称")
    level: str | None = Field(None, description="类别代码")
    stage: str | None = Field(None, description="创建阶段代码")
    inactive: str | None = Field(None, description="1：只看已停止运行的")


class BrandOut(Schema):
    id: int
    name: str
    level: str
    level_label: str
    unit: str
    organization: str | None
    region_code: str | None
    stage: str
    stage_label: str
    named_on: datetime.date | None
    active: bool
    inactive_on: datetime.date | None


def _brand(b: Brand) -> dict[str, Any]:
    return {
        "id": b.pk,
        "name": b.name,
        "level": b.level,
        "level_label": b.get_level_display(),
        "unit": b.unit.name,
        "organization": b.organization.name if b.organization_id else None,
        "region_code": b.region.code if b.region_id else None,
        "stage": b.stage,
        "stage_label": b.get_stage_display(),
        "named_on": b.named_on,
        "active": b.active,
        "inactive_on": b.inactive_on,
    }


class BrandPage(Schema):
    items: list[BrandOut]
    next_cursor: str | None = None


@router.get(
    "/brands/", response={200: BrandPage, **ERRORS}, summary="某年度申报的品牌（页面的筛选，游标分页）"
)
def brands(request, query: Query[BrandQuery]):
    require_role(request, brand_pages.VIEWERS)
    rows, _ = brand_pages.filtered(request, _campaign(query.campaign))
    return keyset_page(rows, query, _brand)
