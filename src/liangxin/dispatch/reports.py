"""Reports: draft → submitted → accepted, or returned with a comment → resubmitted.

Every step is a `ReportEvent` carrying the content it had, plus an audit record, in one
transaction. `at` is passed in by the caller (the page passes now; a backfill its 报送时间).
"""

from __future__ import annotations

import datetime
from pathlib import PurePath

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from liangxin.core import audit, events, locking
from liangxin.dispatch import measures, reminders
from liangxin.dispatch.models import (
    Attachment,
    Period,
    ProgressStatus,
    Report,
    ReportEvent,
    ReportState,
    TaskUnit,
)
from liangxin.dispatch.periods import DispatchError, is_open_for
from liangxin.dispatch.status import period_status

FIELDS = ("status", "percent", "progress", "problems", "next_steps")
ATTACHMENT_MAX_MB = 10
ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png", ".txt", ".zip")


def due_items(unit, period: Period, as_of: datetime.date):
    """Everything due from `unit` in `period` as of a date: ([{task, report or None, cell,
    is_lead}], the unit's part of the period's status: `period_status(..., unit=)`) — 本月填报,
    its workbook and the unit's to-do page."""
    status = period_status(period, as_of, unit=unit)
    task_ids = [t.pk for t in status.tasks if (t.pk, unit.pk) in status.cells]
    existing = {r.task_id: r for r in Report.objects.filter(period=period, unit=unit, task_id__in=task_ids)}
    items = []
    for task in status.tasks:
        cell = status.cells.get((task.pk, unit.pk))
        if cell is None or not cell.expected:
            continue
        items.append({"task": task, "report": existing.get(task.pk), "cell": cell, "is_lead": cell.is_lead})
    return items, status


def attachment_limit() -> int:
    return min(settings.LIANGXIN_UPLOAD_MAX_MB, ATTACHMENT_MAX_MB) * 1024 * 1024


def previous_report(task, unit, period: Period) -> Report | None:
    """Last month's (or the latest earlier) report: the starting point of this month's."""
    return (
        Report.objects.filter(task=task, unit=unit, period__month__lt=period.month)
        .order_by("-period__month")
        .first()
    )


def prefill(task, unit, period: Period, *, today: datetime.date | None = None) -> dict:
    """Last month's report as the starting point; for a task linked to a measure, the
    measure's current value and records (as of today, or the period's last day when past) in
    本月进展, and its suggested status and progress. ``measure`` says which, or None."""
    prev = previous_report(task, unit, period)
    if prev is None:
        data = {
            "status": ProgressStatus.NOT_STARTED,
            "percent": 0,
            "progress": "",
            "problems": "",
            "next_steps": "",
        }
    else:
        data = {name: getattr(prev, name) for name in FIELDS}
    data["measure"] = None
    if task.measure:
        as_of = min(today or timezone.localdate(), period.last_day)
        value = measures.current(task.measure, unit, as_of)
        if value is not None:
            data["progress"] = value.text(measures.label(task.measure), as_of)
            if value.status is not None:
                data["status"] = value.status
            if value.percent is not None:
                data["percent"] = value.percent
            data["measure"] = value
    return data


def report_values(report: Report | None) -> dict | None:
    """What the report form shows of a saved report (its optimistic-locking version)."""
    return None if report is None else {name: getattr(report, name) for name in FIELDS}


def _event(report: Report, action: str, *, actor, at: datetime.datetime, comment: str = "") -> None:
    ReportEvent.objects.create(
        report=report,
        action=action,
        at=at,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_name=actor.get_username() if getattr(actor, "is_authenticated", False) else "",
        status=report.status,
        percent=report.percent,
        comment=comment,
    )


def _check(task, unit, period: Period, data: dict) -> None:
    if not TaskUnit.objects.filter(task=task, unit=unit).exists():
        raise DispatchError(f"“{unit.name}”不是任务“{task.code}. {task.title}”的报送单位")
    if task.start > period.last_day:
        raise DispatchError(f"任务 {task.code} 自 {task.start:%Y年%m月%d日} 开始，{period}无需报送")
    status = data.get("status")
    if status not in ProgressStatus.values:
        raise DispatchError(f"进展状态“{status}”无效，应为未启动、正常推进、已完成或滞后")
    percent = data.get("percent")
    if not isinstance(percent, int) or not 0 <= percent <= 100:
        raise DispatchError(f"完成进度“{percent}”应为 0 到 100 之间的整数")
    if status == ProgressStatus.DONE and percent != 100:
        raise DispatchError("进展状态为“已完成”时，完成进度应为 100")


