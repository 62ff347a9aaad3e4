"""Reminders: in-app notices to units, relayed beyond the browser by a gateway.

A gateway is a callable named by the Django setting ``LIANGXIN_NOTIFY_GATEWAY`` (dotted path;
by default `liangxin.notify.channels.relay`: 政务微信 robot and SMS, sent by the task worker),
called as ``gateway(notice)`` after the notice is claimed. Notices are first written as rows
with a unique key (so a reminder exists once), then claimed one by one with a conditional
UPDATE (``sent_at IS NULL``) before sending — so two ticks running at once, or a tick that
crashed half-way and runs again, never send the same reminder twice (healthchecks-style).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from liangxin.core import audit
from liangxin.dispatch import rollover
from liangxin.dispatch.models import Notice, Period
from liangxin.dispatch.periods import open_period
from liangxin.dispatch.status import period_status

log = logging.getLogger(__name__)
DUE_SOON_DAYS = 3

# Other apps' reminders that ride on the same tick and the same notices (e.g. overdue 流动哨兵
# reports): `hook(today, actor=, now=)` queues its notices with `queue_notices` and returns how
# many it queued. Registered from an AppConfig.ready(), so dispatch imports no other domain.
TickHook = Callable[..., int]
_tick_hooks: list[TickHook] = []


def register_tick_hook(hook: TickHook) -> None:
    if hook not in _tick_hooks:
        _tick_hooks.append(hook)


def gateway():
    path = settings.LIANGXIN_NOTIFY_GATEWAY
    return import_string(path) if path else None


def missing_units(period: Period, as_of: datetime.date) -> list:
    """Units with an expected report for the period that is not submitted by `as_of`."""
    status = period_status(period, as_of)
    return [row.unit for row in status.units if row.submitted < row.expected]


def _queue(rows: list[Notice]) -> int:
    keys = [n.key for n in rows]
    existing = set(Notice.objects.filter(key__in=keys).values_list("key", flat=True))
    new = [n for n in rows if n.key not in existing]
    Notice.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def queue_notices(rows: list[Notice]) -> int:
    """Queue notices (each once by its unique key); how many were new."""
    return _queue(rows)


def deliver_pending(*, now: datetime.datetime | None = None) -> int:
    """Send every unsent notice once. Returns how many this call sent."""
    send = gateway()
    sent = 0
    for pk in Notice.objects.filter(sent_at__isnull=True).order_by("id").values_list("pk", flat=True):
        claimed = Notice.objects.filter(pk=pk, sent_at__isnull=True).update(sent_at=now or timezone.now())
        if not claimed:
            continue
        sent += 1
        if send is None:
            continue
        notice = Notice.objects.select_related("unit").get(pk=pk)
        try:
            result = send(notice)
        except Exception as exc:  # the in-app notice stands; the relay failure is recorded
            log.warning("notify gateway failed for notice %s: %s", pk, exc)
            result = f"发送失败：{exc}"
        Notice.objects.filter(pk=pk).update(gateway_result=str(result or "")[:200])
    return sent


def _notice(period: Period, unit, kind: str, message: str, key_suffix: str = "") -> Notice:
    key = f"{kind}:{period.key}:{unit.pk}" + (f":{key_suffix}" if key_suffix else "")
    return Notice(unit=unit, period=period, kind=kind, key=key, message=message)


TICK_STEPS = 4  # the plan and the period, this month's reminders, the other lines' reminders, delivery


def tick(
    today: datetime.date,
    *,
    actor=None,
    now: datetime.datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Open this month's period, queue the reminders due today, send what is unsent.
    Idempotent: run it every few minutes. In a new year without a plan, the plan is drafted
    from last year's (`rollover`) and waits for the office's confirmation. `progress` (a
    terminal's bar) hears each of the `TICK_STEPS` steps done."""
    step = progress or (lambda done, total: None)
    step(0, TICK_STEPS)
    draft, carried = rollover.draft_plan(today.year, actor=actor)
    period, opened = open_period(today, actor=actor, source="command")
    step(1, TICK_STEPS)
    queued = 0
    if period is not None:
        rows: list[Notice] = []
        status = period_status(period, today)
        due = period.due_date
        for row in status.units:
            if row.expected == 0:
                continue
            rows.append(
                _notice(
                    period,
                    row.unit,
                    "opened",
                    f"{period}调度已开启：请于 {due:%m月%d日} 前报送 {row.expected} 项重点任务进展",
                )
            )
            left = row.expected - row.submitted
            if left and due - datetime.timedelta(days=DUE_SOON_DAYS) <= today <= due:
                rows.append(
                    _notice(
                        period,
                        row.unit,
                        "due_soon",
                        f"{period}调度将于 {due:%m月%d日} 截止，还有 {left} 项未报送",
                    )
                )
            if left and today > due:
                how = "请联系工委办公室为本单位解锁后补报" if period.locked else "请尽快补报"
                rows.append(
                    _notice(
                        period,
                        row.unit,
                        "overdue",
                        f"{period}调度已过截止日（{due:%m月%d日}），还有 {left} 项未报送，{how}",
                    )
                )
        with transaction.atomic():
            queued = _queue(rows)
            if queued:
                audit.record(
                    "dispatch.reminders.queued",
                    actor=actor,
                    obj=period,
                    after={"count": queued},
                    source="command",
                )
    step(2, TICK_STEPS)
    for hook in _tick_hooks:
        queued += hook(today, actor=actor, now=now)
    step(3, TICK_STEPS)
    sent = deliver_pending(now=now)
    step(4, TICK_STEPS)
    return {
        "period": period.key if period else None,
        "opened": opened,
        "queued": queued,
        "sent": sent,
        "draft_plan": draft.year if draft is not None and draft.is_draft else None,
        "carried": carried,
    }


def report_returned(report) -> None:
    """The unit is told its report came back, with the reviewer's comment (inside the return's
    transaction; relayed once it commits)."""
    stamp = (report.reviewed_at or timezone.now()).isoformat()
    _queue(
        [
            _notice(
                report.period,
                report.unit,
                "returned",
                f"{report.period}“{report.task.title}”的进展报告被退回：{report.review_comment}。请修改后重新报送",
                f"{report.pk}:{stamp}",
            )
        ]
    )
    transaction.on_commit(deliver_pending)


def chase(period: Period, *, actor, today: datetime.date) -> int:
    """One click: remind every unit that has not reported (once per unit per day)."""
    units = missing_units(period, today)
    rows = [
        _notice(
            period,
            unit,
            "chase",
            f"工委办公室催报：{period}调度尚有任务未报送，请尽快报送",
            today.isoformat(),
        )
        for unit in units
    ]
    with transaction.atomic():
        queued = _queue(rows)
        audit.record(
            "dispatch.reminders.chased",
            actor=actor,
            obj=period,
            after={"units": [u.name for u in units], "queued": queued},
        )
    deliver_pending()
    return queued
