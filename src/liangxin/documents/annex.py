"""The bulletin's annex from the other lines of work, as plain data: 三同步 follow-ups per
gatekeeping unit, 结对共建, 五融入五提升 and the brand campaign, as of the bulletin's date.

Every figure is the owning app's own answer — `registry.followups.month_figures`,
`pairings.totals.pairing_totals`, `integration.summary.summarize`, `brands.status.campaign_status`,
the functions behind their pages and `--json` commands — over the whole city (the bulletin is
the office's), limited to what existed on the bulletin's date. Gathered by `documents.sources`;
the sentences are here, the workbook's sheets in `documents.workbook`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .bulletin import BulletinData

# ---------------------------------------------------------------------------- data


@dataclass
class FollowUpRow:
    """三同步 follow-ups of one gatekeeping unit in the bulletin's month."""

    unit: str
    opened: int  # opened this month
    due: int  # due this month
    closed: int  # closed this month
    closed_in_time: int  # of those, by their due day
    overdue: int  # open past the due day on the bulletin's date


@dataclass
class PairingRow:
    """结对共建 running in the year, of one county (or the city: 合计)."""

    name: str
    pairings: int
    organizations: int
    villages: int
    key_villages: int
    projects: int
    funds: Decimal  # 万元
    people_helped: int


@dataclass
class PairingFigures:
    year: int
    total: PairingRow
    counties: list[PairingRow] = field(default_factory=list)
    unpaired_key_villages: int = 0  # 重点帮扶村 without a pair this year


@dataclass
class IntegrationRow:
    """五融入五提升 of one county (or the city: 合计) in the year."""

    name: str
    assessed: int
    averages: list[Decimal | None]  # the five dimensions in the speech's order
    overall: Decimal | None  # the mean of the five averages
    weakest: str  # the weakest dimension's short name, “—” without any
    change: Decimal | None = None  # overall vs last year, None without last year


@dataclass
class IntegrationFigures:
    year: int
    total: IntegrationRow
    counties: list[IntegrationRow] = field(default_factory=list)


@dataclass
class BrandFigures:
    """The year's brand campaign on the bulletin's date; deadline None: not opened by then."""

    year: int
    title: str = ""
    deadline: datetime.date | None = None
    expected_units: int = 0
    reported_units: int = 0
    late_units: list[str] = field(default_factory=list)
    stages: dict[str, int] = field(default_factory=dict)  # 计划/创建中/已建成/已命名 → brands
    levels: dict[str, int] = field(default_factory=dict)  # 一域一品/一企一品/示范点 → brands
    revisits_due: int = 0
    revisits_overdue: int = 0
    inactive: int = 0  # 推出即下架

    @property
    def brands(self) -> int:
        return sum(self.stages.values())


# ---------------------------------------------------------------------------- sentences


def _day(data: BulletinData) -> str:
    from .bulletin import chinese_date  # bulletin imports these dataclasses

    return chinese_date(data.as_of)


def number(value: Decimal | None) -> str:
    """12.50 → “12.5”, 3.40 → “3.4”, 30.00 → “30”: the figure as computed, trailing zeros off."""
    if value is None:
        return "—"
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def followup_paragraphs(data: BulletinData) -> list[str]:
    """三同步 in the month, per gatekeeping unit (none for a bulletin published before they were
    counted): “截至…，三同步跟进事项本月新发起N件、到期M件、办结K件（其中按期办结J件），逾期未办结L件。
    分单位看，市场监管局新发起…件、到期…件、办结…件、逾期未办结…件；…。”"""
    rows = data.followups
    if rows is None:
        return []
    if not rows:
        return [f"截至{_day(data)}，本月没有三同步跟进事项，也没有逾期未办结的跟进事项。"]
    opened, due, closed, in_time, overdue = (
        sum(getattr(r, key) for r in rows) for key in ("opened", "due", "closed", "closed_in_time", "overdue")
    )
    parts = "；".join(
        f"{r.unit}新发起{r.opened}件、到期{r.due}件、办结{r.closed}件、逾期未办结{r.overdue}件" for r in rows
    )
    return [
        f"截至{_day(data)}，三同步跟进事项本月新发起{opened}件、到期{due}件、办结{closed}件"
        f"（其中按期办结{in_time}件），逾期未办结{overdue}件。分单位看，{parts}。"
    ]


