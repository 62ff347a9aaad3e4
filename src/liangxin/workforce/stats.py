"""流动哨兵 counts for a month — the one place the page, `sentinel_stats`, the cockpit panel and the
bulletin's line read. A month's reports are those submitted in it (local time); each is counted
as it stood at the end of the month, or now while the month runs: 办结 when closed by then,
逾期 when still open after its due day. Median hours from submission to closing."""

from __future__ import annotations

import calendar
import datetime
import re
import statistics
from dataclasses import dataclass

from django.utils import timezone

from liangxin.workforce.models import Category, GroupType, SentinelReport

OUTCOMES = {"new": "待受理", "accepted": "办理中", "closed": "已办结"}


class PeriodError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        m = re.fullmatch(r"\s*(\d{4})[-/年.]?(\d{1,2})月?\s*", text or "")
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise PeriodError(f"无法识别的月份“{text}”，请写成 YYYY-MM，如 2026-05")
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, day: datetime.date) -> Month:
        return cls(day.year, day.month)

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)

    @property
    def last(self) -> datetime.date:
        return datetime.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def __str__(self) -> str:
        return f"{self.year}年{self.month}月"


def _start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def sentinel_stats(
    user, month: Month, *, everything: bool = False, now: datetime.datetime | None = None
) -> dict:
    now = now or timezone.now()
    end = min(now, _start(month.last + datetime.timedelta(days=1)))
    as_of = timezone.localdate(end - datetime.timedelta(microseconds=1))
    rows = SentinelReport.objects.all() if everything else SentinelReport.objects.restrict(user)
    rows = rows.filter(submitted_at__gte=_start(month.first), submitted_at__lt=end)
    by_category = {label: 0 for _, label in Category.choices}
    by_group = {label: 0 for _, label in GroupType.choices}
    by_outcome = {label: 0 for label in OUTCOMES.values()}
    townships: dict[str, dict] = {}
    hours = []
    closed = overdue = total = 0
    for r in rows.select_related("region").order_by("region__code", "id").iterator():
        total += 1
        is_closed = r.closed_at is not None and r.closed_at < end
        if is_closed:
            closed += 1
            hours.append((r.closed_at - r.submitted_at).total_seconds() / 3600)
            outcome = "closed"
        else:
            overdue += as_of > r.due_on
            outcome = "accepted" if r.accepted_at is not None and r.accepted_at < end else "new"
        by_outcome[OUTCOMES[outcome]] += 1
        by_category[Category(r.category).label] += 1
        by_group[GroupType(r.group_type).label] += 1
        t = townships.setdefault(
            r.region.code, {"code": r.region.code, "name": r.region.name, "reports": 0, "closed": 0}
        )
        t["reports"] += 1
        t["closed"] += is_closed
    return {
        "period": month.key,
        "as_of": as_of.isoformat(),
        "reports": total,
        "closed": closed,
        "overdue": overdue,
        "median_hours_to_close": round(statistics.median(hours), 1) if hours else None,
        "by_category": by_category,
        "by_group": by_group,
        "by_outcome": by_outcome,
        "by_township": list(townships.values()),
    }


def bulletin_line(stats: dict) -> str:
    """The bulletin's sentence."""
    return f"本月流动哨兵报告{stats['reports']}件，办结{stats['closed']}件"
