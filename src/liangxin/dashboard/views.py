"""驾驶舱: the page is light; each chart fetches its data from /cockpit/data/<chart>.json.

Coverage charts go through the coverage filters (as_of, scope, region: another jurisdiction's
region is a 404) and the user's visible organizations; the line reads published bulletins only
for users who see everything a bulletin counted (the office; a county user on its county). The
dispatch charts show the office every unit's 调度 status, a county or member unit user its own
unit's (the unit it reports for), other roles nothing. The ledgers' panels (结对共建, 五融入五提升,
品牌) count what the user sees of each ledger (`dashboard.ledger_charts`); instructors have none."""

from __future__ import annotations

from dataclasses import replace

from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from liangxin.core.context_processors import WORK_ROLES
from liangxin.core.permissions import role_required, visible
from liangxin.core.roles import Role
from liangxin.coverage.filters import Filters, export, parse_filters
from liangxin.dashboard import ledger_charts, queries, tiles, workforce_charts
from liangxin.dashboard.moment import Moment, resolve
from liangxin.dispatch.models import Period
from liangxin.dispatch.units import visible_unit_ids
from liangxin.registry.models import Organization

ROLES = WORK_ROLES  # like the coverage pages


def _units(request) -> set[int] | None:
    """The member units whose dispatch cells the user sees (None: all of them)."""
    return visible_unit_ids(request.user)


def cockpit_filters(request) -> tuple[Filters, Moment, list[str]]:
    """The coverage filters (scope, region: another jurisdiction's region is a 404) and the one
    moment (period and as-of date) every chart of the page answers for."""
    f = parse_filters(request)
    raw = request.GET.get("as_of", "").strip()
    moment, problems = resolve(request.GET.get("period", ""), raw, dispatch=_units(request) != set())
    errors = [e for e in f.errors if not (raw and e.startswith(f"日期“{raw}”"))]
    return replace(f, as_of=moment.as_of), moment, [*errors, *problems]


def _query(f: Filters, moment: Moment, request, **overrides) -> str:
    """The page's own address: the date only when it was chosen (else it follows the period)."""
    params = {
        "as_of": f.as_of.isoformat() if moment.chosen_date else "",
        "scope": f.scope,
        "period": moment.period.key if moment.period else "",
    }
    if request.GET.get("region"):
        params["region"] = f.region.code
    params.update(overrides)
    return urlencode({k: v for k, v in params.items() if v})


def _links(f: Filters, moment: Moment, request, result: dict) -> list[str]:
    """Where a bar leads: a county re-renders the cockpit for its townships; a township opens
    the coverage page's organization list."""
    if result.get("by") == "county":
        page = reverse("dashboard:screen" if request.GET.get("view") == "screen" else "dashboard:index")
        # 市本级 (organizations of the city itself, code "") has no county to drill into
        return [
            f"{page}?{_query(f, moment, request, region=code)}" if code else "" for code in result["codes"]
        ]
    org_list = reverse("coverage:organizations")
    return [f"{org_list}?{f.query(region=code)}" if code else "" for code in result["codes"]]


def _page(request, template: str):
    f, moment, errors = cockpit_filters(request)
    query = _query(f, moment, request)
    return render(request, template, {
        "f": f, "moment": moment, "period": moment.period, "errors": errors,
        "periods": Period.objects.all() if _units(request) != set() else [],
        "charts": queries.CHARTS if template.endswith("screen.html") else _page_charts(request),
        "tile_labels": tiles.LABELS.values(), "query": query,
        "up": f"?{_query(f, moment, request, region='')}" if request.GET.get("region") else "",
    })  # fmt: skip


def _page_charts(request) -> list[str]:
    """The page's charts: the 大屏's six, 流动哨兵, and the ledgers' panels for those who see them."""
    ledgers = list(ledger_charts.LEDGER_CHARTS) if request.user.role in ledger_charts.VIEWERS else []
    return [*queries.PAGE_CHARTS, *ledgers]


@role_required(*ROLES)
def index(request):
    return _page(request, "dashboard/index.html")


@role_required(*ROLES)
def screen(request):
    """大屏: the same charts for a 1920×1080 wall screen, without the navigation."""
    return _page(request, "dashboard/screen.html")


def _sees_published(request, f: Filters) -> bool:
    """A bulletin counts every organization of the city and its counties: its figures stand for
    the user's only when the user sees all of them (the office, or a county user on its county)."""
    user = request.user
    if user.role == Role.OFFICE:
        return True
    return user.role == Role.COUNTY and f.region is not None and f.region.pk == user.region_id


def chart_data(request, chart: str) -> dict:
    f, moment, _ = cockpit_filters(request)
    if chart in queries.COVERAGE_CHARTS:
        orgs = visible(Organization, request)
        result = queries.COVERAGE_CHARTS[chart](
            orgs, as_of=f.as_of, scope=f.scope, region=f.region, published=_sees_published(request, f),
            user=request.user,
        )  # fmt: skip
        if "codes" in result:
            result["links"] = _links(f, moment, request, result)
        result["title"] = moment.title(result["title"])
    elif chart in queries.DISPATCH_CHARTS:
        result = queries.DISPATCH_CHARTS[chart](moment.period, as_of=f.as_of, units=_units(request))
        result["title"] = moment.title(result["title"], dispatch=True)
    elif chart == "sentinel":
        result = workforce_charts.sentinel_month(request.user, as_of=f.as_of)
        result["title"] = moment.title(result["title"])
    elif chart in ledger_charts.LEDGER_CHARTS:
        if request.user.role not in ledger_charts.VIEWERS:
            raise Http404("没有这个图表")  # an instructor has none of these ledgers
        result = ledger_charts.LEDGER_CHARTS[chart](request.user, as_of=f.as_of)
        result["title"] = moment.title(result["title"])
    elif chart == "tiles":
        result = tiles.headline(
            visible(Organization, request), as_of=f.as_of, period=moment.period, units=_units(request),
            scope=f.scope, region=f.region, published=_sees_published(request, f), user=request.user,
        )  # fmt: skip
        result["title"] = moment.title(result["title"], dispatch=True)
    else:
        raise Http404("没有这个图表")
    return {**result, **moment.as_json()}


@role_required(*ROLES)
def data(request, chart: str):
    return JsonResponse(chart_data(request, chart), json_dumps_params={"ensure_ascii": False})


@role_required(*ROLES)
def download(request, chart: str, fmt: str):
    if fmt not in ("xlsx", "csv"):
        raise Http404("导出格式只支持 xlsx 或 csv")
    result = chart_data(request, chart)
    return export(request, fmt, result["title"], result["headers"], result["rows"])
