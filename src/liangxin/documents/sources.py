"""A BulletinData from the domain's own answers: the coverage engine's tables
(`liangxin.coverage.engine.coverage`) and the dispatch period status
(`liangxin.dispatch.status.period_status`), for this month and last.

Nothing is re-derived here: lights, task lights, counts, scores, ranks, the 红榜/黑榜 and the
late units are the period status's; rates are the exact fractions of the engine's counts
(rounded once, by `liangxin.core.rates`, where they are shown). The `coverage` and
`dispatch_status` commands print the same objects, so the documents and the commands agree.
The annex (documents.annex) is the other ledgers' own figures: 三同步 follow-ups, 结对共建,
五融入五提升 and the brand campaign, each through the function behind its page and command.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from liangxin.brands.models import Campaign
from liangxin.brands.status import campaign_status
from liangxin.core.models import Region
from liangxin.core.rates import percent_of, ratio
from liangxin.coverage import engine, rectification
from liangxin.coverage.models import Rectification
from liangxin.dispatch.status import PeriodStatus
from liangxin.integration.models import Assessment
from liangxin.integration.summary import summarize
from liangxin.pairings.models import Pairing
from liangxin.pairings.totals import pairing_totals
from liangxin.registry.followups import month_figures
from liangxin.registry.models import FollowUp

from . import bulletin as b
from .requirements import draft_requirements

# ---------------------------------------------------------------------------- coverage


def _coverage_rates(row: engine.Figures) -> tuple:
    return (
        ratio(row.covered, row.total),
        ratio(row.single, row.total),
        ratio(row.covered + row.work, row.total),
    )


def coverage_row(
    row: engine.Figures, previous: engine.Figures | None, *, name: str | None = None
) -> b.CoverageRow:
    org, single, work = _coverage_rates(row)
    before = _coverage_rates(previous) if previous is not None else (None, None, None)
    return b.CoverageRow(
        name=name or row.name,
        in_scope=row.total,
        org_rate=org,
        single_rate=single,
        work_rate=work,
        should_build=row.should_build,
        uncovered=row.none,
        org_rate_change=b.change_points(org, before[0]),
        single_rate_change=b.change_points(single, before[1]),
        work_rate_change=b.change_points(work, before[2]),
    )


# ---------------------------------------------------------------------------- dispatch


def progress_summary(status: PeriodStatus, task) -> str:
    """“应报送单位3个：已完成1个，滞后1个，逾期1个；本月未报送1个；平均进度47%；另有1个单位此前已完成”
    for the task table. The lights add up to the units expected this month."""
    counts = status.task_counts(task.pk)
    if not status.assignments[task.pk]:
        return "无责任单位"
    earlier = counts[b.EARLIER]
    if not counts["expected"]:
        return f"{earlier}个单位均已于此前完成，本月无需报送"
    parts = [f"{b.LIGHT_PHRASES[light]}{counts[light]}个" for light in b.LIGHT_ORDER if counts[light]]
    text = f"应报送单位{counts['expected']}个：" + "，".join(parts)
    if counts["missing"]:
        text += f"；本月未报送{counts['missing']}个"
    cells = [status.cells[(task.pk, a.unit_id)] for a in status.assignments[task.pk]]
    progress = [c.progress for c in cells if c.expected and c.progress is not None]
    if progress:
        # an average of percentages, with one decimal like every rate (“平均进度39.0%”)
        text += f"；平均进度{percent_of(sum(progress), 100 * len(progress))}%"
    if earlier:
        text += f"；另有{earlier}个单位此前已完成"
    return text


def _rank_entries(rows: Sequence) -> list[b.RankEntry]:
    return [b.RankEntry(row.rank, row.unit.name, row.score) for row in rows]


def _late_units(status: PeriodStatus) -> list[b.LateUnit]:
    late = []
    for row in status.late_units:
        pairs = status.late_pairs(row.unit.pk)
        late.append(
            b.LateUnit(
                unit=row.unit.name,
                expected=row.expected,
                on_time=row.on_time,
                late=[task.code for task, cell in pairs if cell.submitted],
                missing=[task.code for task, cell in pairs if not cell.submitted],
            )
        )
    return late


def _rate_change(current: PeriodStatus, previous: PeriodStatus | None, key: str) -> Any:
    if previous is None:
        return None
    return b.change_points(current.rate(key), previous.rate(key))


# ---------------------------------------------------------------------------- the bulletin


def bulletin_from_status(
    *,
    status: PeriodStatus,
    coverage: engine.CoverageTable,
    previous_status: PeriodStatus | None = None,
    previous_coverage: engine.CoverageTable | None = None,
    issuer: str,
    issue_date: datetime.date,
    requirements: Sequence[str] | None = None,
    **fields: Any,
) -> b.BulletinData:
    """The bulletin of `status`'s period as of its date. requirements: the 下步要求 paragraphs;
    None drafts them from the month's facts. Extra fields (title, doc_number, recipients …) go to
    BulletinData as they are."""
    previous_rows = {row.code: row for row in (previous_coverage.rows if previous_coverage else [])}
    counties = [coverage_row(row, previous_rows.get(row.code)) for row in coverage.rows]
    city = coverage_row(coverage.total, previous_coverage.total if previous_coverage else None, name="全市")

    task_rows, grid, overdue, lagging = [], [], [], []
    for task in status.tasks:
        assignments = status.assignments[task.pk]
        task_rows.append(
            b.TaskRow(
                task.code,
                task.title,
                task.lead.name,
                status.task_light(task.pk),
                progress_summary(status, task),
            )
        )
        for light, bucket in (("red", overdue), ("yellow", lagging)):
            names = [a.unit.name for a in assignments if status.cells[(task.pk, a.unit_id)].light == light]
            if names:
                bucket.append(b.ProblemTask(task.code, task.title, names, lead=task.lead.name))
        for a in assignments:
            cell = status.cells[(task.pk, a.unit_id)]
            grid.append(
                b.GridRow(
                    code=task.code,
                    title=task.title,
                    lead=task.lead.name,
                    unit=a.unit.name,
                    light=cell.light,
                    report=cell.report_label,
                    progress=cell.progress,
                    on_time=cell.on_time if cell.expected else None,
                )
            )
    totals = status.totals
    late = _late_units(status)
    period = status.period
    data = b.BulletinData(
        year=period.month.year,
        month=period.month.month,
        as_of=status.as_of,
        issuer=issuer,
        issue_date=issue_date,
        overall=b.OverallFigures(
            task_count=len(status.tasks),
            **{
                key: totals[key]
                for key in ("expected", "submitted", "on_time", "done", "green", "yellow", "red")
            },
            earlier_done=totals["earlier_done"],
            report_rate_change=_rate_change(status, previous_status, "submitted"),
            on_time_rate_change=_rate_change(status, previous_status, "on_time"),
        ),
        coverage=counties,
        coverage_total=city,
        tasks=task_rows,
        overdue=overdue,
        lagging=lagging,
        late_units=[u.unit for u in late],
        late_details=late,
        red_list=_rank_entries(status.red_list),
        black_list=_rank_entries(status.black_list),
        unranked=[row.unit.name for row in status.units if not row.ranked],
        units=[
            b.UnitRow(row.unit.name, row.expected, row.submitted, row.on_time, row.score, row.rank)
            for row in status.units
        ],
        grid=grid,
        rectifications=[
            b.RectificationRow(c.name, c.open, c.overdue, c.closed)
            for c in rectification.county_counts(Rectification.objects.all(), as_of=status.as_of)
        ],
        due_day=period.due_date.day,
        coverage_scope=fields.pop("coverage_scope", None) or _scope_label(coverage.scope),
        sentinel=fields.pop("sentinel", None) or sentinel_figures(period.month, status.as_of),
        followups=fields.pop("followups", None) or followup_rows(period.month, status.as_of),
        pairings=fields.pop("pairings", None) or pairing_figures(period.month.year, status.as_of),
        integration=fields.pop("integration", None) or integration_figures(period.month.year, status.as_of),
        brands=fields.pop("brands", None) or brand_figures(period.month.year, status.as_of),
        **fields,
    )
    data.requirements = list(requirements) if requirements is not None else draft_requirements(data)
    return data


def sentinel_figures(month: datetime.date, as_of: datetime.date) -> b.SentinelFigures:
    """The month's 流动哨兵 reports, city-wide, as they stood at the end of `as_of`."""
    from django.utils import timezone

    from liangxin.workforce.stats import Month, sentinel_stats

    end = timezone.make_aware(
        datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time.min)
    )
    stats = sentinel_stats(None, Month.of(month), everything=True, now=min(timezone.now(), end))
    return b.SentinelFigures(reports=stats["reports"], closed=stats["closed"])


