"""Calendar arithmetic on local dates, in one place (a month's last day, the month before)."""

from __future__ import annotations

import calendar
import datetime


def month_end(day: datetime.date) -> datetime.date:
    """The last day of `day`'s month (2024-02-10 → 2024-02-29)."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def month_before(day: datetime.date) -> datetime.date:
    """The same day a month earlier, or that month's last day (May 31 → April 30)."""
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
