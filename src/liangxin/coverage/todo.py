"""Coverage on the to-do page: the headline figures of the user's jurisdiction (from the
coverage engine, cached with the figures), and an instructor's organizations."""

from __future__ import annotations

import datetime

from django.urls import reverse

from liangxin.core.rates import format_percent
from liangxin.core.roles import Role
from liangxin.core.todo import ITEMS_SHOWN, Group, Headline, Item
from liangxin.coverage import engine, figcache
from liangxin.registry.models import Organization

FIGURE_ROLES = (Role.OFFICE, Role.MEMBER_UNIT, Role.COUNTY, Role.TOWNSHIP, Role.PARK, Role.INSTRUCTOR)


def headlines(user, today: datetime.date) -> list[Headline]:
    if user.role not in FIGURE_ROLES:
        return []
    visible = Organization.objects.restrict(user)
    total = figcache.cached(
        figcache.key("home:coverage", visible, today), lambda: engine.coverage(visible, as_of=today).total
    )
    table = reverse("coverage:table")

    def rate(value) -> str:
        return format_percent(value) if total.total else "—"

    return [
        Headline("两新组织", f"{total.total:,}", reverse("registry:organizations"), note="辖区内，截至今天"),
        Headline("组织覆盖率", rate(total.org_rate), table, note=f"已覆盖 {total.covered:,} 个"),
        Headline("工作覆盖率", rate(total.work_rate), table, note=f"含党的工作覆盖 {total.work:,} 个"),
        Headline("未覆盖", f"{total.none:,}", reverse("coverage:blindspots"), note="查看盲点清单"),
    ]


def groups(user, today: datetime.date) -> list[Group]:
    if user.role != Role.INSTRUCTOR:
        return []
    guided = Organization.objects.restrict(user).order_by("name")
    return [
        Group(
            "coverage.guided",
            "所指导的组织",
            guided.count(),
            [
                Item(o.name, reverse("registry:organization_detail", args=[o.pk]), detail=o.credit_code)
                for o in guided[:ITEMS_SHOWN]
            ],
            more_url=reverse("registry:organizations"),
            order=20,
        )
    ]
