"""Reporting pages: a unit's 本月待报, the report form, its detail and history, the review queue."""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from liangxin.core.exporting import write_xlsx
from liangxin.core.listing import paginate
from liangxin.core.locking import EditConflict, fingerprint
from liangxin.core.permissions import (
    CHANGE,
    get_restricted_or_404,
    get_visible_or_404,
    role_required,
    visible,
)
from liangxin.core.roles import Role
from liangxin.dispatch import notices as notice_service
from liangxin.dispatch import reports as report_service
from liangxin.dispatch.forms import ReportForm, ReturnForm
from liangxin.dispatch.models import Notice, Period, ProgressStatus, Report, ReportState, Task, TaskUnit
from liangxin.dispatch.periods import DispatchError, default_as_of, is_open_for, parse_period_key
from liangxin.dispatch.status import LIGHT_LABELS, REPORT_LABELS, period_milestones
from liangxin.dispatch.units import acting_unit
from liangxin.dispatch.views import OFFICE, VIEWERS, pick_period

REPORTERS = (Role.MEMBER_UNIT, Role.COUNTY)
WORKBOOK_HEADERS = [
    "调度期",
    "任务编号",
    "重点任务",
    "填报单位",
    "进展状态",
    "完成进度",
    "本月进展",
    "存在问题",
    "下步打算",
]


@role_required(*VIEWERS)
def mine(request):
    unit = acting_unit(request.user)
    period = pick_period(request)
    context = {"unit": unit, "period": period, "periods": Period.objects.order_by("-month")}
    if unit is None or period is None:
        return render(request, "dispatch/mine.html", context)
    items, status = report_service.due_items(unit, period, default_as_of(period))
    led = {t.pk for t in status.tasks if t.lead_id == unit.pk}
    status.tasks = [t for t in status.tasks if t.pk in led]
    missed = sum(m.missed for states in period_milestones(status).values() for m in states) if led else 0
    done = sum(
        1 for i in items if i["report"] and i["report"].state in (ReportState.SUBMITTED, ReportState.ACCEPTED)
    )
    context.update(
        items=items,
        done=done,
        open=is_open_for(period, unit),
        notices=notice_service.unread_first(visible(Notice, request).filter(unit=unit))[:10],
        unread=notice_service.unread_count(unit),
        missed_milestones=missed,
        light_labels=LIGHT_LABELS,
        report_labels=REPORT_LABELS,
    )
    return render(request, "dispatch/mine.html", context)


def _reporting_task(request, period_key: str, task_pk: int):
    unit = acting_unit(request.user)
    try:
        period = Period.objects.select_related("plan").get(month=parse_period_key(period_key))
    except (DispatchError, Period.DoesNotExist):
        raise Http404("未找到该调度期") from None
    task = get_visible_or_404(Task, request, pk=task_pk, plan=period.plan)
    if unit is None or not TaskUnit.objects.filter(task=task, unit=unit).exists():
        raise Http404("您不是该任务的报送单位")
    return unit, period, task


@role_required(*REPORTERS)
def report_edit(request, period: str, task_pk: int):
    unit, period_obj, task = _reporting_task(request, period, task_pk)
    report = Report.objects.filter(task=task, unit=unit, period=period_obj).first()
    # Submitted meanwhile by a colleague: a POST still shows the form, refused, with its text kept.
    if report and report.state in (ReportState.SUBMITTED, ReportState.ACCEPTED) and request.method != "POST":
        messages.info(request, f"该报告已{report.get_state_display()}，不能再修改")
        return redirect("dispatch:report_detail", pk=report.pk)
    if report:
        initial = {name: getattr(report, name) for name in report_service.FIELDS}
        prefilled, measure = False, None
    else:
        initial = report_service.prefill(task, unit, period_obj)
        prefilled = bool(initial.get("progress"))
        measure = initial.get("measure")
    initial["version"] = fingerprint(report_service.report_values(report))
    form = ReportForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        data = {name: form.cleaned_data[name] for name in report_service.FIELDS}
        try:
            saved = report_service.save_report(
                actor=request.user,
                task=task,
                unit=unit,
                period=period_obj,
                data=data,
                submit=submit,
                version=form.cleaned_data["version"],
            )
            if form.cleaned_data.get("attachment"):
                report_service.add_attachment(saved, form.cleaned_data["attachment"], actor=request.user)
        except EditConflict as exc:
            form.show_conflict(exc)
        except DispatchError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, f"任务 {task.code} 的{period_obj}报告已" + ("报送" if submit else "保存为草稿")
            )
            return redirect(f"{_mine_url()}?period={period_obj.key}")
    return render(
        request,
        "dispatch/report_form.html",
        {
            "form": form,
            "task": task,
            "unit": unit,
            "period": period_obj,
            "report": report,
            "prefilled": prefilled,
            "measure": measure,
            "open": is_open_for(period_obj, unit),
            "done_value": ProgressStatus.DONE,
        },
    )


