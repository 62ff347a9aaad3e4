"""驾驶舱: the page is light; each chart fetches its data from /cockpit/data/<chart>.json.

Coverage charts go through the coverage filters (as_of, scope, region: another jurisdiction's
region is a 404) and the user's visible organizations; the line reads published bulletins only
for users who see everything a bulletin counted (the office; a county user on its county). The
dispatch charts show the office every unit's 调度 status, a county or member unit user its own
unit's (the unit it reports for), other roles nothing."""

from __future__ import annotations

import datetime

from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from liangxin.core.context_processors import WORK_ROLES
from liangxin.core.permissions import role_required, visible
from liangxin.core.roles import Role
from liangxin.coverage.filters import Filters, export, parse_filters
from liangxin.dashboard import queries
from liangxin.dispatch.models import Period
from liangxin.dispatch.units import acting_unit
from liangxin.registry.models import Organization

ROLES = WORK_ROLES  # like the coverage pages


def _units(request) -> set[int] | None:
    """The member units whose dispatch cells the user sees (None: all of them)."""
    if request.user.role == Role.OFFICE:
        return None
    unit = acting_unit(request.user)
    return {unit.pk} if unit is not None else set()


def _period(request) -> tuple[Period | None, str]:
    if _units(request) == set():
        return None, ""
    raw = request.GET.get("period", "").strip()
    if not raw:
        return Period.objects.first(), ""
    try:
        month = datetime.date.fromisoformat(f"{raw}-01")
    except ValueError:
        return Period.objects.first(), f"调度期“{raw}”格式不对，应为 YYYY-MM，已显示最近一期"
    period = Period.objects.filter(month=month).first()
    return period, "" if period else f"调度期“{raw}”不存在"


def dispatch_as_of(request, f: Filters, period: Period | None) -> datetime.date:
    """The given date, or a past month as it closed (like the dispatch pages and command)."""
    if period is None or request.GET.get("as_of", "").strip():
        return f.as_of
    return min(f.as_of, period.last_day)


def _query(f: Filters, request, **overrides) -> str:
    params = {"as_of": f.as_of.isoformat(), "scope": f.scope, "period": request.GET.get("period", "")}
    if request.GET.get("region"):
        params["region"] = f.region.code
    params.update(overrides)
    return urlencode({k: v for k, v in params.items() if v})


def _links(f: Filters, request, result: dict) -> list[str]:
    """Where a bar leads: a county re-renders the cockpit for its townships; a township opens
    the coverage page's organization list."""
    if result.get("by") == "county":
        return [f"{reverse('dashboard:index')}?{_query(f, request, region=code)}" for code in result["codes"]]
    org_list = reverse("coverage:organizations")
    return [f"{org_list}?{f.query(region=code)}" if code else "" for code in result["codes"]]


@role_required(*ROLES)
def index(request):
    f = parse_filters(request)
    period, error = _period(request)
    query = _query(f, request)
    return render(request, "dashboard/index.html", {
        "f": f, "period": period, "errors": [*f.errors, *([error] if error else [])],
        "periods": Period.objects.all() if _units(request) != set() else [],
        "charts": queries.CHARTS, "query": query,
        "up": f"?{_query(f, request, region='')}" if request.GET.get("region") else "",
    })  # fmt: skip


def _sees_published(request, f: Filters) -> bool:
    """A bulletin counts every organization of the city and its counties: its figures stand for
    the user's only when the user sees all of them (the office, or a county user on its county)."""
    user = request.user
    if user.role == Role.OFFICE:
        return True
    return user.role == Role.COUNTY and f.region is not None and f.region.pk == user.region_id


def chart_data(request, chart: str) -> dict:
    f = parse_filters(request)
    if chart in queries.COVERAGE_CHARTS:
        orgs = visible(Organization, request)
        result = queries.COVERAGE_CHARTS[chart](
            orgs, as_of=f.as_of, scope=f.scope, region=f.region, published=_sees_published(request, f)
        )
        if "codes" in result:
            result["links"] = _links(f, request, result)
        return result
    if chart in queries.DISPATCH_CHARTS:
        period, _ = _period(request)
        return queries.DISPATCH_CHARTS[chart](
            period, as_of=dispatch_as_of(request, f, period), units=_units(request)
        )
    raise Http404("没有这个图表")


@role_required(*ROLES)
def data(request, chart: str):
    return JsonResponse(chart_data(request, chart), json_dumps_params={"ensure_ascii": False})


@role_required(*ROLES)
def download(request, chart: str, fmt: str):
    if fmt not in ("xlsx", "csv"):
        raise Http404("导出格式只支持 xlsx 或 csv")
    result = chart_data(request, chart)
    return export(request, fmt, result["title"], result["headers"], result["rows"])
