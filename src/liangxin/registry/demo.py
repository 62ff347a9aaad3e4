"""About 20,000 deterministic demo organizations across the city's townships, with plausible
names, industries, sizes and party members. Seed data, written in bulk; re-running adds nothing."""

from __future__ import annotations

import datetime
import random

from django.db import transaction

from liangxin.core.models import Area, Industry, MemberUnit, Region, RegionLevel
from liangxin.core.tabular import compute_check_char
from liangxin.registry.models import FollowUp, Organization, OrganizationTag, OrgKind, RegStatus, Tag

DEMO_COUNT = 20_000
SEED = 20220501

WORDS = [
    "庐陵",
    "井冈",
    "赣江",
    "白鹭",
    "青原",
    "文山",
    "螺湖",
    "禾埠",
    "天玉",
    "神岗",
    "真君",
    "后河",
    "鹭洲",
    "恒信",
    "鸿运",
    "金源",
    "华瑞",
    "瑞丰",
    "宏达",
    "兴旺",
    "永盛",
    "安泰",
    "新星",
    "博远",
    "众诚",
    "润泽",
    "正邦",
    "远航",
    "绿源",
    "鑫辉",
    "同创",
    "佳和",
    "凯瑞",
    "晨光",
    "明德",
    "嘉禾",
    "聚力",
    "福瑞",
    "立信",
]
# (section, divisions, enterprise suffixes, weight)
INDUSTRIES = [
    (
        "C",
        ["13", "17", "18", "26", "30", "33", "34", "38", "39"],
        ["电子科技有限公司", "机械制造有限公司", "新材料有限公司", "食品有限公司", "纺织服饰有限公司"],
        26,
    ),
    ("F", ["51", "52"], ["商贸有限公司", "贸易有限公司", "超市有限公司", "百货有限公司"], 22),
    ("E", ["47", "48", "50"], ["建设工程有限公司", "建筑劳务有限公司", "装饰工程有限公司"], 10),
    ("G", ["54", "58", "59", "60"], ["物流有限公司", "运输有限公司", "快递服务有限公司", "仓储有限公司"], 8),
    ("H", ["61", "62"], ["餐饮管理有限公司", "酒店管理有限公司"], 7),
    ("I", ["64", "65"], ["网络科技有限公司", "信息技术有限公司", "软件有限公司"], 6),
    ("K", ["70"], ["房地产开发有限公司", "物业服务有限公司"], 5),
    ("L", ["72"], ["企业管理咨询有限公司", "广告传媒有限公司"], 5),
    ("M", ["73", "75"], ["科技研发有限公司", "技术服务有限公司"], 4),
    ("A", ["01", "03"], ["农业发展有限公司", "生态农业有限公司"], 4),
    ("O", ["80"], ["家政服务有限公司"], 3),
]
SOCIAL_KINDS = [
    ("51", "商会", "S", "95"),
    ("51", "行业协会", "S", "95"),
    ("52", "民办幼儿园", "P", "83"),
    ("52", "社会工作服务中心", "Q", "85"),
    ("52", "培训学校", "P", "83"),
    ("53", "慈善基金会", "S", "95"),
    ("31", "律师事务所", "L", "72"),
]
TAGS_BY_SECTION = {
    "G": ["快递", "货运"],
    "I": ["网络直播平台"],
    "C": ["专精特新“小巨人”", "产业链头部企业", "科技领航企业"],
}


def _code(prefix: str, division: str, serial: int) -> str:
    body = f"{prefix}{division}MA{serial:07d}"[:17]
    return body + compute_check_char(body)


def _party_members(rng: random.Random, employees: int) -> int:
    roll = rng.random()
    if employees >= 200:
        return rng.randint(3, 60) if roll < 0.9 else rng.randint(0, 2)
    if employees >= 30:
        return rng.randint(3, 12) if roll < 0.45 else rng.randint(0, 2)
    return 0 if roll < 0.6 else rng.randint(1, 2) if roll < 0.9 else rng.randint(3, 5)


