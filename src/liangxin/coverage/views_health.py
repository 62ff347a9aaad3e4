"""The health list of party organizations, every formation (flags with reasons and since when;
`health.py` decides)."""

from __future__ import annotations

from django.db.models import Q
from django.shortcuts import render

from liangxin.core.listing import paginate
from liangxin.core.permissions import role_required, visible
from liangxin.coverage import health
from liangxin.coverage.filters import export, export_format, filter_choices, parse_filters
from liangxin.coverage.models import Formation, PartyOrganization, Rating
from liangxin.coverage.views import VIEWERS

HEALTH_HEADERS = [
    "党组织", "组建方式", "所属县（市、区）", "所属区划", "覆盖组织数", "党员数", "书记", "最近排查", "评定", "提示", "提示起始日期",
    "原因",
]  # fmt: skip


@role_required(*VIEWERS)
def health_list(request):
    f = parse_filters(request)
    flagged = request.GET.get("flagged") == "1"
    flag = request.GET.get("flag", "")
    flag = flag if flag in health.BY_CODE else ""
    formation = request.GET.get("formation", "")
    formation = formation if formation in Formation.values else ""
    branches = visible(PartyOrganization, request).filter(f.region_q())
    q = request.GET.get("q", "").strip()
    if q:
        branches = branches.filter(Q(name__contains=q) | Q(secretary=q))
    rows = health.branches(
        branches, as_of=f.as_of, flag=flag, flagged_only=flagged, formation=formation
    ).select_related("region")
    ratings = dict(Rating.choices)

    if fmt := export_format(request):

        def values():
            for p in rows.iterator(chunk_size=2000):
                found = health.hits(p, as_of=f.as_of)
                yield [
                    p.name, Formation(p.formation).label, p.county_name or "市本级", p.region.name, p.org_count, p.member_count,
                    p.secretary or "（空缺）", p.last_inspected_on, ratings.get(p.last_rating, ""),
                    "、".join(h.label for h in found),
                    "、".join(f"{h.since:%Y-%m-%d}" if h.since else "—" for h in found),
                    "；".join(h.reason for h in found),
                ]  # fmt: skip

        kind = Formation(formation).label if formation else ""
        title = f"{kind}党组织健康清单" + (f"（{health.BY_CODE[flag].label}）" if flag else "")
        return export(request, fmt, title, HEALTH_HEADERS, values())
    page, query = paginate(request, rows)
    for p in page:
        p.flag_hits = health.hits(p, as_of=f.as_of)
        p.rating_label = ratings.get(p.last_rating, "")
        p.formation_label = Formation(p.formation).label
    return render(
        request,
        "coverage/health.html",
        {
            "f": f,
            "page": page,
            "query": query,
            "flagged": flagged,
            "flag": flag,
            "flags": health.FLAGS,
            "formation": formation,
            "formations": Formation.choices,
            "interval": health.inspection_interval_days(),
            "q": q,
            "filter_query": f.query(),
            **filter_choices(),
        },
    )
