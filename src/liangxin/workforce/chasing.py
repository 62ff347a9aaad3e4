"""Overdue 流动哨兵 reports are chased by `dispatch_tick` through dispatch's own notices (one
mechanism): the unit that handles the report — its member unit, or for a township the county's
组织部 — gets one notice per report. The same tick removes riders' personal data once a closed
report is older than ``LIANGXIN_SENTINEL_RETENTION_DAYS``."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from liangxin.core import audit
from liangxin.core.models import MemberUnit, MemberUnitKind
from liangxin.dispatch.models import Notice
from liangxin.dispatch.reminders import queue_notices
from liangxin.workforce.models import ReportStatus, SentinelReport


def overdue(today: datetime.date):
    return SentinelReport.objects.exclude(status=ReportStatus.CLOSED).filter(due_on__lt=today)


def tick(today: datetime.date, *, actor=None, now: datetime.datetime | None = None) -> int:
    queued = queue_overdue(today, actor=actor)
    remove_personal_data(now or timezone.now(), actor=actor)
    return queued


def queue_overdue(today: datetime.date, *, actor=None) -> int:
    reports = list(overdue(today).select_related("region", "unit"))
    if not reports:
        return 0
    county_units = {
        u.region.code: u
        for u in MemberUnit.objects.filter(kind=MemberUnitKind.COUNTY_ORG, active=True).select_related(
            "region"
        )
    }
    rows = []
    for report in reports:
        unit = report.unit or county_units.get(report.county_code)
        if unit is None:
            continue
        where = report.region.name if report.unit is None else unit.name
        rows.append(
            Notice(
                unit=unit,
                kind="sentinel_overdue",
                key=f"sentinel_overdue:{report.receipt}",
                message=(
                    f"流动哨兵报告 {report.receipt}（{report.get_category_display()}，{where}）"
                    f"已超过办结时限 {report.due_on:%m月%d日}，请督促尽快办结"
                ),
            )
        )
    with transaction.atomic():
        queued = queue_notices(rows)
        if queued:
            audit.record(
                "workforce.report.chased",
                actor=actor,
                object_type="workforce.sentinelreport",
                after={"count": queued},
                source="command",
            )
    return queued


def remove_personal_data(now: datetime.datetime, *, actor=None) -> int:
    cutoff = now - datetime.timedelta(days=settings.LIANGXIN_SENTINEL_RETENTION_DAYS)
    due = SentinelReport.objects.filter(
        status=ReportStatus.CLOSED, closed_at__lt=cutoff, personal_removed_at__isnull=True
    )
    with transaction.atomic():
        receipts = list(due.values_list("receipt", flat=True))
        if not receipts:
            return 0
        SentinelReport.objects.filter(receipt__in=receipts).update(
            reporter_name="", reporter_phone="", client_key="", personal_removed_at=now
        )
        audit.record(
            "workforce.report.personal_removed",
            actor=actor,
            object_type="workforce.sentinelreport",
            after={"receipts": receipts, "retention_days": settings.LIANGXIN_SENTINEL_RETENTION_DAYS},
            source="command",
        )
    return len(receipts)
