"""Coverage on the to-do page: the headline figures of the user's jurisdiction (from the
coverage engine, cached with the figures), a county's or township's blind spots that changed
since the end of last month, and an instructor's organizations."""

from __future__ import annotations

import datetime

from django.urls import reverse

from liangxin.core.rates import format_percent
from liangxin.core.roles import Role
from liangxin.core.todo import ITEMS_SHOWN, Group, Headline, Item
from liangxin.coverage import blindspots, engine, figcache
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


def _visits_due(user, today: datetime.date) -> list[Group]:
    """The organizations the instructor is assigned to and has not visited within the visit
    period (有效工作覆盖 needs a recent visit): each links to the visit form, preselected."""
    from liangxin.coverage import effective, visits
    from liangxin.coverage.models import Instructor, Visit

    instructor = Instructor.objects.filter(user=user).first()
    if instructor is None:
        return []
    recent = Visit.objects.filter(effective.recent_visit_q(today), instructor=instructor)
    due = visits.assigned_on(instructor, today).exclude(pk__in=recent.values("organization_id"))
    due = due.filter(pk__in=Organization.objects.restrict(user).values("pk"))
    form = reverse("coverage:visit_create")
    return [
        Group(
            "coverage.visits_due",
            f"待走访的组织（{effective.visit_period_days()}天内未走访）",
            due.count(),
            [Item(o.name, f"{form}?organization={o.pk}", detail="记录走访") for o in due[:ITEMS_SHOWN]],
            more_url=reverse("coverage:visits"),
            order=15,
        )
    ]


BLINDSPOT_ROLES = (Role.COUNTY, Role.TOWNSHIP)


def _blindspots_changed(user, today: datetime.date) -> list[Group]:
    """The organizations of the jurisdiction that became a blind spot since the end of last
    month (work: build a party organization or assign an instructor), and those that stopped
    being one (news: not counted in the badge); each links to the organization, the group to
    the blind-spot list filtered the same way. Cached with the figures."""
    visible = Organization.objects.restrict(user)
    since = blindspots.changes_since(today)

    def compute():
        found = {}
        for change in blindspots.CHANGES:
            rows = blindspots.changed(change, visible, since=since, as_of=today)
            found[change] = (rows.count(), [(o.pk, o.name, o.coverage) for o in rows[:ITEMS_SHOWN]])
        return found

    found = figcache.cached(figcache.key("home:blindspots", visible, since, today), compute)
    listed = reverse("coverage:blindspot_list", args=["uncovered"])
    day = f"{since.month}月{since.day}日"
    titles = {
        "became": f"新增盲区：{day}以来变为未覆盖的组织",
        "stopped": f"消除的盲区：{day}以来不再未覆盖的组织",
    }
    return [
        Group(
            f"coverage.blindspots_{change}",
            titles[change],
            count,
            [
                Item(
                    name,
                    reverse("registry:organization_detail", args=[pk]),
                    detail="未覆盖，无党组织、无党建指导员"
                    if change == "became"
                    else f"现为：{blindspots.CHANGED_STATUS_LABELS[status]}",
                )
                for pk, name, status in items
            ],
            more_url=f"{listed}?as_of={today.isoformat()}&changed={change}&since={since.isoformat()}",
            order=18 if change == "became" else 60,
            in_badge=change == "became",
        )
        for change, (count, items) in found.items()
    ]


def groups(user, today: datetime.date) -> list[Group]:
    if user.role in BLINDSPOT_ROLES:
        return _blindspots_changed(user, today)
    if user.role != Role.INSTRUCTOR:
        return []
    guided = Organization.objects.restrict(user).order_by("name")
    return [
        *_visits_due(user, today),
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
        ),
    ]
