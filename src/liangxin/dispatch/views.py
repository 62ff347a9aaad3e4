"""Office and overview pages: the board, tasks and their history, chasing, periods."""

from __future__ import annotations

import datetime
import tempfile

from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from liangxin.core import locking
from liangxin.core.exporting import write_xlsx
from liangxin.core.listing import paginate
from liangxin.core.models import MemberUnit
from liangxin.core.permissions import (
    CHANGE,
    get_restricted_or_404,
    get_visible_or_404,
    role_required,
    visible,
)
from liangxin.core.plugins import app_modules
from liangxin.core.roles import Role
from liangxin.dispatch import periods as period_service
from liangxin.dispatch import plans, rollover
from liangxin.dispatch.forms import PeriodForm, PlanSettingsForm, TaskForm
from liangxin.dispatch.models import Period, Plan, Report, Task
from liangxin.dispatch.periods import DispatchError, default_as_of
from liangxin.dispatch.status import (
    LIGHT_LABELS,
    REPORT_LABELS,
    milestone_states,
    period_milestones,
    period_status,
    totals_for,
)
from liangxin.dispatch.units import visible_unit_ids

VIEWERS = (Role.OFFICE, Role.MEMBER_UNIT, Role.COUNTY, Role.TOWNSHIP, Role.PARK)  # not instructors
OFFICE = (Role.OFFICE,)


def pick_period(request) -> Period | None:
    """The period asked for (?period=YYYY-MM), else this month's, else the latest."""
    key = request.GET.get("period") or request.POST.get("period")
    qs = Period.objects.select_related("plan")
    if key:
        try:
            return qs.get(month=period_service.parse_period_key(key))
        except (DispatchError, Period.DoesNotExist):
            raise Http404("未找到该调度期") from None
    today = timezone.localdate()
    return qs.filter(month__lte=today).order_by("-month").first() or qs.order_by("month").first()


def pick_as_of(request, period: Period) -> datetime.date:
    """?as_of=YYYY-MM-DD, else today for the current month and the last day for a past month
    (a past month is shown as it closed; pick a later date to see late reports)."""
    try:
        return datetime.date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        return default_as_of(period)


def scoped_status(request, period: Period, as_of: datetime.date):
    """The period's status, with the tasks (and unit rows) the user may see."""
    status = period_status(period, as_of)
    units = visible_unit_ids(request.user)
    if units is not None:
        visible_ids = set(visible(Task, request).filter(plan=period.plan).values_list("pk", flat=True))
        status.tasks = [t for t in status.tasks if t.pk in visible_ids]
        status.units = [row for row in status.units if row.unit.pk in units]
        # The figures are those of the user's tasks, not the whole city's.
        status.totals = totals_for(status.tasks, status.assignments, status.cells)
        # Another unit's report is not the user's to open: its cell shows the light, not a link.
        for cell in status.cells.values():
            if cell.unit_id not in units:
                cell.report_id = None
    return status


def _grid(request, status):
    category = request.GET.get("category", "")
    unit_id = request.GET.get("unit", "")
    light = request.GET.get("light", "")
    q = request.GET.get("q", "").strip()
    tasks = status.tasks
    if category:
        tasks = [t for t in tasks if t.category == category]
    if q:
        tasks = [t for t in tasks if q in t.title or q == t.code]
    unit_ids = {int(unit_id)} if unit_id.isdigit() else None
    rows = []
    for task in tasks:
        cells = [
            (a, status.cells[(task.pk, a.unit_id)])
            for a in status.assignments[task.pk]
            if unit_ids is None or a.unit_id in unit_ids
        ]
        if light:
            cells = [(a, c) for a, c in cells if c.light == light]
        if cells:
            rows.append({"task": task, "cells": {a.unit_id: c for a, c in cells}})
    columns: dict[int, MemberUnit] = {}
    for row in rows:
        for a in status.assignments[row["task"].pk]:
            if a.unit_id in row["cells"]:
                columns.setdefault(a.unit_id, a.unit)
    units = sorted(columns.values(), key=lambda u: (u.sort, u.pk))
    for row in rows:
        row["line"] = [row["cells"].get(u.pk) for u in units]
    return rows, units, {"category": category, "unit": unit_id, "light": light, "q": q}