def build(city: Region, count: int = DEMO_COUNT) -> tuple[list[Organization], dict[int, list[str]]]:
    rng = random.Random(SEED)
    townships = list(Region.objects.filter(city_code=city.code, level=RegionLevel.TOWNSHIP).order_by("code"))
    counties = list(Region.objects.filter(city_code=city.code, level=RegionLevel.COUNTY))
    areas = list(Area.objects.filter(city_code=city.code).order_by("pk"))
    units = {u.name: u for u in MemberUnit.objects.all()}
    unit_by_section = {
        "G": units.get("交通运输局"),
        "C": units.get("工信局"),
        "F": units.get("商务局"),
        "H": units.get("商务局"),
        "I": units.get("网信办"),
        "M": units.get("科技局"),
    }
    industries = set(Industry.objects.values_list("code", flat=True))
    weights = [w for *_, w in INDUSTRIES]
    orgs: list[Organization] = []
    tags: dict[int, list[str]] = {}
    for serial in range(1, count + 1):
        township = (
            townships[min(int(rng.paretovariate(1.2)) - 1, len(townships) - 1)]
            if rng.random() < 0.35
            else rng.choice(townships)
        )
        social = rng.random() < 0.14
        if social:
            prefix, suffix, section, division = rng.choice(SOCIAL_KINDS)
            employees = max(1, int(rng.lognormvariate(2.2, 0.9)))
            county = next(r for r in counties if r.code == township.county_code)
            place = township.name.removesuffix("街道").removesuffix("镇").removesuffix("乡")[:2]
            name = f"{county.name}{place}{rng.choice(WORDS)}{suffix}"
            kind, unit = OrgKind.SOCIAL, units.get("司法局" if prefix == "31" else "民政局")
        else:
            section, divisions, suffixes, _ = rng.choices(INDUSTRIES, weights)[0]
            division, prefix = rng.choice(divisions), "91"
            employees = max(1, int(rng.lognormvariate(2.6, 1.3)))
            place = township.name.removesuffix("街道").removesuffix("镇").removesuffix("乡")[:2]
            name = f"吉安市{place}{rng.choice(WORDS)}{rng.choice(suffixes)}"
            kind, unit = OrgKind.ENTERPRISE, unit_by_section.get(section)
        roll = rng.random()
        status = (
            RegStatus.ACTIVE
            if roll < 0.78
            else RegStatus.OPERATING
            if roll < 0.9
            else RegStatus.CANCELLED
            if roll < 0.95
            else RegStatus.REVOKED
            if roll < 0.98
            else RegStatus.MOVED_OUT
        )
        founded = datetime.date(1995, 1, 1) + datetime.timedelta(days=int(rng.betavariate(3, 1.4) * 10_200))
        org = Organization(
            credit_code=_code(prefix, township.county_code, serial),
            name=name,
            kind=kind,
            region=township,
            area=rng.choice(areas) if areas and rng.random() < 0.06 else None,
            industry_id=division if division in industries else None,
            industry_section=section,
            industry_detail=division,
            founded_on=founded,
            status=status,
            employees=employees,
            party_members=_party_members(rng, employees),
            probationary_members=1 if rng.random() < 0.05 else 0,
            above_scale=not social and employees >= 100 and rng.random() < 0.7,
            supervising_unit=unit,
            contact=rng.choice("王李张刘陈杨黄赵周吴") + rng.choice(["先生", "女士", "主任", "经理"]),
            phone=f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}",
        )
        if org.area is not None and org.area.county_code != township.county_code:
            org.area = None
        org.copy_ancestor_codes(township)
        chosen = [t for t in TAGS_BY_SECTION.get(section, []) if rng.random() < 0.04]
        if (social and "商会" in suffix) or "行业协会" in name:
            chosen.append("行业协会商会")
        if prefix == "31":
            chosen.append("律师事务所")
        if chosen:
            tags[serial] = chosen
        orgs.append(org)
    # Unique names: the registry allows duplicates, but demo lists read better without them.
    seen: dict[str, int] = {}
    for org in orgs:
        n = seen[org.name] = seen.get(org.name, 0) + 1
        if n > 1:
            org.name = f"{org.name[:3]}{WORDS[(n * 7) % len(WORDS)]}{org.name[3:]}"
    return orgs, tags


@transaction.atomic
def load(city: Region, out) -> None:
    if Organization.objects.filter(credit_code__contains="MA").exists():
        out.write(f"两新组织演示数据已存在（{Organization.objects.count()} 个），跳过")
        return
    orgs, tags = build(city)
    Organization.objects.bulk_create(orgs, batch_size=1000)
    names = {t for values in tags.values() for t in values}
    Tag.objects.bulk_create([Tag(name=n) for n in names], ignore_conflicts=True)
    tag_ids = dict(Tag.objects.values_list("name", "id"))
    links = [
        OrganizationTag(organization_id=orgs[serial - 1].pk, tag_id=tag_ids[t])
        for serial, values in tags.items()
        for t in values
    ]
    OrganizationTag.objects.bulk_create(links, batch_size=2000)
    recent = [o for o in orgs if o.founded_on >= datetime.date(2022, 1, 1) and o.is_counted]
    FollowUp.objects.bulk_create(
        [
            FollowUp(
                organization=o, kind=FollowUp.Kind.NEW, due_on=o.founded_on + datetime.timedelta(days=30)
            )
            for o in recent
        ]
    )
    out.write(f"两新组织演示数据：新增 {len(orgs)} 个组织，{len(links)} 个标签，{len(recent)} 条三同步跟进")