def pairing_paragraph(data: BulletinData) -> str:
    p = data.pairings
    if p is None:
        return ""
    unpaired = (
        f"乡村振兴重点帮扶村中尚未结对的有{p.unpaired_key_villages}个" if p.unpaired_key_villages else ""
    )
    t = p.total
    if not t.pairings:
        return (
            f"结对共建方面，截至{_day(data)}，{p.year}年尚无在结对的两新组织"
            + (f"，{unpaired}" if unpaired else "")
            + "。"
        )
    text = (
        f"结对共建方面，截至{_day(data)}，{p.year}年在结对{t.pairings}对，涉及两新组织{t.organizations}家、"
        f"村（社区）{t.villages}个（其中乡村振兴重点帮扶村{t.key_villages}个）；实施帮扶项目{t.projects}个，"
        f"投入资金{number(t.funds)}万元，受益群众{t.people_helped}人"
        + (f"；{unpaired}" if unpaired else "")
        + "。"
    )
    if p.counties:
        text += "分县（市、区）看，" + "、".join(f"{r.name}{r.pairings}对" for r in p.counties) + "。"
    return text


def _change(points: Decimal | None) -> str:
    if points is None:
        return ""
    if points > 0:
        return f"，较上年提高{number(points)}分"
    if points < 0:
        return f"，较上年下降{number(-points)}分"
    return "，与上年持平"


def integration_paragraph(data: BulletinData) -> str:
    i = data.integration
    if i is None:
        return ""
    t = i.total
    if not t.assessed:
        return f"“五融入五提升”方面，截至{_day(data)}，{i.year}年尚未有两新组织完成评估。"
    text = (
        f"“五融入五提升”方面，截至{_day(data)}，{i.year}年已评估两新组织{t.assessed}家，"
        f"五项平均{number(t.overall)}分{_change(t.change)}，最薄弱的是{t.weakest}。"
    )
    if i.counties:
        text += (
            "分县（市、区）看，"
            + "；".join(
                f"{r.name}{r.assessed}家、平均{number(r.overall)}分、最薄弱的是{r.weakest}"
                for r in i.counties
            )
            + "。"
        )
    return text


def brand_paragraph(data: BulletinData) -> str:
    c = data.brands
    if c is None:
        return ""
    if c.deadline is None:
        return f"品牌创建方面，截至{_day(data)}，{c.year}年品牌申报尚未开启。"
    late = f"，逾期未申报的有{'、'.join(c.late_units)}" if c.late_units else ""
    text = (
        f"品牌创建方面，{c.title}（申报截止{c.deadline.month}月{c.deadline.day}日）应申报单位{c.expected_units}个，"
        f"截至{_day(data)}已申报{c.reported_units}个{late}；"
    )
    if c.brands:
        stages = "、".join(f"{label}{n}个" for label, n in c.stages.items())
        text += f"已登记品牌和示范点{c.brands}个（{stages}）"
    else:
        text += "尚未登记品牌和示范点"
    if c.revisits_due or c.revisits_overdue or c.inactive:
        text += (
            f"；已命名品牌待回访{c.revisits_due}个、逾期未回访{c.revisits_overdue}个，"
            f"已停止运行（推出即下架）{c.inactive}个"
        )
    return text + "。"


def ledger_paragraphs(data: BulletinData) -> list[str]:
    """结对共建, 五融入五提升 and the brand campaign, a paragraph each (none for a bulletin
    published before they were counted)."""
    return [
        text for text in (pairing_paragraph(data), integration_paragraph(data), brand_paragraph(data)) if text
    ]
