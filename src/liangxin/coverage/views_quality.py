"""质量视图: per county, the figures a county needs for its own 常态化排查 report (`quality.py`)."""

from __future__ import annotations

from django.shortcuts import render

from liangxin.core.models import Region, RegionLevel
from liangxin.core.permissions import role_required, visible
from liangxin.coverage import effective, quality
from liangxin.coverage.filters import export, export_format, parse_filters
from liangxin.coverage.models import Instructor, PartyOrganization, Rating, Rectification
from liangxin.coverage.views import VIEWERS

HEADERS = [
    "县（市、区）", "联合党支部", *[f"最近评定：{label}" for _, label in Rating.choices], "未排查",
    "超期未换届党组织", "未销号整改", "其中逾期", "近期无走访的指导员", "派驻书记在岗的党组织",
]  # fmt: skip


def values(r: quality.QualityRow) -> list:
    return [
        r.name, r.branches, *[r.ratings[key] for key in quality.RATING_KEYS], r.term_overdue,
        r.rectification_open, r.rectification_overdue, r.idle_instructors, r.dispatched,
    ]  # fmt: skip


@role_required(*VIEWERS)
def quality_view(request):
    f = parse_filters(request)
    party_orgs, instructors = visible(PartyOrganization, request), visible(Instructor, request)
    rectifications = visible(Rectification, request)
    if f.region is not None and f.region.level != RegionLevel.PROVINCE:
        where = {f"{f.region.level}_code": f.region.code}
        party_orgs, instructors = party_orgs.filter(**where), instructors.filter(**where)
        rectifications = rectifications.filter(**{f"party_org__{k}": v for k, v in where.items()})
    regions = visible(Region, request)
    if f.region is not None and f.region.level == RegionLevel.COUNTY:
        regions = regions.filter(code=f.region.code)
    rows, total = quality.quality(party_orgs, instructors, rectifications, as_of=f.as_of, regions=regions)
    if fmt := export_format(request):
        return export(request, fmt, "有效覆盖质量", HEADERS, [values(r) for r in [*rows, total]])
    return render(
        request,
        "coverage/quality.html",
        {"f": f, "rows": [values(r) for r in rows], "total": values(total), "headers": HEADERS,
         "days": effective.visit_period_days(), "filter_query": f.query()},
    )  # fmt: skip
