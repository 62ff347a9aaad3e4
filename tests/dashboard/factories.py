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


def ledger_city() -> dict:
    """The three ledgers of issue 16, built through their services: pairings in 吉州区 and 遂川县
    (one signed only in July), assessments in 吉州区 and 青原区 for 2021 and 2022, and the 2022
    brand campaign for 民政局 and 司法局 with a brand each (司法局's named, 民政局 reported)."""
    import time_machine

    from liangxin.brands import services as brand_services
    from liangxin.brands.models import Brand, Level, Stage
    from liangxin.core.models import Region
    from liangxin.integration import services as assessments
    from liangxin.pairings import services as pairings
    from tests.dispatch.factories import at, unit

    def pair(org, village, start, funds, people):
        pairing = pairings.save_pairing(
            None, actor=None, organization=org, village=Region.objects.get(code=village), starts_on=start
        )[0]
        pairings.save_project(
            pairing, actor=None, year=2022, title=f"{org.name}项目", funds=funds, people_helped=people
        )

    pair(make_org("吉州建工集团", region="360802001"), "360802001001", D(2022, 3, 1), 12.5, 80)
    pair(make_org("吉州物流公司", region="360802001"), "360802001001", D(2022, 7, 1), 5, 10)
    pair(make_org("遂川茶业公司", region="360827101"), "360827101202", D(2022, 5, 1), 30, 120)

    def assess(name, region, year, scores, on):
        org = make_org(name, region=region, members=5)
        make_party_org(f"{name}党支部", org)
        keys = ["governance", "business", "operations", "workers", "ideology"]
        assessments.save_assessment(org, actor=None, year=year, scores=dict(zip(keys, scores, strict=True)),
                                    assessor="评估组", assessed_on=on)  # fmt: skip
        return org

    jizhou = assess("吉州评估公司", "360802001", 2022, [4, 3, 5, 4, 2], D(2022, 4, 1))
    keys = ["governance", "business", "operations", "workers", "ideology"]
    assessments.save_assessment(jizhou, actor=None, year=2021, scores=dict(zip(keys, [3, 3, 3, 3, 1], strict=True)),
                                assessor="评估组", assessed_on=D(2021, 11, 1))  # fmt: skip
    assess("青原评估公司", "360803001", 2022, [2, 5, 3, 4, 4], D(2022, 5, 10))

    with time_machine.travel("2022-03-01 09:00 +0800", tick=False):
        campaign = brand_services.open_campaign(2022, actor=None, units=[unit("民政局"), unit("司法局")])
    with time_machine.travel("2022-04-10 10:00 +0800", tick=False):
        brand_services.save_brand(
            Brand(
                campaign=campaign,
                name="红色引擎",
                level=Level.ENTERPRISE,
                unit=unit("民政局"),
                stage=Stage.BUILDING,
            ),
            actor=None,
        )
        named = Brand(
            campaign=campaign, name="法润两新", level=Level.REGION, unit=unit("司法局"), stage=Stage.NAMED
        )
        named.named_on = D(2022, 4, 10)
        brand_services.save_brand(named, actor=None)
    brand_services.report_brands(campaign, unit("民政局"), actor=None, at=at("2022-05-20"))
    return {"campaign": campaign}
