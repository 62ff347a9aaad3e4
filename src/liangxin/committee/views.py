"""Pages of 行业(综合)党委 (`/committee/industry/`) and 应成立未成立; activities are in
`views_activities.py`, meetings in `views_meetings.py`."""

from __future__ import annotations

import datetime
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from liangxin.committee import figures, services, verdict
from liangxin.committee.forms import CommitteeForm
from liangxin.committee.models import IndustryCommittee
from liangxin.core import audit
from liangxin.core.exporting import csv_lines, write_xlsx
from liangxin.core.listing import paginate
from liangxin.core.models import Area, MemberUnit
from liangxin.core.permissions import (
    CHANGE,
    get_restricted_or_404,
    get_visible_or_404,
    restricted,
    role_required,
)
from liangxin.core.roles import Role
from liangxin.coverage.views_party import _set_errors

VIEWERS = (Role.OFFICE, Role.MEMBER_UNIT, Role.COUNTY, Role.TOWNSHIP, Role.PARK)
EDITORS = (Role.OFFICE, Role.MEMBER_UNIT)


def parse_as_of(request) -> tuple[datetime.date, str]:
    raw = request.GET.get("as_of", "").strip()
    today = timezone.localdate()
    if not raw:
        return today, ""
    try:
        return datetime.date.fromisoformat(raw), ""
    except ValueError:
        return today, f"日期“{raw}”格式不对，应为 YYYY-MM-DD，已按今天统计"


def export_format(request) -> str | None:
    fmt = request.GET.get("format", "")
    return fmt if fmt in ("xlsx", "csv") else None


def export(request, fmt: str, title: str, headers, rows) -> HttpResponse:
    """A table as a download, audited (who exported what)."""
    filename = f"{title}_{timezone.localdate():%Y%m%d}.{fmt}"
    audit.record(
        "committee.export",
        actor=request.user,
        object_type="committee.export",
        object_repr=title,
        source_detail=request.get_full_path()[:255],
    )
    if fmt == "csv":
        response = StreamingHttpResponse(csv_lines(headers, rows), content_type="text/csv; charset=utf-8")
    else:
        buffer = io.BytesIO()
        write_xlsx(buffer, [(title[:31], headers, rows)])
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{urlencode({'': filename})[1:]}"
    return response


LIST_HEADERS = [
    "行业（综合）党委", "所属成员单位", "服务行业", "服务标签", "在册组织", "组织覆盖率", "一年前组织覆盖率",
    "变化（百分点）", "工作覆盖率", "下属党组织", "本年排查", "评定为差", "牵头任务", "逾期任务", "本年活动", "作用评定",
]  # fmt: skip


@role_required(*VIEWERS)
def industry_list(request):
    as_of, error = parse_as_of(request)
    q = request.GET.get("q", "").strip()
    wanted = request.GET.get("verdict", "")
    committees = restricted(IndustryCommittee, request)
    if q:
        committees = committees.filter(party_org__name__contains=q) | committees.filter(
            party_org__owner_unit__name__contains=q
        )
    found = figures.compute_all(as_of, user=request.user, committees=committees)
    if wanted in verdict.VERDICTS:
        found = [f for f in found if f.verdict.label == wanted]
    if fmt := export_format(request):
        rows = (
            [f.committee.name, f.committee.owner_unit.name if f.committee.owner_unit else "",
             "、".join(figures.industry_codes(f.committee)), "、".join(f.committee.tags), f.now.total,
             f"{f.now.pct(f.now.covered)}%", f"{f.before.pct(f.before.covered)}%", str(f.org_rate_change),
             f"{f.now.pct(f.now.covered + f.now.work)}%", len(f.party_orgs), f.inspections, f.poor_inspections,
             len(f.tasks), f.task_counts["red"], len(f.activities), f.verdict.label]
            for f in found
        )  # fmt: skip
        return export(request, fmt, "行业党委", LIST_HEADERS, rows)
    page, query = paginate(request, found)
    return render(
        request,
        "committee/industry_list.html",
        {
            "page": page,
            "query": query,
            "as_of": as_of,
            "error": error,
            "q": q,
            "verdict": wanted,
            "verdicts": verdict.VERDICTS,
            "rules": verdict.rules_text(),
            "missing_count": len(figures.missing(as_of, user=request.user)),
            "can_edit": request.user.role in EDITORS,
        },
    )


