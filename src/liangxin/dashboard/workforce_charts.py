"""The cockpit's 流动哨兵 panel: the month of the page's date, counted by `workforce.stats` (the
same function as `sentinel_stats`, the stats page and the bulletin's line), as of that date."""

from __future__ import annotations

import datetime

from django.utils import timezone

from liangxin.workforce.stats import Month, bulletin_line, sentinel_stats


def sentinel_month(user, *, as_of: datetime.date) -> dict:
    end = timezone.make_aware(
        datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time.min)
    )
    data = sentinel_stats(user, Month.of(as_of), now=min(timezone.now(), end))
    median = data["median_hours_to_close"]
    rows = [
        ["报告", data["reports"]],
        ["办结", data["closed"]],
        ["逾期未办结", data["overdue"]],
        ["办结用时中位数(小时)", median if median is not None else ""],
        *[[f"其中：{label}", n] for label, n in data["by_category"].items() if n],
    ]
    return {
        "title": "流动哨兵报告",
        "headers": ["项目", "件数"],
        "rows": rows if data["reports"] else [],
        "display": [[k, "—" if v == "" else v] for k, v in rows],
        "note": f"{Month.of(as_of)}：{bulletin_line(data)}" if data["reports"] else "",
        "reports": data["reports"],
        "closed": data["closed"],
    }
