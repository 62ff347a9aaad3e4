"""What the workforce pages share: the viewers, the audited download, the region filter."""

from __future__ import annotations

import io
from urllib.parse import quote

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from liangxin.core import audit
from liangxin.core.context_processors import WORK_ROLES
from liangxin.core.exporting import csv_lines, write_xlsx
from liangxin.core.models import Region, RegionLevel
from liangxin.core.roles import Role
from liangxin.core.tabular import ValueProblem, parse_date

VIEWERS = tuple(r for r in WORK_ROLES if r != Role.INSTRUCTOR)  # an instructor's scope is its organizations
EDITORS = (Role.OFFICE, Role.COUNTY, Role.TOWNSHIP)
HANDLERS = (Role.OFFICE, Role.COUNTY, Role.TOWNSHIP, Role.MEMBER_UNIT)


def export_format(request) -> str | None:
    fmt = request.GET.get("format", "")
    return fmt if fmt in ("xlsx", "csv") else None


def export(request, fmt: str, title: str, headers, rows) -> HttpResponse:
    """A table as a download, audited (who exported what, with which filters)."""
    audit.record(
        "workforce.export",
        actor=request.user,
        object_type="workforce.export",
        object_repr=title,
        source_detail=request.get_full_path()[:255],
    )
    filename = f"{title}_{timezone.localdate():%Y%m%d}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(csv_lines(headers, rows), content_type="text/csv; charset=utf-8")
    else:
        buffer = io.BytesIO()
        write_xlsx(buffer, [(title[:31], headers, rows)])
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def visible_regions(request):
    """Counties and townships the user sees, for the region filter."""
    return (
        Region.objects.restrict(request.user)
        .filter(level__in=[RegionLevel.COUNTY, RegionLevel.TOWNSHIP])
        .order_by("code")
    )


def region_filter(request, queryset):
    """Narrow a RegionBound queryset to ?region=CODE (a county or township the user sees)."""
    code = request.GET.get("region", "").strip()
    if not code:
        return queryset, None
    region = visible_regions(request).filter(code=code).first()
    if region is None:
        return queryset.none(), None
    return queryset.filter(**{f"{region.level}_code": region.code}), region


def as_of_from(request):
    """(date, error message or None) from ?as_of=, default today."""
    raw = request.GET.get("as_of", "").strip()
    if not raw:
        return timezone.localdate(), None
    try:
        return parse_date(raw), None
    except ValueProblem as exc:
        return timezone.localdate(), f"截至日期：{exc.message}，已按今天统计"
