"""Demo campaign 2022: every committee department must report its brands by June 30; most do,
two are late; named brands with their revisits, one found inactive at its 6-month revisit."""

from __future__ import annotations

import datetime

from django.utils import timezone

from liangxin.accounts.models import User
from liangxin.brands import services
from liangxin.brands.models import Brand, Campaign, Level, Stage
from liangxin.core.models import MemberUnit, MemberUnitKind
from liangxin.core.roles import Role
from liangxin.dispatch.models import Category, Task

YEAR = 2022
D = datetime.date
# (unit, brand, level, stage, named on, registered on, reported on)
BRANDS = [
    ("民政局", "“红色社工站”社会组织党建品牌", Level.REGION, Stage.NAMED, D(2022, 1, 10), D(2022, 5, 20), D(2022, 6, 20)),
    ("民政局", "行业协会商会“党建+服务”示范点", Level.SITE, Stage.BUILT, None, D(2022, 5, 22), None),
    ("邮政管理局", "“快递小哥·流动哨兵”党建品牌", Level.REGION, Stage.NAMED, D(2022, 6, 1), D(2022, 5, 30), D(2022, 6, 25)),
    ("交通运输局", "“红色货运驿站”示范点", Level.SITE, Stage.BUILDING, None, D(2022, 6, 10), D(2022, 6, 28)),
    ("司法局", "律师行业“法护民企”党建品牌", Level.REGION, Stage.NAMED, D(2022, 3, 15), D(2022, 4, 1), D(2022, 6, 15)),
    ("工信局", "产业链党建“链上红”", Level.ENTERPRISE, Stage.BUILDING, None, D(2022, 6, 5), D(2022, 6, 29)),
    ("科技局", "科技企业“红色引擎”", Level.ENTERPRISE, Stage.PLANNED, None, D(2022, 6, 12), D(2022, 6, 30)),
    ("商务局", "商圈市场“红色商圈”", Level.REGION, Stage.BUILT, None, D(2022, 6, 20), D(2022, 6, 30)),
    ("工商联", "非公企业“同心红”党建品牌", Level.ENTERPRISE, Stage.NAMED, D(2022, 6, 18), D(2022, 6, 25), D(2022, 7, 8)),
]  # fmt: skip
# The 6-month revisits answered: (brand, still running, what happened, answered on)
REVISITS = [
    ("法护民企", False, "牵头律所合并，品牌活动已停止", D(2022, 9, 20)),
    ("红色社工站", True, "新建社工站 6 个，开展活动 40 余场", D(2022, 7, 15)),
]


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def load(city, out) -> None:
    if Campaign.objects.filter(year=YEAR).exists():
        out.write("品牌申报演示数据：2022 年已存在，跳过")
        return
    actor = User.objects.filter(role=Role.OFFICE).order_by("pk").first()
    units = list(MemberUnit.objects.filter(kind=MemberUnitKind.DEPARTMENT, active=True))
    if not units:
        out.write("品牌申报演示数据：没有成员单位，跳过")
        return
    # The plan's own task (the speech: 6月底前各成员单位…报送), when the dispatch demo made it.
    task = (
        Task.objects.filter(plan__year=YEAR, category=Category.BRAND, title__contains="品牌")
        .order_by("pk")
        .first()
    )
    campaign = services.open_campaign(
        YEAR, actor=actor, units=None if task else units, task=task, today=D(2022, 3, 1)
    )
    units = list(campaign.units.all())
    by_name = {u.name: u for u in units}
    for unit_name, name, level, stage, named_on, registered, _ in BRANDS:
        brand = Brand(campaign=campaign, name=name, level=level, unit=by_name[unit_name], stage=stage)
        brand.named_on = named_on
        brand.description = f"{unit_name}牵头打造的党建品牌"
        brand.evidence = "创建方案、活动记录、媒体报道"
        services.save_brand(brand, actor=None, source="command")
        Brand.objects.filter(pk=brand.pk).update(created_at=_at(registered))
    done: set[str] = set()
    for unit_name, *_, reported in BRANDS:
        if reported and unit_name not in done:
            services.report_brands(campaign, by_name[unit_name], actor=None, at=_at(reported))
            done.add(unit_name)
    for name, still_active, note, answered_on in REVISITS:
        revisit = Brand.objects.get(campaign=campaign, name__contains=name).revisits.get(months=6)
        services.answer_revisit(
            revisit, actor=None, still_active=still_active, note=note, at=_at(answered_on)
        )
    out.write(f"品牌申报演示数据：2022 年应申报 {len(units)} 个单位，登记品牌 {len(BRANDS)} 个")
