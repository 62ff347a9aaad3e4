"""Demo pairings: 重点帮扶村 in every county, the largest organizations paired with villages of
their county, and projects in 2022 — deterministic, written directly (no audit rows)."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from liangxin.core.models import Region, RegionLevel
from liangxin.pairings.models import Pairing, PairingProject, ProjectKind, ProjectStatus
from liangxin.registry.models import COUNTED_STATUSES, Organization

SEED = 16
PROJECTS = [
    ("产业", ProjectKind.INDUSTRY, "蔬菜大棚产业合作项目"),
    ("就业", ProjectKind.JOBS, "村民就近就业岗位"),
    ("消费", ProjectKind.CONSUMPTION, "农产品消费帮扶"),
    ("公益", ProjectKind.CHARITY, "村级道路亮化"),
    ("教育", ProjectKind.EDUCATION, "留守儿童助学金"),
]


def load(city: Region, out) -> None:
    if Pairing.objects.exists():
        out.write("结对共建演示数据：已存在，未重复生成")
        return
    rng = random.Random(SEED)
    villages = list(Region.objects.filter(city_code=city.code, level=RegionLevel.VILLAGE).order_by("code"))
    if not villages:
        out.write("结对共建演示数据：没有村（社区），跳过（请先运行 liangxin setup）")
        return
    by_county: dict[str, list[Region]] = {}
    for village in villages:
        by_county.setdefault(village.county_code, []).append(village)
    key = []
    for county_villages in by_county.values():
        key += rng.sample(county_villages, min(4, len(county_villages)))
    Region.objects.filter(pk__in=[v.pk for v in key]).update(key_village=True)
    orgs = list(
        Organization.objects.filter(city_code=city.code, status__in=COUNTED_STATUSES)
        .exclude(county_code="")
        .order_by("-employees", "pk")[:40]
    )
    pairings, projects = [], []
    key_by_county = {}
    for v in key:
        key_by_county.setdefault(v.county_code, []).append(v)
    for i, org in enumerate(orgs):
        pool = key_by_county.get(org.county_code, []) if i % 3 else by_county.get(org.county_code, [])
        pool = [v for v in pool if not any(p.village_id == v.pk for p in pairings)] or by_county.get(
            org.county_code
        )
        if not pool:
            continue
        village = rng.choice(pool)
        start = datetime.date(2021 + i % 2, 1 + i % 12, 1)
        pairings.append(
            Pairing(organization=org, village=village, starts_on=start, note="党建引领、村企结对")
        )
    Pairing.objects.bulk_create(pairings)
    for pairing in Pairing.objects.select_related("village").order_by("pk"):
        for year in range(pairing.starts_on.year, 2023):
            _, kind, title = rng.choice(PROJECTS)
            projects.append(
                PairingProject(
                    pairing=pairing,
                    year=year,
                    title=f"{pairing.village.name.removesuffix('村委会')}{title}",
                    kind=kind,
                    funds=Decimal(rng.randint(2, 60)),
                    people_helped=rng.randint(10, 300),
                    status=ProjectStatus.DONE if year < 2022 else rng.choice(list(ProjectStatus)),
                )
            )
    PairingProject.objects.bulk_create(projects, ignore_conflicts=True)
    out.write(f"结对共建演示数据：重点帮扶村 {len(key)} 个，结对 {len(pairings)} 对，项目 {len(projects)} 个")
