"""The effectiveness verdict of a 行业(综合)党委 (“有没有发挥作用”), from published, configurable
thresholds (settings ``LIANGXIN_COMMITTEE_*``, shown on the committee pages and in README):

1. 组织覆盖率 of its field at least ``ORG_RATE``%, or risen at least ``RATE_RISE`` points in a year;
2. activities this year at least ``ACTIVITIES`` a year, pro rata to the month (at least one);
3. the party organizations under it inspected this year, at most ``POOR_SHARE``% rated 差;
4. none of the tasks its owner unit leads in this year's dispatch overdue (逾期).

``STRONG`` criteria met → 发挥作用明显; ``FAIR`` → 一般; fewer → 待加强. Each criterion is a
reason shown with its figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from liangxin.committee.figures import CommitteeFigures

STRONG, FAIR, WEAK = "发挥作用明显", "一般", "待加强"
VERDICTS = (STRONG, FAIR, WEAK)


@dataclass
class Reason:
    met: bool
    text: str


@dataclass
class Verdict:
    label: str
    met: int
    reasons: list[Reason]

    @property
    def css(self) -> str:
        return {STRONG: "green", FAIR: "yellow", WEAK: "red"}[self.label]


def thresholds() -> dict[str, int]:
    return {
        "org_rate": settings.LIANGXIN_COMMITTEE_ORG_RATE,
        "rate_rise": settings.LIANGXIN_COMMITTEE_RATE_RISE,
        "activities": settings.LIANGXIN_COMMITTEE_ACTIVITIES,
        "poor_share": settings.LIANGXIN_COMMITTEE_POOR_SHARE,
        "strong": settings.LIANGXIN_COMMITTEE_STRONG,
        "fair": settings.LIANGXIN_COMMITTEE_FAIR,
    }


def rules_text() -> list[str]:
    """The published rules, in words (pages and README say the same)."""
    t = thresholds()
    return [
        f"组织覆盖率：所联系领域的组织覆盖率达到{t['org_rate']}%，或比一年前提高{t['rate_rise']}个百分点以上",
        f"开展活动：本年度政治统领活动按每年{t['activities']}次折算到当月（至少1次）",
        f"排查质量：下属党组织本年度已开展排查，评定为“差”的不超过{t['poor_share']}%",
        "调度任务：所属成员单位牵头的本年度重点任务无逾期",
        f"满足{t['strong']}项为“{STRONG}”，满足{t['fair']}项及以上为“{FAIR}”，其余为“{WEAK}”",
    ]


def activities_required(month: int) -> int:
    return max(1, math.ceil(settings.LIANGXIN_COMMITTEE_ACTIVITIES * month / 12))


def judge(f: CommitteeFigures) -> Verdict:
    t = thresholds()
    reasons: list[Reason] = []
    now_pct = f.now.pct(f.now.covered)
    before_pct = f.before.pct(f.before.covered)
    change = now_pct - before_pct
    if not f.now.total:
        reasons.append(Reason(False, "所联系领域内没有在册的两新组织，无法体现覆盖成效"))
    else:
        met = now_pct >= Decimal(t["org_rate"]) or change >= Decimal(t["rate_rise"])
        reasons.append(
            Reason(
                met,
                f"组织覆盖率{now_pct}%（一年前{before_pct}%，{_signed(change)}个百分点），"
                + ("达到要求" if met else f"未达到{t['org_rate']}%且提高不足{t['rate_rise']}个百分点"),
            )
        )
    need = activities_required(f.as_of.month)
    count = len(f.activities)
    reasons.append(Reason(count >= need, f"本年度开展活动{count}次（截至{f.as_of.month}月应不少于{need}次）"))
    if not f.inspections:
        reasons.append(Reason(False, f"下属党组织{len(f.party_orgs)}个，本年度未开展排查"))
    else:
        share = Decimal(f.poor_inspections * 100) / Decimal(f.inspections)
        met = share <= t["poor_share"]
        reasons.append(
            Reason(
                met,
                f"本年度排查{f.inspections}次，评定为“差”{f.poor_inspections}次"
                + ("" if met else f"，超过{t['poor_share']}%"),
            )
        )
    counts = f.task_counts
    if not f.tasks:
        reasons.append(Reason(True, "所属成员单位本年度无牵头的重点任务，无逾期"))
    else:
        reasons.append(
            Reason(
                counts["red"] == 0,
                f"牵头重点任务{len(f.tasks)}项：已完成{counts['done']}、正常{counts['green']}、"
                f"滞后{counts['yellow']}、逾期{counts['red']}",
            )
        )
    met = sum(r.met for r in reasons)
    label = STRONG if met >= t["strong"] else FAIR if met >= t["fair"] else WEAK
    return Verdict(label=label, met=met, reasons=reasons)


def _signed(points: Decimal) -> str:
    return f"+{points}" if points >= 0 else f"{points}"
