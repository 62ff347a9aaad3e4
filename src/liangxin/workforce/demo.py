"""Demo 新就业群体: in every county a station of each kind (快递, 外卖, 网约车, 货运, 网络直播), the
快递/货运 ones belonging to registered organizations tagged so (counted through the coverage
engine), a 驿站 per county, and May 2022 of 流动哨兵 reports in every state — 待受理, 办理中, 已办结,
逾期, 移交, and one routed to a member unit. Deterministic; re-running adds nothing."""

from __future__ import annotations

import datetime
import random
import secrets
import uuid

from django.db import transaction
from django.utils import timezone

from liangxin.core.models import MemberUnit, Region, RegionLevel
from liangxin.registry.models import COUNTED_STATUSES, Organization
from liangxin.workforce.models import (
    Category,
    GroupType,
    Posthouse,
    PosthouseKind,
    ReportStatus,
    SentinelReport,
    Station,
    StationKind,
)
from liangxin.workforce.reports import add_working_days

SEED = 20220515
KINDS = [
    (GroupType.EXPRESS, StationKind.EXPRESS, ["顺丰速运", "中通快递", "京东物流"], "快递"),
    (GroupType.DELIVERY, StationKind.DELIVERY, ["美团外卖", "饿了么"], None),
    (GroupType.RIDE, StationKind.RIDE, ["滴滴出行", "T3出行"], None),
    (GroupType.FREIGHT, StationKind.OTHER, ["货拉拉", "满帮"], "货运"),
    (GroupType.LIVE, StationKind.LIVE, ["庐陵直播基地", "井冈山电商直播"], None),
]
PLACES = [
    "人民路与井冈山大道路口",
    "城南农贸市场东门",
    "滨江公园北侧",
    "高铁站出租车候车区",
    "工业园三号路",
    "老街巷口",
]
SEEN = {
    Category.SAFETY: "路边井盖缺失，夜间骑车容易掉进去",
    Category.CITY: "垃圾桶满溢，两天无人清运",
    Category.TRAFFIC: "红绿灯不亮，路口车辆拥堵",
    Category.DISPUTE: "商户与顾客因配送费争执，围观人多",
    Category.NEEDY: "独居老人多日未出门，敲门无人应答",
    Category.OTHER: "小区门禁损坏，外来车辆随意进出",
}


def _aware(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@transaction.atomic
def load(city: Region, out) -> None:
    if Station.objects.exists():
        out.write("新就业群体演示数据：已存在，未重复生成")
        return
    rng = random.Random(SEED)
    counties = list(Region.objects.filter(parent=city, level=RegionLevel.COUNTY).order_by("code"))
    stations: list[Station] = []
    for county in counties:
        townships = list(Region.objects.filter(parent=county, level=RegionLevel.TOWNSHIP).order_by("code"))
        if not townships:
            continue
        for group, kind, platforms, tag in KINDS:
            township = townships[0] if group == GroupType.EXPRESS else rng.choice(townships[:4])
            org = None
            if tag:
                org = (
                    Organization.objects.filter(
                        county_code=county.code, tags__name=tag, status__in=COUNTED_STATUSES
                    )
                    .order_by("pk")
                    .first()
                )
            headcount = rng.randint(8, 80)
            members = rng.randint(0, max(1, headcount // 10))
            station = Station(
                platform=rng.choice(platforms),
                name=f"{township.name}{kind.label if kind != StationKind.OTHER else '货运服务点'}",
                group_type=group,
                kind=kind,
                region=township,
                address=f"{township.name}{rng.choice(PLACES)}",
                headcount=headcount,
                members_full=members,
                members_probationary=rng.randint(0, 1),
                pioneer_posts=rng.randint(0, 2),
                organization=org,
                established_on=datetime.date(2021, rng.randint(1, 12), 1),
                link_token=secrets.token_urlsafe(24),
                link_created_at=timezone.now(),
            )
            station.copy_ancestor_codes(township)
            stations.append(station)
        posthouse = Posthouse(
            name=f"{townships[0].name}暖心驿站",
            kind=PosthouseKind.WARM if len(stations) % 2 else PosthouseKind.RED,
            host=f"{townships[0].name}党工委",
            services="饮水、充电、休息、应急药箱、党员活动",
            region=townships[0],
            address=f"{townships[0].name}便民服务中心",
            opened_on=datetime.date(2021, 7, 1),
        )
        posthouse.copy_ancestor_codes(townships[0])
        posthouse.save()
        Station.objects.bulk_create(stations[-len(KINDS) :])
        posthouse.stations.set([s for s in stations[-len(KINDS) :] if s.region_id == townships[0].pk])
    reports = _reports(rng, stations)
    out.write(
        f"新就业群体演示数据：{len(stations)} 个站点，{Posthouse.objects.count()} 个驿站，{reports} 份流动哨兵报告"
    )


def _reports(rng: random.Random, stations: list[Station]) -> int:
    """May 2022: about three reports a working day, in every state as of the end of May."""
    traffic = MemberUnit.objects.filter(name="交通运输局").first()
    rows = []
    categories = list(Category)
    day = datetime.date(2022, 5, 3)
    n = 0
    while day <= datetime.date(2022, 5, 31):
        for _ in range(rng.randint(1, 4) if day.weekday() < 5 else rng.randint(0, 1)):
            n += 1
            station = rng.choice(stations)
            region = station.region
            category = rng.choice(categories)
            submitted = _aware(day, rng.randint(7, 21))
            due = add_working_days(day, 3)
            report = SentinelReport(
                receipt=f"SB{day:%y%m%d}D{n:05d}",
                nonce=uuid.UUID(int=SEED * 1000 + n).hex,
                station=station,
                group_type=station.group_type,
                category=category,
                region=region,
                place=f"{region.name}{rng.choice(PLACES)}",
                description=SEEN[category],
                reporter_name=rng.choice(["", "王师傅", "李骑手", "张小哥"]),
                reporter_phone=rng.choice(["", f"139{rng.randint(10000000, 99999999)}"]),
                client_key=f"demo-{n % 17}",
                unit=traffic if category == Category.TRAFFIC and n % 2 else None,
                submitted_at=submitted,
                due_on=due,
            )
            fate = n % 6  # 0-2 closed in time, 3 closed late, 4 accepted, 5 waiting
            if fate <= 3 and day <= datetime.date(2022, 5, 27):
                closed_on = add_working_days(day, rng.randint(0, 2) if fate < 3 else 5)
                report.status = ReportStatus.CLOSED
                report.accepted_at = submitted + datetime.timedelta(hours=2)
                report.closed_at = _aware(closed_on, 17)
                report.outcome = "已联系相关部门现场处置，情况已解决，已回访报告人"
            elif fate in (3, 4):
                report.status = ReportStatus.ACCEPTED
                report.accepted_at = submitted + datetime.timedelta(hours=3)
            report.copy_ancestor_codes(region)
            rows.append(report)
        day += datetime.timedelta(days=1)
    SentinelReport.objects.bulk_create(rows)
    return len(rows)
