"""Coverage pages: the table with drill-down (city → county → township/park → organizations),
the organizations with their status, blind spots and suggested joint branches."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from liangxin.core.context_processors import WORK_ROLES
from liangxin.core.listing import paginate
from liangxin.core.masking import shown, with_full_view
from liangxin.core.models import Area, Region
from liangxin.core.permissions import role_required, visible
from liangxin.core.roles import Role
from liangxin.coverage import blindspots, engine, figcache, suggestions
from liangxin.coverage.filters import (
    export,
    export_format,
    filter_choices,
    parse_filters,
    unlinked_instructor,
)
from liangxin.coverage.models import Instructor, PartyOrganization
from liangxin.registry.models import Organization

VIEWERS = WORK_ROLES
GROUPINGS = {"region": "下级区划", "industry": "行业门类", "kind": "组织类别", "tag": "重点标签"}
TABLE_HEADERS = ["名称", "在册组织", "单独组建", "联合组建", "工作覆盖", "未覆盖", "组织覆盖率(%)",
                 "单独组建率(%)", "工作覆盖率(%)", "应建未建", "组织覆盖率较上月末(百分点)"]  # fmt: skip


def _row(figures: engine.Figures, previous: engine.Figures | None, link: str = "") -> dict:
    org_pct = figures.pct(figures.covered)
    change = None
    if previous is not None and previous.total and figures.total:
        change = org_pct - previous.pct(previous.covered)
    return {
        "code": figures.code,
        "name": figures.name,
        "total": figures.total,
        "single": figures.single,
        "joint": figures.joint,
        "work": figures.work,
        "none": figures.none,
        "org_pct": org_pct,
        "single_pct": figures.pct(figures.single),
        "work_pct": figures.pct(figures.covered + figures.work),
        "should_build": figures.should_build,
        "change": change,
        "link": link,
    }


def _rows(table: engine.CoverageTable, previous: engine.CoverageTable, link) -> list[dict]:
    before = {r.code: r for r in previous.rows}
    return [_row(r, before.get(r.code), link(r)) for r in table.rows]


def _ancestors(request, region: Region | None) -> list[Region]:
    if region is None:
        return []
    return list(visible(Region, request).filter(code__in=region.ancestor_codes()).order_by("code"))


@role_required(*VIEWERS)
def coverage_table(request):
    f = parse_filters(request)
    by = request.GET.get("by", "region")
    by = by if by in GROUPINGS else "region"
    orgs = visible(Organization, request)
    previous_day = engine.end_of_previous_month(f.as_of)
    table, park_table, previous, park_previous = figcache.page_tables(
        orgs,
        as_of=f.as_of,
        previous_day=previous_day,
        by=by,
        scope=f.scope,
        region=f.region,
        filters=f.org_q(),
    )
    org_list = reverse("coverage:organizations")

    def link(row: engine.Figures) -> str:
        if by == "industry":
            return f"{org_list}?{f.query(industry=row.code or '')}"
        if by == "kind":
            return f"{org_list}?{f.query(kind=row.code)}"
        if by == "tag":
            return f"{org_list}?{f.query(tag=row.code)}"
        if table.by == "county" and row.code:
            return f"?{f.query(region=row.code)}"
        if table.by == "county":
            return ""  # 市本级: the city's own organizations have no page of their own
        if table.by == "township" and row.code:
            return f"{org_list}?{f.query(region=row.code)}"
        if table.by == "area" and row.code:
            return f"{org_list}?{f.query(area=row.code)}"
        return f"{org_list}?{f.query()}"

    rows = _rows(table, previous, link)
    if by == "region" and table.by in ("county", "township"):
        # A region outside the user's sight (an instructor's county without their organizations)
        # is named but not linked: its page would be a 404.
        shown = set(
            visible(Region, request).filter(code__in=[r["code"] for r in rows]).values_list("code", flat=True)
        )
        for r in rows:
            if r["code"] and r["code"] not in shown:
                r["link"] = ""
    parks = []
    if park_table is not None and park_previous is not None:
        parks = [r for r in _rows(park_table, park_previous, link_area(f, org_list)) if r["code"]]
    total = _row(table.total, previous.total)
    if fmt := export_format(request):
        values = [[r[k] for k in ("name", "total", "single", "joint", "work", "none", "org_pct",
                                  "single_pct", "work_pct", "should_build", "change")]
                  for r in [*rows, total]]  # fmt: skip
        return export(request, fmt, f"两个覆盖_{table.total.name or '合计'}", TABLE_HEADERS, values)
    return render(
        request,
        "coverage/table.html",
        {
            "f": f,
            "by": by,
            "groupings": GROUPINGS,
            "group_label": {"region": "区划", "industry": "行业门类", "kind": "组织类别", "tag": "标签"}[by],
            "rows": rows,
            "parks": parks,
            "total": total,
            "previous_day": previous_day,
            "ancestors": _ancestors(request, f.region),
            "scope_label": engine.scope_label(f.scope),
            "query": f.query(by=by),
            "unlinked": unlinked_instructor(request.user),
            **filter_choices(),
        },
    )


def link_area(f, org_list):
    return lambda row: f"{org_list}?{f.query(area=row.code)}"


ORG_HEADERS = [
    "统一社会信用代码",
    "组织名称",
    "组织类别",
    "所属区划",
    "所属功能区",
    "正式党员",
    "从业人员",
    "规上",
    "覆盖状态",
]


@role_required(*VIEWERS)
def organization_list(request):
    f = parse_filters(request)
    orgs = engine.organizations_with_status(visible(Organization, request), as_of=f.as_of, scope=f.scope)
    orgs = orgs.filter(f.region_q(), f.org_q())
    status = request.GET.get("status", "")
    if status in engine.STATUSES:
        orgs = orgs.filter(coverage=status)
    elif status == "should_build":
        orgs = orgs.filter(engine.should_build_q())
    kind = request.GET.get("kind", "")
    if kind in ("enterprise", "social"):
        orgs = orgs.filter(kind=kind)
    area = request.GET.get("area", "")
    area_obj = None
    if area.isdigit():
        area_obj = visible(Area, request).filter(pk=int(area)).first()
        orgs = orgs.filter(area_id=int(area))
    q = request.GET.get("q", "").strip()
    if q:
        orgs = (
            orgs.filter(name__contains=q)
            if not q.isalnum() or len(q) != 18
            else orgs.filter(credit_code=q.upper())
        )
    orgs = orgs.select_related("region", "area").order_by("county_code", "township_code", "name", "pk")
    if fmt := export_format(request):
        rows = (
            [o.credit_code, o.name, o.get_kind_display(), o.region.name, o.area.name if o.area else "",
             o.party_members, o.employees, o.above_scale, engine.STATUS_LABELS[o.coverage]]
            for o in orgs.iterator(chunk_size=2000)
        )  # fmt: skip
        return export(request, fmt, "两新组织覆盖状态", ORG_HEADERS, rows)
    page, query = paginate(request, orgs)
    return render(
        request,
        "coverage/organizations.html",
        {
            "f": f,
            "page": page,
            "query": query,
            "status": status,
            "kind": kind,
            "area": area_obj,
            "q": q,
            "statuses": engine.STATUS_LABELS,
            "ancestors": _ancestors(request, f.region),
            "scope_label": engine.scope_label(f.scope),
            "filter_query": f.query(),
            **filter_choices(),
        },
    )


# ----------------------------------------------------------------------------- blind spots


def _blindspot_rows(request, kind: str, f):
    orgs = visible(Organization, request).filter(f.region_q(), f.org_q())
    if kind in blindspots.ORG_LISTS:
        return blindspots.organizations(kind, orgs, as_of=f.as_of, scope=f.scope)
    if kind == "overloaded":
        return blindspots.overloaded_instructors(
            visible(Instructor, request).filter(f.region_q()), as_of=f.as_of
        )
    return blindspots.oversized_branches(
        visible(PartyOrganization, request).filter(f.region_q()), as_of=f.as_of
    )


@role_required(*VIEWERS)
def blindspot_index(request):
    f = parse_filters(request)
    counts = {kind: _blindspot_rows(request, kind, f).count() for kind in blindspots.LISTS}
    return render(
        request,
        "coverage/blindspots.html",
        {
            "f": f,
            "lists": [(kind, label, counts[kind]) for kind, label in blindspots.LISTS.items()],
            "query": f.query(),
            "max_orgs": blindspots.instructor_max_orgs(),
            "joint_limits": blindspots.joint_limits(),
            **filter_choices(),
        },
    )


def _blindspot_change(request, kind: str, f) -> tuple[str, datetime.date]:
    """``?changed=became|stopped[&since=YYYY-MM-DD]`` on the uncovered list: the blind spots
    that appeared or went away since a day (default: the end of the month before `as_of`)."""
    change = request.GET.get("changed", "")
    since = blindspots.changes_since(f.as_of)
    if kind != "uncovered" or change not in blindspots.CHANGES:
        return "", since
    raw = request.GET.get("since", "").strip()
    if raw:
        try:
            since = min(datetime.date.fromisoformat(raw), f.as_of)
        except ValueError:
            f.errors.append(f"日期“{raw}”格式不对，应为 YYYY-MM-DD，已按上月末统计")
    return change, since


@role_required(*VIEWERS)
def blindspot_list(request, kind: str):
    if kind not in blindspots.LISTS:
        raise Http404("未找到该清单")
    f = parse_filters(request)
    title = blindspots.LISTS[kind]
    statuses = engine.STATUS_LABELS
    filter_query = f.query()
    change, since = _blindspot_change(request, kind, f)
    if change:
        orgs = visible(Organization, request).filter(f.region_q(), f.org_q())
        rows = blindspots.changed(change, orgs, since=since, as_of=f.as_of)
        title = f"{blindspots.CHANGES[change]}（{since:%Y-%m-%d} 以来）"
        statuses = blindspots.CHANGED_STATUS_LABELS
        filter_query += f"&changed={change}&since={since.isoformat()}"
    else:
        rows = _blindspot_rows(request, kind, f)
    if kind in blindspots.ORG_LISTS:
        headers = ORG_HEADERS
        values = (
            [o.credit_code, o.name, o.get_kind_display(), o.region.name, o.area.name if o.area else "",
             o.party_members, o.employees, o.above_scale, statuses[o.coverage]]
            for o in rows.iterator(chunk_size=2000)
        )  # fmt: skip
    elif kind == "overloaded":
        headers = ["指导员姓名", "联系电话", "工作单位", "所属区划", "指导组织数"]
        rows = with_full_view(rows, request.user)
        values = ([i.name, shown(request.user, i, "phone"), i.workplace, i.region.name, i.load] for i in rows)
    else:
        headers = ["党组织名称", "所属区划", "覆盖组织数", "党员数", "书记"]
        values = ([p.name, p.region.name, p.org_count, p.member_count, p.secretary] for p in rows)
    if fmt := export_format(request):
        return export(request, fmt, title, headers, values)
    page, query = paginate(request, rows)
    if kind == "overloaded":
        for instructor in page:
            instructor.shown_phone = shown(request.user, instructor, "phone")
    return render(
        request,
        "coverage/blindspot_list.html",
        {
            "f": f,
            "kind": kind,
            "title": title,
            "page": page,
            "query": query,
            "filter_query": filter_query,
            "statuses": statuses,
            "change": change,
            "is_org_list": kind in blindspots.ORG_LISTS,
            # Scope, industry and tag select organizations: they do not apply to these two lists.
            "date_only": kind not in blindspots.ORG_LISTS,
            **filter_choices(),
        },
    )


# ----------------------------------------------------------------------------- suggestions


@role_required(*VIEWERS)
def suggestion_list(request):
    f = parse_filters(request)
    orgs = visible(Organization, request).filter(f.region_q(), f.org_q())
    proposals = suggestions.suggest(orgs, as_of=f.as_of, scope=f.scope, limit=200)
    page, query = paginate(request, proposals, per_page=20)
    return render(
        request,
        "coverage/suggestions.html",
        {
            "f": f,
            "page": page,
            "query": query,
            "can_accept": request.user.role == Role.OFFICE,
            "filter_query": f.query(),
            **filter_choices(),
        },
    )


@require_POST
@role_required(Role.OFFICE)
def suggestion_accept(request):
    ids = [int(v) for v in request.POST.getlist("organization") if v.isdigit()]
    today = timezone.localdate()
    try:
        party_org = suggestions.accept(
            ids,
            actor=request.user,
            visible_orgs=visible(Organization, request),
            as_of=today,
            today=today,
            name=request.POST.get("name", ""),
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("coverage:suggestions")
    messages.success(request, f"已组建“{party_org.name}”，覆盖 {len(ids)} 个组织")
    return redirect("coverage:party_org_detail", pk=party_org.pk)
