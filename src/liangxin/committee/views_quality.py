"""有效覆盖质量 per 行业（综合）党委: the quality view's figures (`coverage.quality.by_committee`) for
each committee existing on the day, within the viewer's jurisdiction — its joint branches by
latest rating, 超期未换届, 整改, the instructors of its field without recent visits."""

from __future__ import annotations

from django.shortcuts import render

from liangxin.committee import figures
from liangxin.committee.models import IndustryCommittee
from liangxin.committee.views import VIEWERS, export, export_format, parse_as_of
from liangxin.core.permissions import restricted, role_required, visible
from liangxin.coverage import effective, quality
from liangxin.coverage.models import Instructor, PartyOrganization, Rectification
from liangxin.coverage.views_quality import HEADERS, values

COMMITTEE_HEADERS = ["行业（综合）党委", *HEADERS[1:]]


@role_required(*VIEWERS)
def quality_view(request):
    as_of, error = parse_as_of(request)
    committees = [
        quality.Committee(str(c.pk), c.name, c.party_org_id, figures.committee_field_q(c))
        for c in figures.active_committees(as_of, restricted(IndustryCommittee, request))
    ]
    rows, total = quality.by_committee(
        committees,
        visible(PartyOrganization, request),
        visible(Instructor, request),
        visible(Rectification, request),
        as_of=as_of,
    )
    table = [values(r) for r in rows]
    if fmt := export_format(request):
        return export(request, fmt, "行业党委有效覆盖质量", COMMITTEE_HEADERS, [*table, values(total)])
    return render(
        request,
        "committee/quality.html",
        {
            "as_of": as_of,
            "error": error,
            "headers": COMMITTEE_HEADERS,
            "rows": zip(committees, table, strict=True),
            "total": values(total),
            "days": effective.visit_period_days(),
            "query": f"as_of={as_of:%Y-%m-%d}",
        },
    )
