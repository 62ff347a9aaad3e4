"""Instructor visits (a phone-sized form), the list of visits, instructors without recent visits,
and 有效工作覆盖率 beside the official 工作覆盖率 per county."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from liangxin.core.listing import paginate
from liangxin.core.models import RegionLevel
from liangxin.core.permissions import get_visible_or_404, role_required, visible
from liangxin.core.rates import format_percent
from liangxin.core.roles import Role
from liangxin.core.widgets import DateInput
from liangxin.coverage import effective, engine, visits
from liangxin.coverage.filters import export, export_format, parse_filters
from liangxin.coverage.models import Instructor, Visit
from liangxin.coverage.views import VIEWERS
from liangxin.registry.models import Organization

RECORDERS = (Role.OFFICE, Role.COUNTY, Role.TOWNSHIP, Role.INSTRUCTOR)
VISIT_HEADERS = ["走访日期", "党建指导员", "走访组织", "所属区划", "指导内容", "发现问题"]
IDLE_HEADERS = ["党建指导员", "所属区划", "工作单位", "指导组织数", "最近一次走访"]


class VisitForm(forms.Form):
    visited_on = forms.DateField(label="走访日期", widget=DateInput())
    organization = forms.ModelChoiceField(
        label="走访组织", queryset=Organization.objects.none(), empty_label="请选择"
    )
    work_done = forms.CharField(label="指导内容", widget=forms.Textarea(attrs={"rows": 4}))
    problems = forms.CharField(label="发现问题", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


def _region_filter(qs, f, prefix: str = ""):
    if f.region is not None and f.region.level != RegionLevel.PROVINCE:
        return qs.filter(**{f"{prefix}{f.region.level}_code": f.region.code})
    return qs


@role_required(*RECORDERS)
def visit_create(request, pk: int | None = None):
    if pk is None:
        instructor = Instructor.objects.filter(user=request.user).first()
        if instructor is None:
            raise Http404("您的账号没有对应的党建指导员记录，请联系安全管理员在“党建指导员”中关联")
    else:
        instructor = get_visible_or_404(Instructor, request, pk=pk)
        if not visits.may_record_for(request.user, instructor):
            raise Http404(visits.NOT_YOURS)
    today = timezone.localdate()
    # Organizations assigned in the last visit period: a visit may be entered a little late.
    organizations = Organization.objects.filter(
        Q(pk__in=visits.assigned_on(instructor, today).values("pk"))
        | Q(assignments__instructor=instructor, assignments__ends_on__gt=today - datetime.timedelta(days=90))
    ).distinct().order_by("name")  # fmt: skip
    initial = {"visited_on": today}
    chosen = request.GET.get("organization", "")  # from the 工作台's 待走访 item
    if chosen.isdigit() and organizations.filter(pk=int(chosen)).exists():
        initial["organization"] = int(chosen)
    form = VisitForm(request.POST or None, initial=initial, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        try:
            visits.record_visit(instructor, actor=request.user, today=today, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in (
                exc.message_dict.items() if hasattr(exc, "message_dict") else [(None, exc.messages)]
            ):
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"已记录对“{form.cleaned_data['organization'].name}”的走访")
            return redirect("coverage:visits")
    return render(request, "coverage/visit_form.html", {"form": form, "instructor": instructor})


@role_required(*VIEWERS)
def visit_list(request):
    f = parse_filters(request)
    items = _region_filter(visible(Visit, request), f, "organization__").filter(visited_on__lte=f.as_of)
    q = request.GET.get("q", "").strip()
    if q:
        items = items.filter(
            Q(organization__name__contains=q) | Q(instructor__name=q) | Q(work_done__contains=q)
        )
    items = (
        Visit.objects.filter(pk__in=items.values("pk"))
        .select_related("instructor", "organization", "organization__region")
        .order_by("-visited_on", "-id")
    )
    if fmt := export_format(request):
        rows = (
            [
                v.visited_on,
                v.instructor.name,
                v.organization.name,
                v.organization.region.name,
                v.work_done,
                v.problems,
            ]
            for v in items.iterator(chunk_size=2000)
        )
        return export(request, fmt, "党建指导员走访记录", VISIT_HEADERS, rows)
    page, query = paginate(request, items)
    return render(
        request,
        "coverage/visit_list.html",
        {"f": f, "page": page, "query": query, "q": q, "filter_query": f.query(),
         "can_record": Instructor.objects.filter(user=request.user).exists()},
    )  # fmt: skip


@role_required(*VIEWERS)
def idle_instructors(request):
    f = parse_filters(request)
    rows = effective.instructors_without_visits(
        _region_filter(visible(Instructor, request), f), as_of=f.as_of
    )
    if fmt := export_format(request):
        values = ([i.name, i.region.name, i.workplace, i.load, i.last_visit] for i in rows)
        return export(request, fmt, "近期无走访的党建指导员", IDLE_HEADERS, values)
    page, query = paginate(request, rows)
    return render(
        request,
        "coverage/idle_instructors.html",
        {
            "f": f,
            "page": page,
            "query": query,
            "days": effective.visit_period_days(),
            "filter_query": f.query(),
        },
    )


@role_required(*VIEWERS)
def effective_table(request):
    f = parse_filters(request)
    orgs = _region_filter(visible(Organization, request), f)
    rows, total = engine.effective_work(orgs, as_of=f.as_of, scope=f.scope)
    headers = ["县（市、区）", "纳入统计组织数", "组织覆盖", "工作覆盖（官方口径）", "其中近期有走访", "工作覆盖率（官方口径）", "有效工作覆盖率"]  # fmt: skip
    if fmt := export_format(request):
        values = (
            [r.name, r.total, r.covered, r.work, r.effective_work, format_percent(r.work_rate),
             format_percent(r.effective_work_rate)]
            for r in [*rows, total]
        )  # fmt: skip
        return export(request, fmt, "有效工作覆盖率", headers, values)
    for r in [*rows, total]:
        r.work_pct, r.effective_pct = format_percent(r.work_rate), format_percent(r.effective_work_rate)
    return render(
        request,
        "coverage/effective.html",
        {"f": f, "rows": rows, "total": total, "days": effective.visit_period_days(), "filter_query": f.query(),
         "scope_label": engine.scope_label(f.scope)},
    )  # fmt: skip
