"""The dispatch's part of the to-do page: a unit's reports due and returned, its unread notices;
the office's reports waiting for review and the units not yet reported as the due day nears."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from liangxin.core.roles import Role
from liangxin.core.todo import ITEMS_SHOWN, Group, Item
from liangxin.dispatch import notices
from liangxin.dispatch.models import Notice, Period, Plan, Report, ReportState
from liangxin.dispatch.periods import month_start
from liangxin.dispatch.reports import due_items
from liangxin.dispatch.status import period_status
from liangxin.dispatch.units import acting_unit

NEAR_DUE_DAYS = 3  # the office is shown who has not reported from this many days before the due day
OPEN_STATES = (None, ReportState.DRAFT)


def current_period(today: datetime.date) -> Period | None:
    """This month's period, else the latest one already begun."""
    return (
        Period.objects.select_related("plan").filter(month__lte=month_start(today)).order_by("-month").first()
    )


def _edit_url(period: Period, task) -> str:
    return reverse("dispatch:report_edit", args=[period.key, task.pk])


def _unit_groups(user, unit, today: datetime.date) -> list[Group]:
    groups = []
    returned = list(
        Report.objects.restrict(user)
        .filter(unit=unit, state=ReportState.RETURNED)
        .select_related("task", "period")
        .order_by("period__month", "task__sort_key")
    )
    groups.append(
        Group(
            "dispatch.returned",
            "被退回、需修改后重新报送的报告",
            len(returned),
            [
                Item(
                    f"{r.period} {r.task.code} {r.task.title}",
                    _edit_url(r.period, r.task),
                    detail=f"退回意见：{r.review_comment}" if r.review_comment else "",
                )
                for r in returned[:ITEMS_SHOWN]
            ],
            more_url=reverse("dispatch:mine"),
            order=5,
        )
    )
    period = current_period(today)
    if period is not None:
        items, _ = due_items(unit, period, today)
        due = [i for i in items if (i["report"].state if i["report"] else None) in OPEN_STATES]
        overdue = today > period.due_date
        groups.append(
            Group(
                "dispatch.due",
                f"{period}待报送的进展报告（{period.due_date:%m月%d日}截止）",
                len(due),
                [
                    Item(
                        f"{i['task'].code} {i['task'].title}",
                        _edit_url(period, i["task"]),
                        detail="草稿未报送" if i["report"] else "尚未填写",
                        due=period.due_date,
                        overdue=overdue,
                    )
                    for i in due[:ITEMS_SHOWN]
                ],
                more_url=reverse("dispatch:mine") + f"?period={period.key}",
                order=10,
            )
        )
    # A returned report's notice is the 退回 item above, with its comment: not listed twice.
    unread = notices.unread_first(
        Notice.objects.restrict(user).filter(unit=unit, read_at__isnull=True).exclude(kind="returned")
    )
    groups.append(
        Group(
            "dispatch.notices",
            "未读提醒",
            unread.count(),
            [Item(n.message, reverse("dispatch:notices"), detail=n.kind_label) for n in unread[:ITEMS_SHOWN]],
            more_url=reverse("dispatch:notices"),
            order=40,
        )
    )
    return groups


def _draft_plan(today: datetime.date) -> list[Group]:
    draft = Plan.objects.filter(year=today.year, is_draft=True).first()
    if draft is None:
        return []
    url = reverse("dispatch:tasks") + f"?year={draft.year}"
    return [
        Group(
            "dispatch.draft_plan",
            f"{draft.year}年重点任务清单草稿待确认（确认后才打开调度期）",
            1,
            [Item(f"核对并确认{draft.year}年重点任务清单", url, detail=f"结转任务 {draft.tasks.count()} 项")],
            order=1,
        )
    ]


def _office_groups(user, today: datetime.date) -> list[Group]:
    waiting = (
        Report.objects.restrict(user)
        .filter(state=ReportState.SUBMITTED)
        .select_related("task", "unit", "period")
        .order_by("submitted_at", "pk")
    )
    groups = [
        *_draft_plan(today),
        Group(
            "dispatch.review",
            "待审核的进展报告",
            waiting.count(),
            [
                Item(
                    f"{r.unit.name}：{r.task.code} {r.task.title}",
                    reverse("dispatch:report_detail", args=[r.pk]),
                    detail=f"{r.period}，报送于 {timezone.localtime(r.submitted_at):%Y-%m-%d %H:%M}"
                    if r.submitted_at
                    else str(r.period),
                )
                for r in waiting[:ITEMS_SHOWN]
            ],
            more_url=reverse("dispatch:review"),
            order=10,
        ),
    ]
    period = current_period(today)
    if period is not None and today >= period.due_date - datetime.timedelta(days=NEAR_DUE_DAYS):
        status = period_status(period, today)
        behind = [row for row in status.units if row.missing > 0]
        overdue = today > period.due_date
        chase = reverse("dispatch:chase") + f"?period={period.key}"
        groups.append(
            Group(
                "dispatch.not_reported",
                f"{period}尚未报送完毕的单位（{period.due_date:%m月%d日}截止）",
                len(behind),
                [
                    Item(
                        row.unit.name,
                        chase,
                        detail=f"还有 {row.missing} 项未报送",
                        due=period.due_date,
                        overdue=overdue,
                    )
                    for row in behind[:ITEMS_SHOWN]
                ],
                more_url=chase,
                order=20,
            )
        )
    return groups


def groups(user, today: datetime.date) -> list[Group]:
    if user.role == Role.OFFICE:
        return _office_groups(user, today)
    unit = acting_unit(user)
    return _unit_groups(user, unit, today) if unit is not None else []
