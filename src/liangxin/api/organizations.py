"""/api/v1/organizations/: the registry through the API, as the pages see it."""

from __future__ import annotations

from django.http import Http404
from ninja import Field as F
from ninja import Query, Router

from liangxin.api.common import PageQuery, keyset_page
from liangxin.api.problems import ApiProblem
from liangxin.api.schemas import (
    ERRORS,
    BulkIn,
    OrganizationIn,
    OrganizationOut,
    OrganizationPage,
    OrganizationWritten,
    WriteResult,
)
from liangxin.api.writes import idempotent, upsert
from liangxin.core.masking import shown, with_full_view
from liangxin.core.scoping import VIEW
from liangxin.core.tabular import normalize_credit_code
from liangxin.registry import queries
from liangxin.registry.forms import OrganizationForm
from liangxin.registry.models import Organization

router = Router(tags=["两新组织"])
NOT_FOUND = "未找到该组织，或不在您的管辖范围内"


class OrganizationFilters(PageQuery):
    q: str | None = F(None, description="名称或信用代码前缀")
    region: str | None = F(None, description="区划代码（含下级）")
    kind: str | None = F(None, description="enterprise / social")
    status: str | None = F(None, description="active / operating / moved / cancelled / revoked")
    section: str | None = F(None, description="行业门类字母")
    tag: str | None = None
    above_scale: str | None = F(None, description="1 规上 / 0 非规上")
    party: str | None = F(None, description="3+ / 1-2 / 0")


def serialize(org: Organization, user) -> dict:
    full = getattr(org, "full_view", None)
    return {
        "id": org.pk,
        "credit_code": org.credit_code,
        "name": org.name,
        "kind": org.kind,
        "kind_label": org.get_kind_display(),
        "region_code": org.region.code,
        "region_name": org.region.name,
        "county_code": org.county_code,
        "township_code": org.township_code,
        "area": org.area.name if org.area_id else None,
        "industry_section": org.industry_section,
        "industry_division": org.industry_id,
        "founded_on": org.founded_on,
        "status": org.status,
        "status_label": org.get_status_display(),
        "employees": org.employees,
        "party_members": org.party_members,
        "probationary_members": org.probationary_members,
        "above_scale": org.above_scale,
        "tags": sorted(t.name for t in org.tags.all()),
        "supervising_unit": org.supervising_unit.name if org.supervising_unit_id else None,
        "address": org.address,
        "contact": shown(user, org, "contact", full=full) or "",
        "phone": shown(user, org, "phone", full=full) or "",
        "updated_at": org.updated_at,
    }


def _rows(user, action: str = VIEW):
    return with_full_view(
        Organization.objects.restrict(user, action)
        .select_related("region", "area", "supervising_unit")
        .prefetch_related("tags"),
        user,
    )


@router.get("/", response={200: OrganizationPage, **ERRORS}, summary="组织列表（台账的筛选，游标分页）")
def list_organizations(request, filters: Query[OrganizationFilters]):
    user = request.auth.user
    rows, _ = queries.apply_filters(_rows(user), filters.dict())
    return keyset_page(rows, filters, lambda org: serialize(org, user))


@router.post(
    "/bulk", response={200: WriteResult, **ERRORS}, summary="批量新增或更新（≤5000 条，支持 Idempotency-Key）"
)
def bulk_upsert(request, body: BulkIn):
    def work():
        result, warnings = upsert(request, [item.model_dump(exclude_unset=True) for item in body.items])
        return 200, {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "warnings": warnings,
        }

    return idempotent(request, work)


def _get(user, credit_code: str, action: str = VIEW) -> Organization:
    org = _rows(user, action).filter(credit_code=normalize_credit_code(credit_code)).first()
    if org is None:
        raise Http404(NOT_FOUND)
    return org


@router.get("/{credit_code}", response={200: OrganizationOut, **ERRORS}, summary="组织详情")
def organization_detail(request, credit_code: str):
    return serialize(_get(request.auth.user, credit_code), request.auth.user)


def _written(request, result, warnings, code: str, status: int = 200):
    user = request.auth.user
    return status, {
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "warnings": warnings,
        "organization": serialize(_get(user, code), user),
    }


def _payload(body: OrganizationIn, credit_code: str | None = None) -> dict:
    item = body.model_dump(exclude_unset=True)
    if credit_code is not None:
        if item.get("credit_code") and normalize_credit_code(item["credit_code"]) != normalize_credit_code(
            credit_code
        ):
            raise ApiProblem(422, "请求体中的统一社会信用代码与地址中的不一致")
        item["credit_code"] = credit_code
    return item


@router.post("/", response={201: OrganizationWritten, **ERRORS}, summary="新增组织")
def create_organization(request, body: OrganizationIn):
    def work():
        item = _payload(body)
        result, warnings = upsert(request, [item], only_new=True)
        return _written(request, result, warnings, item["credit_code"], 201)

    return idempotent(request, work)


@router.put(
    "/{credit_code}", response={200: OrganizationWritten, **ERRORS}, summary="按信用代码新增或更新（upsert）"
)
def upsert_organization(request, credit_code: str, body: OrganizationIn):
    def work():
        result, warnings = upsert(request, [_payload(body, credit_code)])
        return _written(request, result, warnings, credit_code)

    return idempotent(request, work)


@router.patch(
    "/{credit_code}", response={200: OrganizationWritten, **ERRORS}, summary="更新组织（只改提交的字段）"
)
def update_organization(request, credit_code: str, body: OrganizationIn):
    def work():
        org = _get(request.auth.user, credit_code)  # 404 before anything else for a row not seen
        # The fields left out keep their values: the form's initial values (masked personal
        # data reads as “unchanged”), overlaid with the ones sent.
        item = {**OrganizationForm.initial_for(org, request.auth.user), **_payload(body, org.credit_code)}
        result, warnings = upsert(request, [item], only_existing=True)
        return _written(request, result, warnings, credit_code)

    return idempotent(request, work)