# ---------------------------------------------------------------------------- the annex


def followup_rows(month: datetime.date, as_of: datetime.date) -> list[b.FollowUpRow]:
    """三同步 follow-ups of the month per gatekeeping unit, over the city, at the end of `as_of`."""
    return [b.FollowUpRow(**row) for row in month_figures(FollowUp.objects.all(), month=month, as_of=as_of)]


def _pairing_row(totals) -> b.PairingRow:
    return b.PairingRow(
        totals.label, totals.pairings, totals.organizations, totals.villages, totals.key_villages,
        totals.projects, totals.funds, totals.people_helped,
    )  # fmt: skip


def pairing_figures(year: int, as_of: datetime.date) -> b.PairingFigures:
    """Pairings running in `year` that had started by `as_of`, over the city."""
    result = pairing_totals(Pairing.objects.all(), year, villages=Region.objects.all(), as_of=as_of)
    return b.PairingFigures(
        year=year,
        total=_pairing_row(result.total),
        counties=[_pairing_row(row) for row in result.by_county],
        unpaired_key_villages=len(result.unpaired_key_villages),
    )


def _integration_row(row) -> b.IntegrationRow:
    return b.IntegrationRow(
        name=row.label,
        assessed=row.assessed,
        averages=row.average_list,
        overall=row.overall,
        weakest=row.weakest_label,
        change=row.change,
    )


def integration_figures(year: int, as_of: datetime.date) -> b.IntegrationFigures:
    """Assessments of `year` (and last year's, for the change) made by `as_of`, by county."""
    summary = summarize(Assessment.objects.all(), year, "region", as_of=as_of)
    return b.IntegrationFigures(
        year=year,
        total=_integration_row(summary.total),
        counties=[_integration_row(row) for row in summary.rows if row.assessed],
    )


def brand_figures(year: int, as_of: datetime.date) -> b.BrandFigures:
    """The year's campaign as it stood on `as_of` (brands registered, reports submitted by then)."""
    campaign = Campaign.objects.filter(year=year).first()
    if campaign is None:
        return b.BrandFigures(year=year)
    status = campaign_status(campaign, as_of)
    return b.BrandFigures(
        year=year,
        title=campaign.title,
        deadline=campaign.deadline,
        expected_units=status.expected_units,
        reported_units=status.reported_units,
        late_units=[row.unit.name for row in status.late_units],
        stages=dict(status.stages),
        levels=dict(status.levels),
        revisits_due=status.revisits_due,
        revisits_overdue=status.revisits_overdue,
        inactive=status.inactive,
    )


def _scope_label(scope: str) -> str:
    return b.ALL_ORGANIZATIONS if scope == "all" else engine.scope_label(scope)
