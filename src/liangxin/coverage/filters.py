"""The filters every coverage page shares (date, scope, region, industry, tag), parsed once from
the query string, and the exports (.xlsx / .csv) of any table."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import urlencode

from liangxin.core import audit
from liangxin.core.exporting import csv_lines, write_xlsx
from liangxin.core.models import Industry, Installation, Region, RegionLevel
from liangxin.core.permissions import visible
from liangxin.core.roles import Role
from liangxin.core.scoping import USER_RULE_ROLES
from liangxin.coverage import engine
from liangxin.coverage.models import Instructor
from liangxin.registry.models import OrganizationTag, Tag


@dataclass
class Filters:
    as_of: datetime.date
    scope: str
    region: Region | None
    industry: str
    tag: str
    errors: list[str]

    def org_q(self) -> Q:
        q = Q()
        if self.industry:
            q &= Q(industry_section=self.industry)
        if self.tag:
            q &= Q(pk__in=OrganizationTag.objects.filter(tag__name=self.tag).values("organization_id"))
        return q

    def region_q(self) -> Q:
        if self.region is None or self.region.level == RegionLevel.PROVINCE:
            return Q()
        return Q(**{f"{self.region.level}_code": self.region.code})

    def query(self, **overrides) -> str:
        params = {
            "as_of": self.as_of.isoformat(),
            "scope": self.scope,
            "region": self.region.code if self.region else "",
            "industry": self.industry,
            "tag": self.tag,
        }
        params.update(overrides)
        return urlencode({k: v for k, v in params.items() if v})


def default_region(request) -> Region | None:
    user = request.user
    if user.role in USER_RULE_ROLES:
        return Installation.current_city()  # an instructor's organizations may lie anywhere
    if user.region_id:
        return user.region
    if user.area_id:
        return user.area.region
    return Installation.current_city()


def parse_filters(request) -> Filters:
    errors: list[str] = []
    as_of = timezone.localdate()
    raw = request.GET.get("as_of", "").strip()
    if raw:
        try:
            as_of = datetime.date.fromisoformat(raw)
        except ValueError:
            errors.append(f"日期“{raw}”格式不对，应为 YYYY-MM-DD，已按今天统计")
    try:
        scope = engine.parse_scope(request.GET.get("scope"))
    except engine.CoverageError as exc:
        errors.append(exc.message + "，已按全部组织统计")
        scope = "all"
    code = request.GET.get("region", "").strip()
    if code:
        region = visible(Region, request).filter(code=code).first()
        if region is None:
            raise Http404("未找到该区划，或不在您的管辖范围内")
    else:
        region = default_region(request)
    industry = request.GET.get("industry", "").strip().upper()
    if industry and not Industry.objects.filter(code=industry).exists():
        errors.append(f"行业门类“{industry}”不存在，已忽略")
        industry = ""
    tag = request.GET.get("tag", "").strip()
    return Filters(as_of, scope, region, industry, tag, errors)


def filter_choices() -> dict:
    return {
        "sections": Industry.objects.filter(code__regex=r"^[A-Z]$"),
        "tags": Tag.objects.values_list("name", flat=True),
        "scopes": [("all", "全部"), ("三有", "“三有”组织"), ("规上", "规上企业")],
    }


def unlinked_instructor(user) -> bool:
    """An instructor account no instructor record points to: it sees nothing, and is told why."""
    return user.role == Role.INSTRUCTOR and not Instructor.objects.filter(user=user).exists()


def export_format(request) -> str | None:
    fmt = request.GET.get("format", "")
    return fmt if fmt in ("xlsx", "csv") else None


def export(request, fmt: str, title: str, headers, rows, *, detail: str = "") -> HttpResponse:
    """The table as a download, audited (who exported what)."""
    stamp = timezone.localdate().strftime("%Y%m%d")
    filename = f"{title}_{stamp}.{fmt}"
    audit.record(
        "coverage.export",
        actor=request.user,
        object_type="coverage.export",
        object_repr=title,
        source_detail=detail or request.get_full_path()[:255],
    )
    disposition = f"attachment; filename*=UTF-8''{urlencode({'': filename})[1:]}"
    if fmt == "csv":
        response = StreamingHttpResponse(csv_lines(headers, rows), content_type="text/csv; charset=utf-8")
    else:
        buffer = io.BytesIO()
        write_xlsx(buffer, [(title[:31], headers, rows)])
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = disposition
    return response
