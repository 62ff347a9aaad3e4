"""Revisits of a named brand: due 6 and 12 months after it was named (configurable per
campaign, default `LIANGXIN_BRAND_REVISIT_MONTHS`), answered by its unit, chased by
`liangxin dispatch_tick` through the dispatch's notices: once when due, once more when it is
`LIANGXIN_BRAND_REVISIT_GRACE_DAYS` (30) days past due and still unanswered (overdue)."""

from __future__ import annotations

import calendar
import datetime

from django.conf import settings

from liangxin.brands.models import Revisit
from liangxin.dispatch.models import Notice


def revisit_months() -> list[int]:
    return list(settings.LIANGXIN_BRAND_REVISIT_MONTHS)


def grace_days() -> int:
    return settings.LIANGXIN_BRAND_REVISIT_GRACE_DAYS


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (31 August + 6 months = 28/29 February)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def state(revisit: Revisit, as_of: datetime.date) -> str:
    """answered › overdue (more than the grace days past due) › due (due on or before as_of) › pending."""
    if revisit.answered_at is not None:
        return "answered"
    if as_of > revisit.due_on + datetime.timedelta(days=grace_days()):
        return "overdue"
    if as_of >= revisit.due_on:
        return "due"
    return "pending"


STATE_LABELS = {"answered": "已回访", "overdue": "逾期未回访", "due": "待回访", "pending": "未到期"}


def open_revisits():
    """Unanswered revisits of brands still counted active (a brand found inactive needs no more)."""
    return Revisit.objects.filter(answered_at__isnull=True, brand__active=True)


def due_notices(today: datetime.date) -> list[Notice]:
    """The dispatch tick's hook: a notice to the brand's unit when a revisit falls due, and
    another when it is overdue. Keys make each notice exist once however often the tick runs."""
    rows = []
    grace = datetime.timedelta(days=grace_days())
    for revisit in open_revisits().filter(due_on__lte=today).select_related("brand", "brand__unit"):
        brand = revisit.brand
        rows.append(
            Notice(
                unit=brand.unit,
                kind="revisit_due",
                key=f"revisit_due:{revisit.pk}",
                message=f"品牌“{brand.name}”命名已满 {revisit.months} 个月，请于 "
                f"{revisit.due_on + grace:%Y年%m月%d日} 前填报回访：是否仍在运行、命名以来开展了哪些工作",
            )
        )
        if today > revisit.due_on + grace:
            rows.append(
                Notice(
                    unit=brand.unit,
                    kind="revisit_overdue",
                    key=f"revisit_overdue:{revisit.pk}",
                    message=f"品牌“{brand.name}”命名满 {revisit.months} 个月的回访已逾期（应于 "
                    f"{revisit.due_on + grace:%Y年%m月%d日} 前填报），请尽快填报",
                )
            )
    return rows


def tick(today: datetime.date, *, actor=None, now: datetime.datetime | None = None) -> int:
    """The hook `liangxin dispatch_tick` runs (dispatch.reminders.register_tick_hook): queue the
    revisit notices due today; the tick sends them with its own. Returns how many were new."""
    from django.db import transaction

    from liangxin.core import audit
    from liangxin.dispatch import reminders

    rows = due_notices(today)
    if not rows:
        return 0
    with transaction.atomic():
        queued = reminders.queue_notices(rows)
        if queued:
            audit.record(
                "brands.revisit.reminded",
                actor=actor,
                object_type="brands.revisit",
                after={"count": queued, "kinds": sorted({n.kind for n in rows})},
                source="command",
            )
    return queued
