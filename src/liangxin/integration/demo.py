"""Demo assessments: organizations with a party organization at the end of 2022, assessed in
2021 and 2022 (scores deterministic; most rise a little, the 引导功能 lags)."""

from __future__ import annotations

import datetime
import random

from liangxin.integration.models import DIMENSIONS, Assessment
from liangxin.integration.services import with_party_organization
from liangxin.registry.models import Organization

SEED = 55
NOTES = {
    "governance": "党组织书记进入决策层，党建写入章程",
    "business": "协调解决融资、用工难题",
    "operations": "党员先锋岗、技术攻关小组",
    "workers": "职工之家、技能培训、困难帮扶",
    "ideology": "主题党日、网络舆情引导",
}


def load(city, out) -> None:
    if Assessment.objects.exists():
        out.write("五融入五提升演示数据：已存在，未重复生成")
        return
    orgs = list(
        with_party_organization(
            Organization.objects.filter(city_code=city.code), datetime.date(2021, 12, 31)
        ).order_by("pk")[:120]
    )
    if not orgs:
        out.write("五融入五提升演示数据：还没有建立党组织的组织，跳过")
        return
    rng = random.Random(SEED)
    rows = []
    for org in orgs:
        base = {key: rng.randint(2, 4) for key, _ in DIMENSIONS}
        base["ideology"] = max(1, base["ideology"] - 1)
        for year in (2021, 2022):
            lift = 0 if year == 2021 else rng.choice([0, 0, 1])
            scores = {k: min(5, v + lift) for k, v in base.items()}
            rows.append(
                Assessment(
                    organization=org,
                    year=year,
                    **scores,
                    **{f"{k}_note": NOTES[k] for k, _ in DIMENSIONS},
                    assessor="县（市、区）委组织部评估组",
                    assessed_on=datetime.date(year, 11, 20),
                )
            )
    Assessment.objects.bulk_create(rows)
    out.write(f"五融入五提升演示数据：{len(orgs)} 个组织，2021、2022 年评估 {len(rows)} 条")
