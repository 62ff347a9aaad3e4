"""A meeting's 议定事项 with their dispatch lights: what the meeting page and
`liangxin meetings` show, from the dispatch's own lights (`dispatch.status`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from liangxin.committee.figures import Context
from liangxin.committee.models import Decision, Meeting
from liangxin.dispatch.status import LIGHT_LABELS


@dataclass
class DecisionRow:
    decision: Decision
    light: str | None

    @property
    def light_label(self) -> str:
        if self.decision.task_id is None:
            return "未纳入调度" if not self.decision.enters_dispatch else "待纳入调度"
        return LIGHT_LABELS.get(self.light, "未开始") if self.light else "未开始"

    def as_dict(self) -> dict[str, Any]:
        d = self.decision
        return {
            "title": d.title,
            "lead": d.lead.name,
            "units": [u.name for u in d.units.all()],
            "deadline": d.deadline_text or (d.deadline.isoformat() if d.deadline else "长期"),
            "task_code": d.task.code if d.task_id else None,
            "light": self.light,
        }


def default_as_of(year: int, today: datetime.date) -> datetime.date:
    """Today within the year; the year's last day for a past year."""
    return min(today, datetime.date(year, 12, 31))


def decision_rows(meeting: Meeting, ctx: Context) -> list[DecisionRow]:
    rows = []
    for d in meeting.decisions.select_related("lead", "task").prefetch_related("units").order_by("seq"):
        light = None
        status = ctx.status if d.task_id else None
        if status is not None and d.task_id in status.assignments:
            light = status.task_light(d.task_id)
        rows.append(DecisionRow(d, light))
    return rows


def meetings_json(meetings: QuerySet, as_of: datetime.date) -> dict[str, Any]:
    ctx = Context(as_of)
    return {
        "meetings": [
            {
                "name": m.name,
                "date": m.date.isoformat(),
                "decisions": [row.as_dict() for row in decision_rows(m, ctx)],
            }
            for m in meetings.order_by("date", "id")
        ]
    }
