"""The documents tests' shared data: a small May 2022 with coverage and dispatch figures."""

import datetime

import pytest

from liangxin.core.models import Region
from tests.coverage.factories import make_instructor, make_org, make_party_org
from tests.dispatch.factories import make_period, make_task, submit


@pytest.fixture
def may(city):
    qingyuan = Region.objects.filter(parent__code="360803").order_by("code").first().code
    covered = [make_org(f"吉州企业{i}", members=4) for i in range(5)]
    make_party_org("吉州企业联合党支部", *covered[:3])
    make_instructor("张指导", covered[3])
    make_org("青原企业甲", region=qingyuan, members=3)
    make_party_org("青原企业乙党支部", make_org("青原企业乙", region=qingyuan))
    april = make_period("2022-04")
    period = make_period("2022-05")
    first = make_task("1", units=("邮政管理局",), title="快递小哥“暖心驿站”建设", deadline=None)
    second = make_task(
        "2", lead="民政局", units=("网信办",), title="=1+1 社会组织党建", deadline=datetime.date(2022, 5, 20)
    )
    submit(first, "交通运输局", april, when="2022-04-20", percent=30)
    submit(first, "交通运输局", period, when="2022-05-20", percent=60)
    submit(first, "邮政管理局", period, when="2022-05-27", status="lagging", percent=10)
    submit(second, "民政局", period, when="2022-05-10", percent=40)
    return period
