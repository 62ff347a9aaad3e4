"""The cockpit's panels for the 融入融合 and 品牌示范 ledgers: 结对共建, 五融入五提升 and the brand
campaign, for the year of the page's date and what the viewer may see. Each is drawn from the
function its app's page, export and command call (`pairings.totals.pairing_totals`,
`integration.summary.summarize`, `brands.status.campaign_status`): no figure is counted here."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.urls import reverse

from liangxin.brands.models import Brand, Campaign
from liangxin.brands.status import campaign_status
from liangxin.core.models import MemberUnit, Region
from liangxin.core.roles import Role
from liangxin.integration.models import DIMENSIONS, SHORT, Assessment
from liangxin.integration.summary import summarize
from liangxin.pairings.models import Pairing
from liangxin.pairings.totals import pairing_totals

# Who sees the ledgers (their pages' VIEWERS): instructors have none of them.
VIEWERS = (Role.OFFICE, Role.MEMBER_UNIT, Role.COUNTY, Role.TOWNSHIP, Role.PARK)


def pairings(user, *, as_of: datetime.date) -> dict:
    """结对 and 项目 per county (bars), with funds and people helped in the table: the pairings
    signed by the page's date that run in its year."""
    year = as_of.year
    signed = Pairing.objects.restrict(user).filter(starts_on__lte=as_of)  # as the page's date stood
    result = pairing_totals(signed, year, villages=Region.objects.restrict(user))
    shown = [t for t in result.by_county if t.pairings]
    rows = [[t.label, t.pairings, t.projects, float(t.funds), t.people_helped] for t in shown]
    t = result.total
    unpaired = len(result.unpaired_key_villages)
    note = (
        f"{year}年在结对{t.pairings}对，项目{t.projects}个，投入资金{_money(t.funds)}万元，受益{t.people_helped}人；"
        f"尚未结对的重点帮扶村{unpaired}个"
        if t.pairings or unpaired
        else ""
    )
    return {"title": f"{year}年结对共建", "headers": ["县（市、区）", "结对(对)", "项目(个)", "资金(万元)", "受益(人)"],
            "rows": rows, "display": [[c.label, f"{c.pairings}对", f"{c.projects}个", f"{_money(c.funds)}万元",
                                       f"{c.people_helped}人"] for c in shown],
            "series": 2, "note": note, "page": reverse("pairings:totals") + f"?year={year}"}  # fmt: skip


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def integration(user, *, as_of: datetime.date) -> dict:
    """The average of each of the five dimensions this year beside last year's (a radar), of
    the assessments made by the page's date."""
    year = as_of.year
    visible = Assessment.objects.restrict(user).filter(assessed_on__lte=as_of)  # as the dispatch measure
    now = summarize(visible, year).total
    before = summarize(visible, year - 1).total
    rows = []
    if now.assessed or before.assessed:
        for key, _ in DIMENSIONS:
            rows.append([SHORT[key], _score(now.averages.get(key)), _score(before.averages.get(key))])
    weakest = f"，最薄弱的是{now.weakest_label}" if now.weakest else ""
    notes = [
        f"{year}年已评估{now.assessed}个组织，五项平均{now.overall}分{weakest}"
        if now.assessed
        else f"{year}年尚无评估"
    ]
    if before.assessed:
        notes.append(f"{year - 1}年评估{before.assessed}个组织，五项平均{before.overall}分")
    note = "；".join(notes)
    return {"title": f"{year}年五融入五提升各维度平均分",
            "headers": ["维度", f"{year}年平均分", f"{year - 1}年平均分"],
            "rows": rows, "display": [[r[0], *("—" if v is None else f"{v:.2f}" for v in r[1:])] for r in rows],
            "max": 5, "dimensions": [label for _, label in DIMENSIONS], "note": note,
            "page": reverse("integration:summary") + f"?year={year}"}  # fmt: skip


def _score(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def brands(user, *, as_of: datetime.date) -> dict:
    """The campaign of the date's year: brands by stage (a ring), the units' reporting and the
    revisits in the note and the table."""
    campaign = Campaign.objects.filter(year=as_of.year).first()
    title = f"{as_of.year}年品牌创建"
    if campaign is None:
        return {"title": title, "headers": ["项目", "个数"], "rows": [], "display": [],
                "note": f"{as_of.year}年尚未开启品牌申报", "page": reverse("brands:index")}  # fmt: skip
    status = campaign_status(
        campaign, as_of, brands=Brand.objects.restrict(user), units=MemberUnit.objects.restrict(user)
    )
    data = status.as_json()
    stages = [[stage, n] for stage, n in data["brands"].items()]
    late = data["late_units"]
    note = (
        f"截止{campaign.deadline.month}月{campaign.deadline.day}日，应申报{data['expected_units']}个单位，已申报{data['reported_units']}个"
        + (f"，逾期未申报{len(late)}个（{'、'.join(late)}）" if late else "")
        + f"；待回访{data['revisits_due']}个，逾期未回访{data['revisits_overdue']}个，"
        f"推出即下架{data['inactive']}个"
    )
    units = [
        ["应申报单位", data["expected_units"]],
        ["已申报单位", data["reported_units"]],
        ["逾期未申报单位", len(late)],
        ["待回访品牌", data["revisits_due"]],
        ["逾期未回访品牌", data["revisits_overdue"]],
        ["推出即下架品牌", data["inactive"]],
    ]
    rows = [*stages, *units] if data["expected_units"] or sum(n for _, n in stages) else []
    return {"title": title, "headers": ["项目", "个数"], "rows": rows,
            "display": [[k, f"{n}个"] for k, n in rows], "stages": len(stages),
            "total": sum(n for _, n in stages), "note": note,
            "page": reverse("brands:index") + f"?campaign={campaign.year}&as_of={as_of:%Y-%m-%d}"}  # fmt: skip


LEDGER_CHARTS = {"pairings": pairings, "integration": integration, "brands": brands}
