"""The office's bulletin to-do: last month's bulletin, once the month is over, until published."""

from __future__ import annotations

import datetime

from django.urls import reverse

from liangxin.core.dates import month_before
from liangxin.core.roles import Role
from liangxin.core.todo import Group, Item
from liangxin.dispatch.models import Period
from liangxin.documents import publishing


def groups(user, today: datetime.date) -> list[Group]:
    if user.role != Role.OFFICE:
        return []
    last_month = month_before(today.replace(day=1))
    period = Period.objects.filter(month=last_month).first()
    if period is None or publishing.published(last_month) is not None:
        return []
    url = reverse("documents:period", kwargs={"period": period.key})
    return [
        Group(
            "documents.bulletin",
            "待发布的通报",
            1,
            [Item(f"{period}通报", url, detail="起草、生成并发布上月通报")],
            order=30,
        )
    ]