@role_required(*VIEWERS)
def board(request):
    period = pick_period(request)
    if period is None:
        return render(request, "dispatch/board.html", {"period": None})
    as_of = pick_as_of(request, period)
    status = scoped_status(request, period, as_of)
    rows, units, used = _grid(request, status)
    milestones = period_milestones(status)
    for row in rows:
        row["milestones"] = milestones.get(row["task"].pk, [])
    page, query = paginate(request, rows)
    all_units = {a.unit_id: a.unit for task in status.tasks for a in status.assignments[task.pk]}
    return render(
        request,
        "dispatch/board.html",
        {
            "period": period,
            "periods": Period.objects.order_by("-month"),
            "as_of": as_of,
            "status": status,
            "page": page,
            "query": query,
            "units": units,
            "used": used,
            "categories": plans.category_choices(period.plan.year),
            "filter_units": sorted(all_units.values(), key=lambda u: (u.sort, u.pk)),
            "lights": LIGHT_LABELS.items(),
            "report_labels": REPORT_LABELS,
            "light_labels": LIGHT_LABELS,
            "is_office": request.user.role == Role.OFFICE,
            "submitted_rate": status.rate("submitted"),
            "on_time_rate": status.rate("on_time"),
            "missed_milestones": sum(m.missed for ms in milestones.values() for m in ms),
            # other apps' figures for the month (registry: 三同步 follow-ups), without dispatch importing them
            "panels": [m.board_panel(request, month=period.month, as_of=as_of) for m in app_modules("board")],
        },
    )


@role_required(*VIEWERS)
def board_export(request):
    period = pick_period(request)
    if period is None:
        raise Http404("尚无调度期")
    status = scoped_status(request, period, pick_as_of(request, period))
    rows, _, _ = _grid(request, status)

    def lines():
        for row in rows:
            task = row["task"]
            for a in status.assignments[task.pk]:
                c = row["cells"].get(a.unit_id)
                if c is None:
                    continue
                yield [
                    task.code,
                    task.category_label,
                    task.title,
                    task.lead.name,
                    a.unit.name,
                    LIGHT_LABELS[c.light],
                    REPORT_LABELS[c.report],
                    c.progress,
                    "是" if c.on_time else "否",
                ]

    tmp = tempfile.NamedTemporaryFile(suffix=".xlsx")
    headers = [
        "序号",
        "任务类别",
        "重点任务",
        "牵头单位",
        "报送单位",
        "亮灯",
        "报送状态",
        "完成进度",
        "按时报送",
    ]
    write_xlsx(tmp.name, [(f"{period}调度", headers, lines())])
    tmp.seek(0)
    return FileResponse(tmp, as_attachment=True, filename=f"月调度_{period.key}.xlsx")


def _plans_for(request):
    """Every plan for the office; a draft (not confirmed yet) is the office's alone."""
    return Plan.objects.all() if request.user.role == Role.OFFICE else Plan.objects.filter(is_draft=False)


def _plan_for(request) -> Plan | None:
    year = request.GET.get("year")
    qs = _plans_for(request)
    if year and year.isdigit():
        return qs.filter(year=int(year)).first()
    return qs.filter(year=timezone.localdate().year).first() or qs.order_by("-year").first()


