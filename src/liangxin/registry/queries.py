"""Filters, sorting and export rows of the organization list: one definition for the page, the
export button and `liangxin export_data`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Q, QuerySet

from liangxin.core.masking import shown, with_full_view
from liangxin.core.models import Region
from liangxin.registry.models import OrganizationTag, OrgKind, RegStatus

SORTS = {
    "-id": "最近录入",
    "name": "名称",
    "-party_members": "党员数（多→少）",
    "-employees": "从业人员（多→少）",
    "founded_on": "成立日期（早→晚）",
    "-founded_on": "成立日期（晚→早）",
    "-updated_at": "最近更新",
}
PARTY_FILTERS = {
    "3+": ("正式党员 3 名及以上", Q(party_members__gte=3)),
    "1-2": ("正式党员 1–2 名", Q(party_members__in=[1, 2])),
    "0": ("无正式党员", Q(party_members=0)),
}


def apply_filters(queryset: QuerySet, params) -> tuple[QuerySet, dict[str, str]]:
    """Filter by the query parameters; returns the queryset and the filters that applied."""
    used: dict[str, str] = {}
    q = (params.get("q") or "").strip()
    if q:
        code = q.upper().replace(" ", "")
        queryset = queryset.filter(Q(name__contains=q) | Q(credit_code__startswith=code))
        used["q"] = q
    region_code = (params.get("region") or "").strip()
    if region_code:
        region = Region.objects.filter(code=region_code).only("code", "level").first()
        if region is not None:
            queryset = queryset.filter(**{f"{region.level}_code": region.code})
            used["region"] = region_code
    for key, choices in (("kind", OrgKind.values), ("status", RegStatus.values)):
        value = params.get(key) or ""
        if value in choices:
            queryset = queryset.filter(**{key: value})
            used[key] = value
    section = (params.get("section") or "").strip().upper()
    if len(section) == 1 and section.isalpha():
        queryset = queryset.filter(industry_section=section)
        used["section"] = section
    tag = (params.get("tag") or "").strip()
    if tag:
        queryset = queryset.filter(
            pk__in=OrganizationTag.objects.filter(tag__name=tag).values("organization_id")
        )
        used["tag"] = tag
    if params.get("above_scale") in ("1", "0"):
        queryset = queryset.filter(above_scale=params["above_scale"] == "1")
        used["above_scale"] = params["above_scale"]
    party = params.get("party") or ""
    if party in PARTY_FILTERS:
        queryset = queryset.filter(PARTY_FILTERS[party][1])
        used["party"] = party
    return queryset, used


def apply_sort(queryset: QuerySet, params) -> tuple[QuerySet, str]:
    sort = params.get("sort") or "-id"
    if sort not in SORTS:
        sort = "-id"
    return queryset.order_by(sort, "-id") if sort != "-id" else queryset.order_by("-id"), sort


EXPORT_HEADERS = [
    "统一社会信用代码",
    "组织名称",
    "组织类别",
    "区县",
    "乡镇（街道）",
    "所属园区",
    "所属行业",
    "成立日期",
    "登记状态",
    "从业人员数",
    "正式党员数",
    "预备党员数",
    "是否规上",
    "重点标签",
    "主管单位",
    "地址",
    "联系人",
    "联系电话",
]


def export_rows(queryset: QuerySet, *, viewer, with_org: bool = False) -> Iterator[Any]:
    """Rows in the import template's columns, so an exported file can be edited and re-imported.
    Personal data is masked where `viewer` may not see it in full (`liangxin.core.masking`; a
    masked phone re-imports as “unchanged”). ``viewer=None``: the server's operator (a command),
    everything in full. ``with_org``: (organization, row) pairs, for a sheet that adds columns."""
    regions = dict(Region.objects.values_list("code", "name"))
    queryset = queryset.select_related("area", "supervising_unit").order_by("id")
    if viewer is not None:
        queryset = with_full_view(queryset, viewer)
    tag_names: dict[int, list[str]] = {}
    chunk: list = []

    def flush():
        ids = [o.pk for o in chunk]
        tag_names.clear()
        for org_id, name in (
            OrganizationTag.objects.filter(organization_id__in=ids)
            .values_list("organization_id", "tag__name")
            .order_by("tag__name")
        ):
            tag_names.setdefault(org_id, []).append(name)
        for org in chunk:
            industry = f"{org.industry_section}{org.industry_id}" if org.industry_id else org.industry_section
            row = [
                org.credit_code,
                org.name,
                org.get_kind_display(),
                regions.get(org.county_code, ""),
                regions.get(org.township_code, ""),
                org.area.name if org.area else "",
                industry,
                org.founded_on,
                org.get_status_display(),
                org.employees,
                org.party_members,
                org.probationary_members,
                org.above_scale,
                "、".join(tag_names.get(org.pk, [])),
                org.supervising_unit.name if org.supervising_unit else "",
                org.address,
                org.contact if viewer is None else shown(viewer, org, "contact"),
                org.phone if viewer is None else shown(viewer, org, "phone"),
            ]
            yield (org, row) if with_org else row

    for org in queryset.iterator(chunk_size=2000):
        chunk.append(org)
        if len(chunk) >= 2000:
            yield from flush()
            chunk = []
    if chunk:
        yield from flush()
