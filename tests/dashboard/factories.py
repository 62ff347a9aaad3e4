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
