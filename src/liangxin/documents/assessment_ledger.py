"""年度考核's 台账成绩分: what a unit's ledgers show for the year, each item counted by its own
app's figure function (documents counts nothing itself):

* 品牌示范 — a unit the year's brand campaign expects: 100 when it reported by the deadline
  (end of June) and a brand it registered by then is still running on the assessment date
  (`brands.status.campaign_status`), else 0;
* 结对共建 — a county 组织部, or a department supervising organizations: 100 with a pairing
  running in the year (`pairings.totals.pairing_totals` over `pairings.measures.unit_pairings`),
  else 0;
* 五融入五提升 — the same units: the average of the five dimensions of its organizations'
  assessments this year (`integration.summary.summarize` over `unit_assessments`), 1–5 points
  × 20; none assessed: 0;
* 行业（综合）党委 — a department that runs one or should (`committee.figures.missing`, 应成立未成立):
  100 when one of its committees exists on the date (`active_committees`), else 0;
* 新就业群体 — a unit whose field has stations (a county's: its stations): the share of them
  covered by a party organization or an instructor (`workforce.figures.workforce`) × 100.

The score is the mean of the items that apply, one decimal; none applies: not counted."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import cached_property

from liangxin.brands.models import Brand, Campaign
from liangxin.brands.status import campaign_status
from liangxin.committee.figures import active_committees, missing
from liangxin.committee.measures import unit_committees
from liangxin.committee.models import IndustryCommittee
from liangxin.core.models import MemberUnit, MemberUnitKind
from liangxin.core.scoping import scope_of_unit
from liangxin.integration.models import Assessment
from liangxin.integration.summary import summarize, unit_assessments
from liangxin.pairings.measures import unit_pairings
from liangxin.pairings.models import Pairing
from liangxin.pairings.totals import pairing_totals
from liangxin.registry.models import Organization
from liangxin.workforce.figures import workforce

ITEMS = ["品牌示范", "结对共建", "五融入五提升", "行业（综合）党委", "新就业群体"]


@dataclass
class LedgerItem:
    label: str
    score: float  # 0–100
    detail: str

    def as_dict(self) -> dict:
        return {"item": self.label, "score": self.score, "detail": self.detail}


@dataclass
class LedgerContext:
    """What every unit's items share for one assessment (read once)."""

    year: int
    as_of: datetime.date
    items: dict[int, list[LedgerItem]] = field(default_factory=dict)

    @cached_property
    def campaign(self) -> Campaign | None:
        return Campaign.objects.filter(year=self.year).first()

    @cached_property
    def expected_brand_units(self) -> set[int]:
        return set(self.campaign.units.values_list("pk", flat=True)) if self.campaign else set()

    @cached_property
    def committees_missing(self) -> set[int]:
        return {m.unit.pk for m in missing(self.as_of)}


def _brands(unit: MemberUnit, ctx: LedgerContext) -> LedgerItem | None:
    campaign = ctx.campaign
    if campaign is None or unit.pk not in ctx.expected_brand_units:
        return None
    status = campaign_status(
        campaign,
        ctx.as_of,
        brands=Brand.objects.filter(unit=unit, created_at__date__lte=campaign.deadline),
        units=MemberUnit.objects.filter(pk=unit.pk),
    )
    running = sum(status.stages.values()) - status.inactive
    on_time = status.units[0].reported_on_time
    deadline = f"{campaign.deadline.month}月{campaign.deadline.day}日"
    detail = f"{deadline}前{'已' if on_time else '未'}申报，截止时登记的品牌仍在运行{running}个"
    return LedgerItem("品牌示范", 100.0 if on_time and running else 0.0, detail)


def _answers_for_organizations(unit: MemberUnit) -> bool:
    return (
        unit.kind == MemberUnitKind.COUNTY_ORG or Organization.objects.filter(supervising_unit=unit).exists()
    )


def _pairings(unit: MemberUnit, ctx: LedgerContext) -> LedgerItem | None:
    if not _answers_for_organizations(unit):
        return None
    total = pairing_totals(Pairing.objects.filter(unit_pairings(unit)), ctx.year, as_of=ctx.as_of).total
    return LedgerItem(
        "结对共建", 100.0 if total.pairings else 0.0, f"在结对{total.pairings}对，项目{total.projects}个"
    )


def _integration(unit: MemberUnit, ctx: LedgerContext) -> LedgerItem | None:
    if not _answers_for_organizations(unit):
        return None
    total = summarize(Assessment.objects.filter(unit_assessments(unit)), ctx.year, as_of=ctx.as_of).total
    if not total.assessed:
        return LedgerItem("五融入五提升", 0.0, "本年度尚无评估")
    return LedgerItem(
        "五融入五提升", float(total.overall * 20), f"评估{total.assessed}个组织，五项平均{total.overall}分"
    )


def _committees(unit: MemberUnit, ctx: LedgerContext) -> LedgerItem | None:
    if unit.kind != MemberUnitKind.DEPARTMENT:
        return None
    running = active_committees(ctx.as_of, IndustryCommittee.objects.filter(unit_committees(unit))).count()
    if not running and unit.pk not in ctx.committees_missing:
        return None
    detail = f"已成立{running}个" if running else "应成立未成立"
    return LedgerItem("行业（综合）党委", 100.0 if running else 0.0, detail)


def _workforce(unit: MemberUnit, ctx: LedgerContext) -> LedgerItem | None:
    total = workforce(None, ctx.as_of, scope=scope_of_unit(unit))["total"]
    if not total["stations"]:
        return None
    share = round(100 * total["stations_covered"] / total["stations"], 1)
    return LedgerItem("新就业群体", share, f"站点{total['stations']}个，已覆盖{total['stations_covered']}个")


def ledger_items(unit: MemberUnit, ctx: LedgerContext) -> list[LedgerItem]:
    found = (item(unit, ctx) for item in (_brands, _pairings, _integration, _committees, _workforce))
    return [i for i in found if i is not None]


def ledger_score(items: list[LedgerItem]) -> float | None:
    return round(sum(i.score for i in items) / len(items), 1) if items else None


METHOD = (
    "台账成绩分为下列适用项目得分的平均：品牌示范（应申报单位于截止日前申报且截止时登记的品牌截至考核日仍在运行计 100 分，否则 0 分）；"
    "结对共建（县（市、区）委组织部和有主管组织的部门，本年度有在结对计 100 分，否则 0 分）；"
    "五融入五提升（同上单位，本年度所评估组织五项平均分 × 20，无评估计 0 分）；"
    "行业（综合）党委（已成立或应成立的部门，考核日已成立计 100 分，应成立未成立计 0 分）；"
    "新就业群体（领域内有站点的单位，站点覆盖率 × 100）。"
)
