"""Committees, activities and meetings for committee tests."""

from __future__ import annotations

import datetime

from liangxin.committee import services
from liangxin.committee.models import Activity, ActivityKind
from liangxin.core.models import Industry, MemberUnit

D = datetime.date
JAN_2020 = datetime.date(2020, 1, 1)


def make_committee(
    name: str,
    *,
    owner: str = "交通运输局",
    industries: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
    founded_on: datetime.date = JAN_2020,
    areas=(),
):
    return services.save_committee(
        services.CommitteeData(
            name=name,
            owner_unit=MemberUnit.objects.get(name=owner),
            industries=list(Industry.objects.filter(code__in=industries)),
            tags=list(tags),
            areas=list(areas),
            founded_on=founded_on,
        ),
        actor=None,
        today=founded_on,
    )


def make_activity(
    committee, day: datetime.date, *, kind=ActivityKind.STUDY, people=20, orgs=(), whole_field=False
):
    activity = Activity(
        date=day,
        kind=kind,
        title=f"{committee.name}{day:%m%d}活动",
        organizer=committee.owner_unit,
        committee=committee,
        people=people,
        whole_field=whole_field,
    )
    return services.save_activity(activity, list(orgs), actor=None)
