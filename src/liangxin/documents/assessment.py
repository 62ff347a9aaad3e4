"""年度考核 (documents reads the dispatch and the coverage engine; neither knows of it): each member unit's (and county 组织部's) year in one score, by a published method.

    score = (w₁ · 月度平均分 + w₂ · 按期完成率 × 100 + w₃ · 覆盖提升分 + w₄ · 台账成绩分)
            ÷ (the weights counted), one decimal

* 月度平均分: the mean of the unit's monthly scores (`ranking.score_of`, domain.md §6) over the
  year's periods in which it had something to report;
* 按期完成率: of the tasks it reports on whose deadline has passed by the assessment date, the
  share its part of was done by the deadline (the dispatch's 按期完成, as the last period shows
  it); none due: the rate is not counted and its weight drops out;
* 覆盖提升分: the rise of 组织覆盖率 over the year in the unit's field — the organizations its own
  staff see (`core.scoping.scope_of_unit`), counted by the coverage engine on December 31 of
  the year before and on the assessment date — at `COVERAGE_POINTS` per percentage point, between
  0 and 100 (a unit with no organizations in its field: not counted, its weight drops out);
* 台账成绩分: what its ledgers show for the year (brands, pairings, 五融入五提升, committees,
  新就业群体 stations), each by its app's own figures — `assessment_ledger`; no ledger item
  applies: not counted, its weight drops out.

Weights: ``LIANGXIN_ASSESSMENT_WEIGHTS`` (default 50,20,15,15). Units with no monthly score are not
ranked; equal scores share a rank (`ranking.competition_ranks`)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from liangxin.core.exporting import write_xlsx
from liangxin.core.models import MemberUnit
from liangxin.core.rates import change_points, percent_of, to_percent
from liangxin.core.scoping import scope_of_unit
from liangxin.coverage import engine
from liangxin.dispatch.models import Period, Plan, TaskUnit
from liangxin.dispatch.ranking import competition_ranks
from liangxin.dispatch.status import PeriodStatus, period_status
from liangxin.registry.models import Organization

from .assessment_ledger import METHOD as LEDGER_METHOD
from .assessment_ledger import LedgerContext, LedgerItem, ledger_items, ledger_score

COVERAGE_POINTS = 10  # 覆盖提升分 per percentage point of 组织覆盖率 gained (10 points → 100)


@dataclass
class UnitAssessment:
    unit: MemberUnit
    months: int = 0  # periods in which the unit had something to report
    monthly_avg: float | None = None
    tasks_due: int = 0
    tasks_done_on_time: int = 0
    org_rate_start: Decimal | None = None
    org_rate_end: Decimal | None = None
    coverage_gain: Decimal | None = None  # percentage points
    ledger_items: list[LedgerItem] = field(default_factory=list)
    ledger: float | None = None  # 台账成绩分
    score: float | None = None
    rank: int | None = None

    @property
    def done_rate(self) -> float | None:
        return self.tasks_done_on_time / self.tasks_due if self.tasks_due else None

    @property
    def coverage_score(self) -> float | None:
        if self.coverage_gain is None:
            return None
        return float(min(100, max(0, self.coverage_gain * COVERAGE_POINTS)))

    def as_dict(self) -> dict:
        return {
            "unit": self.unit.name,
            "months": self.months,
            "monthly_avg": self.monthly_avg,
            "tasks_due": self.tasks_due,
            "tasks_done_on_time": self.tasks_done_on_time,
            "org_rate_start": None if self.org_rate_start is None else float(self.org_rate_start),
            "org_rate_end": None if self.org_rate_end is None else float(self.org_rate_end),
            "coverage_gain": None if self.coverage_gain is None else float(self.coverage_gain),
            "ledger": self.ledger,
            "ledger_items": [i.as_dict() for i in self.ledger_items],
            "score": self.score,
            "rank": self.rank,
        }


Weights = tuple[int, int, int, int]


def weights() -> Weights:
    """The weights in force (the page may try others: `assess(…, w=)`)."""
    return tuple(settings.LIANGXIN_ASSESSMENT_WEIGHTS)


def _field_rate(unit: MemberUnit, as_of: datetime.date) -> Decimal | None:
    q = scope_of_unit(unit).q(Organization)
    orgs = Organization.objects.all() if q is None else Organization.objects.filter(q).distinct()
    total = engine.coverage(orgs, as_of=as_of).total
    return total.org_rate if total.total else None


def _score(a: UnitAssessment, w: Weights) -> float | None:
    if a.monthly_avg is None:
        return None
    parts = [(w[0], a.monthly_avg)]
    if a.done_rate is not None:
        parts.append((w[1], a.done_rate * 100))
    if a.coverage_score is not None:
        parts.append((w[2], a.coverage_score))
    if a.ledger is not None:
        parts.append((w[3], a.ledger))
    total_weight = sum(w for w, _ in parts) or 1
    return round(sum(w * v for w, v in parts) / total_weight, 1)


def assess(
    year: int,
    as_of: datetime.date,
    *,
    w: Weights | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[UnitAssessment]:
    """Every unit reporting in `year`'s plan, assessed as of `as_of`, ranked best first (the
    unranked last, in the units' order). `w`: the weights, those in force unless given.
    `progress(done, total)` (a terminal's bar) moves by one per month, then per unit."""
    w = w or weights()
    step = progress or (lambda done, total: None)
    plan = Plan.objects.filter(year=year, is_draft=False).first()
    if plan is None:
        return []
    as_of = min(as_of, datetime.date(year, 12, 31))
    periods = list(Period.objects.filter(plan=plan, month__lte=as_of).order_by("month"))
    # the units are known once the months are read: until then, the plan's reporting units
    total = len(periods) + TaskUnit.objects.filter(task__plan=plan).values("unit_id").distinct().count()
    step(0, total)
    statuses: list[PeriodStatus] = []
    for n, p in enumerate(periods, start=1):
        statuses.append(period_status(p, min(as_of, p.last_day)))
        step(n, total)
    found: dict[int, UnitAssessment] = {}
    monthly: dict[int, list[float]] = {}
    for status in statuses:
        for row in status.units:
            found.setdefault(row.unit.pk, UnitAssessment(unit=row.unit))
            if row.score is not None:
                monthly.setdefault(row.unit.pk, []).append(row.score)
    if statuses:
        last = statuses[-1]
        for task in last.tasks:
            if task.deadline is None or task.deadline > as_of:
                continue
            for a in last.assignments[task.pk]:
                entry = found.setdefault(a.unit_id, UnitAssessment(unit=a.unit))
                entry.tasks_due += 1
                entry.tasks_done_on_time += last.cells[(task.pk, a.unit_id)].done_on_time
    start = datetime.date(year - 1, 12, 31)
    ledgers = LedgerContext(year, as_of)
    total = len(periods) + len(found)
    for n, (pk, entry) in enumerate(found.items(), start=len(periods) + 1):
        scores = monthly.get(pk, [])
        entry.months = len(scores)
        entry.monthly_avg = round(sum(scores) / len(scores), 1) if scores else None
        entry.org_rate_start, entry.org_rate_end = (
            _field_rate(entry.unit, start),
            _field_rate(entry.unit, as_of),
        )
        points = change_points(entry.org_rate_end, entry.org_rate_start)
        entry.coverage_gain = None if points is None else Decimal(points)
        entry.ledger_items = ledger_items(entry.unit, ledgers)
        entry.ledger = ledger_score(entry.ledger_items)
        entry.score = _score(entry, w)
        step(n, total)
    ranked = sorted(
        (e for e in found.values() if e.score is not None), key=lambda e: (-e.score, e.unit.sort, e.unit.pk)
    )
    for entry, rank in zip(ranked, competition_ranks([e.score for e in ranked]), strict=True):
        entry.rank = rank
    unranked = sorted((e for e in found.values() if e.score is None), key=lambda e: (e.unit.sort, e.unit.pk))
    return ranked + unranked


HEADERS = ["名次", "单位", "月度平均分", "参与月数", "到期任务", "按期完成", "按期完成率（%）",
           "年初组织覆盖率（%）", "组织覆盖率（%）", "提高（百分点）", "台账成绩分", "考核得分"]  # fmt: skip


def table_rows(entries: list[UnitAssessment]) -> list[list]:
    """The ranked table as the page and the workbook show it (rates as percentages, numbers)."""

    def number(value) -> float | None:
        return None if value is None else float(value)

    return [
        [
            e.rank if e.rank is not None else "不参与排名",
            e.unit.name,
            e.monthly_avg,
            e.months,
            e.tasks_due,
            e.tasks_done_on_time,
            number(percent_of(e.tasks_done_on_time, e.tasks_due)),
            number(to_percent(e.org_rate_start)),
            number(to_percent(e.org_rate_end)),
            number(e.coverage_gain),
            e.ledger,
            e.score,
        ]
        for e in entries
    ]


def assessed_years() -> list[int]:
    """Years with a confirmed plan, newest first (the page's choice of year)."""
    return list(Plan.objects.filter(is_draft=False).order_by("-year").values_list("year", flat=True))


def write_workbook(target, year: int, entries: list[UnitAssessment], w: Weights | None = None) -> None:
    """The ranked table and the method, as the command's --xlsx and the page's download write it."""
    write_xlsx(
        target,
        [(f"{year}年度考核", HEADERS, table_rows(entries)), ("考核办法", ["说明"], [[method_text(w)]])],
        widths={1: 24},
    )


def method_text(w: Weights | None = None) -> str:
    w1, w2, w3, w4 = w or weights()
    return (
        f"考核得分 =（{w1} × 月度平均分 + {w2} × 按期完成率 × 100 + {w3} × 覆盖提升分 + {w4} × 台账成绩分）"
        "÷ 参与计算的权重之和。"
        "月度平均分为各月调度得分（有应报事项的月份）的平均；按期完成率为截至考核日已到期任务中按期完成的比例；"
        f"覆盖提升分为本单位主管领域组织覆盖率较上年末每提高 1 个百分点计 {COVERAGE_POINTS} 分，最高 100 分、最低 0 分。"
        + LEDGER_METHOD
        + "某项无数据时不参与计算；无月度得分的单位不参与排名；得分相同名次并列。"
    )