@role_required(*VIEWERS)
def task_list(request):
    plan = _plan_for(request)
    tasks = visible(Task, request).filter(plan=plan).select_related("lead") if plan else Task.objects.none()
    category = request.GET.get("category", "")
    q = request.GET.get("q", "").strip()
    if category:
        tasks = tasks.filter(category=category)
    if q:
        tasks = tasks.filter(Q(title__contains=q) | Q(code=q) | Q(lead__name__contains=q))
    page, query = paginate(request, tasks.order_by("sort_key"))
    return render(
        request,
        "dispatch/task_list.html",
        {
            "plan": plan,
            "plans": _plans_for(request),
            "page": page,
            "query": query,
            "category": category,
            "q": q,
            "categories": plans.category_choices(plan.year if plan else None),
            "is_office": request.user.role == Role.OFFICE,
        },
    )


@role_required(*VIEWERS)
def task_detail(request, pk: int):
    task = get_visible_or_404(Task, request, pk=pk)
    assignments = list(task.assignments.select_related("unit").order_by("-is_lead", "unit__sort"))
    reports = {
        (r.period_id, r.unit_id): r
        for r in visible(Report, request).filter(task=task).select_related("period")
    }
    today = timezone.localdate()
    history = []
    for period in (
        Period.objects.filter(plan=task.plan, month__lte=today).order_by("-month").select_related("plan")
    ):
        # Past months as they stood at month end; the current month as of today.
        status = period_status(period, default_as_of(period, today))
        if task.pk not in status.assignments:
            continue
        history.append(
            {
                "period": period,
                "status": status,
                "cells": [
                    (a, status.cells[(task.pk, a.unit_id)], reports.get((period.pk, a.unit_id)))
                    for a in assignments
                ],
            }
        )
    # Milestones as of today (or the last day of the latest period shown).
    latest = history[0]["status"] if history else None
    milestones = milestone_states(latest, list(task.milestone_items.all()), today).get(task.pk, [])
    return render(
        request,
        "dispatch/task_detail.html",
        {
            "task": task,
            "milestones": milestones,
            "assignments": assignments,
            "history": history,
            "light_labels": LIGHT_LABELS,
            "report_labels": REPORT_LABELS,
            "is_office": request.user.role == Role.OFFICE,
        },
    )


@role_required(*OFFICE)
def task_edit(request, pk: int | None = None):
    task = get_restricted_or_404(Task, request, CHANGE, pk=pk) if pk else None
    plan = task.plan if task else _plan_for(request)
    if plan is None:
        year_text = request.GET.get("year") or str(timezone.localdate().year)
        if not year_text.isdigit() or not 2000 <= int(year_text) <= 2100:
            raise Http404(f"年度“{year_text}”无效，应为 2000 到 2100 之间的四位年份")
        plan = Plan(year=int(year_text))
    initial = _task_initial(task) if task else {}
    initial["version"] = locking.fingerprint(initial or None)
    form = TaskForm(request.POST or None, initial=initial, year=plan.year)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        duplicate = Task.objects.filter(plan__year=plan.year, code=data["code"]).exclude(
            pk=task.pk if task else None
        )
        if duplicate.exists():
            form.add_error("code", f"{plan.year}年清单中已有序号为“{data['code']}”的任务")
        else:
            if plan.pk is None:
                plan = plans.get_or_create_plan(plan.year, actor=request.user)
            try:
                saved = _save_task(form, plan, task, actor=request.user)
            except locking.EditConflict as exc:
                form.show_conflict(exc)
            else:
                messages.success(request, f"已保存任务“{saved.code}. {saved.title}”")
                return redirect("dispatch:task_detail", pk=saved.pk)
    return render(request, "dispatch/task_form.html", {"form": form, "task": task, "plan": plan})


def _task_initial(task: Task) -> dict:
    """What the task form shows of a task (its optimistic-locking version)."""
    return {
        "code": task.code,
        "category": task.category,
        "title": task.title,
        "requirement": task.requirement,
        "lead": task.lead,
        "units": [a.unit for a in task.assignments.filter(is_lead=False)],
        "start": task.start,
        "deadline": task.deadline_text or (task.deadline.isoformat() if task.deadline else "长期"),
        "milestones": task.milestones,
        "measure": task.measure,
    }