def _mine_url() -> str:
    from django.urls import reverse

    return reverse("dispatch:mine")


@role_required(*VIEWERS)
def report_detail(request, pk: int):
    report = get_visible_or_404(Report, request, pk=pk)
    return render(
        request,
        "dispatch/report_detail.html",
        {
            "report": report,
            "events": report.events.all(),
            "attachments": report.attachments.all(),
            "can_review": request.user.role == Role.OFFICE and report.state == ReportState.SUBMITTED,
            "can_edit": acting_unit(request.user) == report.unit
            and report.state in (ReportState.DRAFT, ReportState.RETURNED),
            "return_form": ReturnForm(),
        },
    )


@require_POST
@role_required(*OFFICE)
def report_accept(request, pk: int):
    report = get_restricted_or_404(Report, request, CHANGE, pk=pk)
    try:
        report_service.accept_report(report, actor=request.user)
    except DispatchError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已通过“{report.unit.name}”任务 {report.task.code} 的报告")
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("dispatch:review")


@require_POST
@role_required(*OFFICE)
def report_return(request, pk: int):
    report = get_restricted_or_404(Report, request, CHANGE, pk=pk)
    form = ReturnForm(request.POST)
    comment = form.data.get("comment", "")
    try:
        report_service.return_report(report, actor=request.user, comment=comment)
    except DispatchError as exc:
        messages.error(request, str(exc))
        return redirect("dispatch:report_detail", pk=report.pk)
    messages.success(request, f"已退回“{report.unit.name}”任务 {report.task.code} 的报告")
    return redirect("dispatch:review")


@role_required(*VIEWERS)
def attachment_download(request, pk: int, file_pk: int):
    report = get_visible_or_404(Report, request, pk=pk)
    attachment = report.attachments.filter(pk=file_pk).first()
    if attachment is None:
        raise Http404("未找到该附件")
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


@role_required(*OFFICE)
def review_queue(request):
    reports = (
        visible(Report, request).filter(state=ReportState.SUBMITTED).select_related("task", "unit", "period")
    )
    period_key = request.GET.get("period", "")
    q = request.GET.get("q", "").strip()
    if period_key:
        try:
            reports = reports.filter(period__month=parse_period_key(period_key))
        except DispatchError:
            reports = reports.none()
    if q:
        reports = reports.filter(Q(unit__name__contains=q) | Q(task__title__contains=q) | Q(task__code=q))
    page, query = paginate(request, reports.order_by("submitted_at", "pk"))
    return render(
        request,
        "dispatch/review.html",
        {
            "page": page,
            "query": query,
            "q": q,
            "period_key": period_key,
            "periods": Period.objects.order_by("-month"),
        },
    )


@role_required(*REPORTERS)
def mine_workbook(request):
    """The unit's prefilled workbook for the period: fill offline, upload back on the import page."""
    unit = acting_unit(request.user)
    period = pick_period(request)
    if unit is None or period is None:
        raise Http404("没有可下载的填报表")
    items, _ = report_service.due_items(unit, period, default_as_of(period))
    labels = dict(ProgressStatus.choices)

    def rows():
        for item in items:
            values = (
                {n: getattr(item["report"], n) for n in report_service.FIELDS}
                if item["report"]
                else report_service.prefill(item["task"], unit, period)
            )
            yield [
                period.key,
                item["task"].code,
                item["task"].title,
                unit.name,
                labels[values["status"]],
                values["percent"],
                values["progress"],
                values["problems"],
                values["next_steps"],
            ]

    tmp = tempfile.NamedTemporaryFile(suffix=".xlsx")
    write_xlsx(
        tmp.name, [(f"{period}进展报告", WORKBOOK_HEADERS, rows())], widths={2: 40, 6: 50, 7: 30, 8: 30}
    )
    tmp.seek(0)
    return FileResponse(tmp, as_attachment=True, filename=f"月调度填报_{unit.name}_{period.key}.xlsx")