@transaction.atomic
def save_report(
    *,
    actor,
    task,
    unit,
    period: Period,
    data: dict,
    submit: bool,
    at: datetime.datetime | None = None,
    source: str | None = None,
    check_lock: bool = True,
    version: str | None = None,
) -> Report:
    """Save a unit's report for the period as a draft, or submit it (a resubmission after 退回).
    `version`: the report as the form was opened (`locking.fingerprint`); when someone saved it
    since, nothing is written (`locking.EditConflict`)."""
    at = at or timezone.now()
    _check(task, unit, period, data)
    # Only this report's row: the model's ordering joins the task, unit and period, and locking
    # those shared rows too made concurrent saves of one task deadlock on PostgreSQL.
    report = (
        Report.objects.select_for_update(of=("self",))
        .filter(task=task, unit=unit, period=period)
        .order_by("pk")
        .first()
    )
    if report is not None and report.state in (ReportState.SUBMITTED, ReportState.ACCEPTED):
        raise DispatchError(
            f"“{unit.name}”对任务 {task.code} 的{period}报告已{report.get_state_display()}，不能再修改"
        )
    locking.check(
        version,
        report_values(report),
        submitted=data,
        what="这份报告",
        fields=Report,
        audit_object=("dispatch.report", report.pk) if report else None,
    )
    if submit and check_lock and not is_open_for(period, unit):
        raise DispatchError(f"{period}调度已锁定，“{unit.name}”如需补报，请联系工委办公室为本单位解锁")
    if report is not None:  # the audit record names them: no query for what the caller holds
        report.task, report.unit, report.period = task, unit, period
    created = report is None
    before = None if created else audit.snapshot(report, [*FIELDS, "state"])
    report = report or Report(task=task, unit=unit, period=period)
    for name in FIELDS:
        setattr(report, name, data[name])
    if submit:
        report.state = ReportState.SUBMITTED
        report.submitted_at = at
    elif created:
        report.state = ReportState.DRAFT
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        if not created:
            raise
        # Two people started the same report at once: the other's was written first.
        return _created_meanwhile(task, unit, period, data, version)
    _event(report, ReportEvent.Action.SUBMITTED if submit else ReportEvent.Action.SAVED, actor=actor, at=at)
    after = audit.snapshot(report, [*FIELDS, "state"])
    audit.record(
        "dispatch.report.submitted" if submit else "dispatch.report.saved",
        actor=actor,
        obj=report,
        before=before,
        after=after,
        source=source,
    )
    return report


def _created_meanwhile(task, unit, period: Period, data: dict, version: str | None) -> Report:
    if version is None:
        raise DispatchError("同一份报告正由他人同时保存，本次未保存，请稍后重试")
    theirs = Report.objects.filter(task=task, unit=unit, period=period).first()
    locking.check(
        version,
        report_values(theirs),
        submitted=data,
        what="这份报告",
        fields=Report,
        audit_object=("dispatch.report", theirs.pk) if theirs else None,
    )
    raise DispatchError("报告保存失败，请刷新页面后重试")  # the row vanished again: never silent


@transaction.atomic
def return_report(
    report: Report, *, actor, comment: str, at: datetime.datetime | None = None, source: str | None = None
) -> Report:
    comment = (comment or "").strip()
    if not comment:
        raise DispatchError("退回时请填写退回意见，说明需要补充或修改的内容")
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.state != ReportState.SUBMITTED:
        raise DispatchError(f"该报告当前为“{report.get_state_display()}”，只有已报送的报告可以退回")
    at = at or timezone.now()
    report.state = ReportState.RETURNED
    report.reviewed_at = at
    report.review_comment = comment
    report.save()
    _event(report, ReportEvent.Action.RETURNED, actor=actor, at=at, comment=comment)
    audit.record(
        "dispatch.report.returned", actor=actor, obj=report, after={"comment": comment}, source=source
    )
    reminders.report_returned(report)
    events.emit(
        "report.returned",
        {
            "report_id": report.pk,
            "task": report.task.title,
            "unit": report.unit.name,
            "period": report.period.key,
            "comment": comment,
        },
    )
    return report


@transaction.atomic
def accept_report(
    report: Report, *, actor, at: datetime.datetime | None = None, source: str | None = None
) -> Report:
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.state != ReportState.SUBMITTED:
        raise DispatchError(f"该报告当前为“{report.get_state_display()}”，只有已报送的报告可以审核通过")
    at = at or timezone.now()
    report.state = ReportState.ACCEPTED
    report.reviewed_at = at
    report.save()
    _event(report, ReportEvent.Action.ACCEPTED, actor=actor, at=at)
    audit.record(
        "dispatch.report.accepted", actor=actor, obj=report, after={"state": report.state}, source=source
    )
    return report


@transaction.atomic
def add_attachment(report: Report, upload, *, actor) -> Attachment:
    suffix = PurePath(upload.name).suffix.lower()
    if suffix not in ATTACHMENT_EXTENSIONS:
        raise DispatchError(
            f"附件“{upload.name}”的类型不支持，请上传 PDF、Word、Excel、图片、文本或 zip 文件"
        )
    limit = attachment_limit()
    if upload.size > limit:
        raise DispatchError(
            f"附件“{upload.name}”大小为 {upload.size / 1048576:.1f} MB，超过上限 {limit // 1048576} MB"
        )
    attachment = Attachment(report=report, name=PurePath(upload.name).name[:200], size=upload.size)
    attachment.file.save(attachment.name, upload, save=False)
    attachment.save()
    audit.record("dispatch.report.attachment_added", actor=actor, obj=report, after={"file": attachment.name})
    return attachment