@transaction.atomic
def _save_task(form: TaskForm, plan: Plan, task: Task | None, *, actor) -> Task:
    """Save the form unless someone saved the task since it was opened (`locking.EditConflict`)."""
    data = form.cleaned_data
    if task is not None:
        task = Task.objects.select_for_update().get(pk=task.pk)
        submitted = {**data, "start": data["start"] or datetime.date(plan.year, 1, 1)}
        locking.check(
            data["version"],
            _task_initial(task),
            submitted=submitted,
            what="该任务",
            fields=form,
            audit_object=("dispatch.task", task.pk),
        )
    saved, _ = plans.save_task(
        plan,
        plans.TaskData(
            code=data["code"],
            category=data["category"],
            title=data["title"],
            requirement=data["requirement"],
            lead=data["lead"],
            units=list(data["units"]),
            start=data["start"] or datetime.date(plan.year, 1, 1),
            deadline=data["deadline_date"],
            deadline_text=data["deadline"] or "长期",
            milestones=data["milestones"],
            measure=data["measure"],
        ),
        actor=actor,
        task=task,
    )
    return saved


@role_required(*OFFICE)
def period_list(request):
    periods_qs = Period.objects.select_related("plan").prefetch_related("unlocks__unit").order_by("-month")
    page, query = paginate(request, periods_qs)
    return render(
        request,
        "dispatch/period_list.html",
        {"page": page, "query": query, "units": MemberUnit.objects.filter(active=True)},
    )


@require_POST
@role_required(*OFFICE)
def period_update(request, pk: int):
    period = get_object_or_404(Period, pk=pk)
    form = PeriodForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("dispatch:periods")
    try:
        period_service.update_period(
            period,
            actor=request.user,
            due_day=form.cleaned_data["due_day"],
            locked=form.cleaned_data["locked"],
        )
    except DispatchError as exc:
        messages.error(request, str(exc))
    else:
        state = "已锁定" if period.locked else "开放报送"
        messages.success(request, f"{period}：截止日 {period.due_day} 日，{state}")
    return redirect("dispatch:periods")


@require_POST
@role_required(*OFFICE)
def period_unlock(request, pk: int):
    period = get_object_or_404(Period, pk=pk)
    unit = get_object_or_404(MemberUnit, pk=request.POST.get("unit") or 0)
    if request.POST.get("relock"):
        period_service.relock_for_unit(period, unit, actor=request.user)
        messages.success(request, f"{period}：已重新锁定“{unit.name}”")
    else:
        period_service.unlock_for_unit(period, unit, actor=request.user)
        messages.success(request, f"{period}：已为“{unit.name}”解锁，可补报")
    return redirect("dispatch:periods")


@role_required(*OFFICE)
@require_POST
def plan_confirm(request, year: int):
    plan = get_object_or_404(Plan, year=year)
    period = rollover.confirm_plan(plan, actor=request.user, today=timezone.localdate())
    opened = f"，已打开{period}调度期" if period is not None else ""
    messages.success(request, f"已确认{plan.year}年重点任务清单{opened}")
    return redirect(f"{reverse('dispatch:tasks')}?year={plan.year}")


@role_required(*OFFICE)
def plan_settings(request, year: int):
    plan = get_object_or_404(Plan, year=year)
    fields = ("title", "lag_points", "weight_on_time", "weight_done", "penalty_returned", "late_credit")
    form = PlanSettingsForm(request.POST or None, initial={f: getattr(plan, f) for f in fields})
    if request.method == "POST" and form.is_valid():
        plans.update_plan_settings(plan, actor=request.user, **{f: form.cleaned_data[f] for f in fields})
        messages.success(request, f"已保存{plan.year}年亮灯与评分设置")
        return redirect(f"{reverse('dispatch:tasks')}?year={plan.year}")
    return render(request, "dispatch/plan_settings.html", {"form": form, "plan": plan})