@role_required(*VIEWERS)
def industry_detail(request, pk: int):
    committee = get_visible_or_404(IndustryCommittee, request, pk=pk)
    as_of, error = parse_as_of(request)
    found = figures.compute(committee, figures.Context(as_of, request.user))
    return render(
        request,
        "committee/industry_detail.html",
        {
            "committee": committee,
            "f": found,
            "as_of": as_of,
            "error": error,
            "rules": verdict.rules_text(),
            "industries": committee.industries.all(),
            "areas": committee.areas.all(),
            "can_edit": request.user.role in EDITORS
            and restricted(IndustryCommittee, request, CHANGE).filter(pk=committee.pk).exists(),
        },
    )


@role_required(*EDITORS)
def industry_edit(request, pk: int | None = None):
    committee = get_restricted_or_404(IndustryCommittee, request, CHANGE, pk=pk) if pk else None
    units = MemberUnit.objects.restrict(request.user, CHANGE)
    initial = {}
    if committee is not None:
        p = committee.party_org
        initial = {
            "name": p.name, "owner_unit": p.owner_unit_id, "industries": committee.industries.all(),
            "tags": "、".join(committee.tags), "areas": committee.areas.all(), "secretary": p.secretary,
            "founded_on": p.founded_on, "note": committee.note,
        }  # fmt: skip
    form = CommitteeForm(request.POST or None, initial=initial, units=units, areas=Area.objects.all())
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = services.CommitteeData(
            name=d["name"], owner_unit=d["owner_unit"], industries=list(d["industries"]), tags=d["tags"],
            areas=list(d["areas"]), secretary=d["secretary"], founded_on=d["founded_on"], note=d["note"],
        )  # fmt: skip
        try:
            committee = services.save_committee(
                data, actor=request.user, today=timezone.localdate(), committee=committee
            )
        except ValidationError as exc:
            _set_errors(form, exc)
        else:
            messages.success(request, f"已保存“{committee.name}”")
            return redirect("committee:industry_detail", committee.pk)
    return render(request, "committee/industry_form.html", {"form": form, "committee": committee})


MISSING_HEADERS = ["成员单位", "主管行业", "主管重点群体/标签"]


@role_required(*VIEWERS)
def missing_list(request):
    as_of, error = parse_as_of(request)
    found = figures.missing(as_of, user=request.user)
    if fmt := export_format(request):
        rows = ([m.unit.name, "、".join(m.industries), "、".join(m.tags)] for m in found)
        return export(request, fmt, "应成立未成立行业党委", MISSING_HEADERS, rows)
    proposed = set()
    if request.user.role == Role.OFFICE:
        from liangxin.dispatch.models import Task

        codes = Task.objects.filter(plan__year=as_of.year, code__startswith="行业党委").values_list(
            "code", flat=True
        )
        proposed = set(codes)
    return render(
        request,
        "committee/missing.html",
        {
            "rows": [(m, f"行业党委{m.unit.pk}" in proposed) for m in found],
            "as_of": as_of,
            "error": error,
            "can_propose": request.user.role == Role.OFFICE,
        },
    )


@require_POST
@role_required(Role.OFFICE)
def missing_propose(request, unit_pk: int):
    as_of = timezone.localdate()
    unit = get_visible_or_404(MemberUnit, request, pk=unit_pk)
    if not any(m.unit.pk == unit.pk for m in figures.missing(as_of, user=request.user)):
        raise PermissionDenied("该单位已有行业党委，无需生成任务")
    task, outcome = services.propose_committee_task(unit, actor=request.user, as_of=as_of)
    messages.success(
        request,
        f"已{'生成' if outcome == 'created' else '更新'}{as_of.year}年重点任务 {task.code}“{task.title}”，"
        f"牵头单位：{unit.name}，完成时限：年底前",
    )
    return redirect("committee:missing")
