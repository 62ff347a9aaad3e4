"""A small city for the cockpit: organizations in two counties, party organizations, one period."""

from __future__ import annotations

import datetime

from tests.coverage.factories import make_org, make_party_org
from tests.dispatch.factories import make_period, make_task, submit

D = datetime.date


def small_city() -> dict:
    """Two counties (吉州区 360802, 青原区 360803), some covered, one 应建未建; May 2022 with tasks."""
    covered = make_org("吉州覆盖公司", region="360802001", members=5)
    make_party_org("吉州覆盖公司支部", covered)
    make_org("吉州应建公司", region="360802001", members=4)
    make_org("吉州小店", region="360802001", members=0)
    other = make_org("青原覆盖公司", region="360803001", members=3)
    make_party_org("青原覆盖公司支部", other)
    make_org("青原应建公司", region="360803001", members=6)
    may = make_period("2022-05")
    on_track = make_task("1", units=("邮政管理局",), deadline=D(2022, 12, 31))
    late = make_task("2", deadline=D(2022, 5, 10), title="逾期的重点任务")
    submit(on_track, "交通运输局", may, when="2022-05-20")
    submit(late, "交通运输局", may, when="2022-05-05", percent=40)
    return {"period": may}


def wall_city() -> dict:
    """Every county of the city with organizations, one covered in each; May 2022 with a task
    for every member unit (25: twelve departments and thirteen county 组织部), some reporting on
    time, some late, some not at all — a 大屏 with every name on its axes."""
    from liangxin.core.models import MemberUnit, Region

    counties = list(Region.objects.filter(level="county", parent__code="360800").order_by("code"))
    for i, county in enumerate(counties):
        township = Region.objects.filter(parent=county).order_by("code").first()
        covered = make_org(f"{county.name}覆盖公司", region=township.code, members=5)
        make_party_org(f"{county.name}覆盖公司支部", covered)
        for j in range(i % 3 + 1):
            make_org(f"{county.name}应建公司{j}", region=township.code, members=3 + j)
    units = list(MemberUnit.objects.order_by("sort", "pk").values_list("name", flat=True))
    may = make_period("2022-05")
    lead, *others = units
    every = make_task("1", lead=lead, units=tuple(others), deadline=D(2022, 12, 31), title="全面摸排两新组织")
    overdue = make_task("2", lead=lead, deadline=D(2022, 5, 10), title="逾期的重点任务")
    for i, name in enumerate(units):
        if i % 4 == 0:
            submit(every, name, may, when="2022-05-20", percent=60)
        elif i % 4 == 1:
            submit(every, name, may, when="2022-05-28", percent=40)  # late
        elif i % 4 == 2:
            submit(every, name, may, when="2022-05-18", percent=5, status="lagging")
    submit(overdue, lead, may, when="2022-05-05", percent=40)
    return {"period": may, "counties": [c.name for c in counties], "units": units}
