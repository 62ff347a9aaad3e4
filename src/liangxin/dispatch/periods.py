"""Periods: opening a month, its due day, locking and unlocking for one unit."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction

from liangxin.core import audit
from liangxin.core.dates import month_end
from liangxin.dispatch.models import Period, PeriodUnlock, Plan


class DispatchError(Exception):
    """A refused dispatch action; the message is Chinese and names what and why."""


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def parse_period_key(text: str) -> datetime.date:
    try:
        year, month = str(text).strip().split("-")
        return datetime.date(int(year), int(month), 1)
    except (ValueError, TypeError):
        raise DispatchError(f"调度期“{text}”格式不对，应为 YYYY-MM，例如 2022-05") from None


def open_period(month: datetime.date, *, actor, source: str | None = None) -> tuple[Period | None, bool]:
    """The period of `month` (created when its year has a plan). Safe to call repeatedly."""
    month = month_start(month)
    existing = Period.objects.filter(month=month).select_related("plan").first()
    if existing:
        return existing, False
    plan = Plan.objects.filter(year=month.year, is_draft=False).first()
    if plan is None:  # no plan, or a draft the office has not confirmed yet
        return None, False
    try:
        with transaction.atomic():
            period = Period.objects.create(plan=plan, month=month)
            audit.record(
                "dispatch.period.opened", actor=actor, obj=period, after=audit.snapshot(period), source=source
            )
    except IntegrityError:  # another tick opened it at the same moment
        return Period.objects.get(month=month), False
    return period, True


def get_period(key: str, *, create_with_actor=None) -> Period:
    month = parse_period_key(key)
    period = Period.objects.filter(month=month).select_related("plan").first()
    if period is None and create_with_actor is not False:
        period, _ = open_period(month, actor=create_with_actor, source="command")
    if period is None and Plan.objects.filter(year=month.year, is_draft=True).exists():
        raise DispatchError(
            f"{month.year}年重点任务清单还是草稿（由上年度结转生成），工委办公室确认后才能打开调度期 {key}"
        )
    if period is None:
        raise DispatchError(f"{month.year}年没有重点任务清单，无法打开调度期 {key}；请先导入该年度的任务表")
    return period


@transaction.atomic
def update_period(period: Period, *, actor, due_day: int | None = None, locked: bool | None = None) -> Period:
    before = audit.snapshot(period)
    if due_day is not None:
        if not 1 <= due_day <= 31:
            raise DispatchError(f"报送截止日“{due_day}”应为 1 到 31 之间的日期")
        period.due_day = due_day
    if locked is not None:
        period.locked = locked
    period.save()
    old, new = audit.changed(before, audit.snapshot(period))
    if new:
        audit.record("dispatch.period.updated", actor=actor, obj=period, before=old, after=new)
    return period


@transaction.atomic
def unlock_for_unit(period: Period, unit, *, actor) -> None:
    _, created = PeriodUnlock.objects.get_or_create(period=period, unit=unit)
    if created:
        audit.record("dispatch.period.unlocked", actor=actor, obj=period, after={"unit": unit.name})


@transaction.atomic
def relock_for_unit(period: Period, unit, *, actor) -> None:
    deleted, _ = PeriodUnlock.objects.filter(period=period, unit=unit).delete()
    if deleted:
        audit.record("dispatch.period.relocked", actor=actor, obj=period, after={"unit": unit.name})


def is_open_for(period: Period, unit) -> bool:
    return not period.locked or PeriodUnlock.objects.filter(period=period, unit=unit).exists()


def default_as_of(period: Period | datetime.date, today: datetime.date | None = None) -> datetime.date:
    """The date a period's figures are given for when none is asked: its last day once it has
    passed, today while it runs (a past month as it closed — the bulletin, `dispatch_status`,
    the dispatch pages and the cockpit)."""
    from django.utils import timezone

    last_day = period.last_day if isinstance(period, Period) else month_end(period)
    return min(today or timezone.localdate(), last_day)
