"""The registry's part of the dispatch board (`core.plugins.app_modules("board")`): the month's
三同步 follow-ups per gatekeeping unit, the same figures as the bulletin's line
(`followups.month_figures`), within what the viewer may see."""

from __future__ import annotations

import datetime

from django.template.loader import render_to_string

from liangxin.core.permissions import visible
from liangxin.registry.followups import month_figures
from liangxin.registry.models import FollowUp

KEYS = ("opened", "due", "closed", "closed_in_time", "overdue")


def board_panel(request, *, month: datetime.date, as_of: datetime.date) -> str:
    rows = month_figures(visible(FollowUp, request), month=month, as_of=as_of)
    total = {key: sum(row[key] for row in rows) for key in KEYS}
    return render_to_string(
        "registry/board_followups.html",
        {"rows": rows, "total": total, "month": month, "as_of": as_of},
        request=request,
    )
