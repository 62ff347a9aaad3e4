"""三同步 follow-ups due within a week or overdue, in the user's jurisdiction."""

from __future__ import annotations

import datetime

from django.urls import reverse

from liangxin.core.roles import Role
from liangxin.core.todo import ITEMS_SHOWN, Group, Item
from liangxin.registry.models import FollowUp

ROLES = (Role.OFFICE, Role.COUNTY, Role.TOWNSHIP, Role.PARK, Role.MEMBER_UNIT)
SOON_DAYS = 7


def groups(user, today: datetime.date) -> list[Group]:
    if user.role not in ROLES:
        return []
    due = (
        FollowUp.objects.restrict(user)
        .filter(status=FollowUp.Status.OPEN, due_on__lte=today + datetime.timedelta(days=SOON_DAYS))
        .select_related("organization")
        .order_by("due_on", "pk")
    )
    overdue = due.filter(due_on__lt=today).count()
    count = due.count()
    title = "三同步跟进：逾期和7天内到期" + (f"（逾期 {overdue} 件）" if overdue else "")
    return [
        Group(
            "registry.followups",
            title,
            count,
            [
                Item(
                    f"{f.organization.name}",
                    reverse("registry:followups") + f"?status=open&q={f.organization.credit_code}",
                    detail=f.get_kind_display(),
                    due=f.due_on,
                    overdue=f.due_on < today,
                )
                for f in due[:ITEMS_SHOWN]
            ],
            more_url=reverse("registry:followups") + ("?status=overdue" if overdue else "?status=open"),
            order=15,
        )
    ]
