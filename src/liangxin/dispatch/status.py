"""THE status function of the dispatch (domain.md §6): lights, reporting rates, scores, ranks.

`period_status(period, as_of)` computes everything for one period as of a date from the report
*events* (each step keeps the content it had), so any date's picture can be rebuilt exactly.
It runs four queries whatever the size of the grid. Every page, command, chart and bulletin
reads its numbers here; nothing else decides a light.

The month's counts add up: a pair whose 已完成 report was accepted in an earlier period is not
expected this month and has no light (`EARLIER`, shown apart as 此前已完成), so
done + red + yellow + green = expected. Scores and ranks: `liangxin.dispatch.ranking`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from liangxin.core.rates import percent_value
from liangxin.dispatch import ranking
from liangxin.dispatch.models import Milestone, Period, ProgressStatus, Report, ReportEvent, Task, TaskUnit

LIGHTS = ("done", "red", "yellow", "green")  # the lights of an expected pair, first match wins
LIGHT_ORDER = ("done", "green", "yellow", "red")  # the order tables and sentences list them in
EARLIER = "earlier"  # not expected: its 已完成 report was accepted in an earlier period; no light
LIGHT_LABELS = {"done": "已完成", "red": "逾期", "yellow": "滞后", "green": "正常", EARLIER: "此前已完成"}
# The light as a sentence says it (“正常推进12个”).
LIGHT_PHRASES = {
    "done": "已完成",
    "red": "逾期",
    "yellow": "滞后",
    "green": "正常推进",
    EARLIER: "此前已完成",
}
REPORT_LABELS = {
    "missing": "未报送",
    "draft": "草稿",
    "submitted": "已报送",
    "returned": "已退回",
    "accepted": "已通过",
}
COUNTING = ("submitted", "accepted")  # a report that counts as submitted


@dataclass
class Snapshot:
    status: str
    percent: int
    at: datetime.datetime


@dataclass
class ReportAsOf:
    """One report's state on date D, rebuilt from its events."""

    report_id: int
    period_month: datetime.date
    state: str = "missing"
    submitted: Snapshot | None = None  # the submission that counts (latest)
    accepted_done: bool = False
    returned_times: int = 0


@dataclass
class Cell:
    task_id: int
    unit_id: int
    light: str
    report: str
    progress: int | None
    on_time: bool
    expected: bool
    submitted: bool
    report_id: int | None
    is_lead: bool
    done_on_time: bool = False

    @property
    def light_label(self) -> str:
        return LIGHT_LABELS[self.light]

    @property
    def late(self) -> bool:
        """Expected and not submitted on or before the due day (late or not at all)."""
        return self.expected and not (self.submitted and self.on_time)

    @property
    def report_label(self) -> str:
        if not self.expected and self.report == "missing":
            return "无需报送"  # its 已完成 report was accepted in an earlier month
        return REPORT_LABELS[self.report]


@dataclass
class UnitRow:
    unit: Any
    expected: int = 0
    submitted: int = 0
    on_time: int = 0
    returned: int = 0
    pairs: int = 0
    done_on_time: int = 0
    rate: float | None = None
    on_time_rate: float | None = None
    score: float | None = None  # None: nothing expected this month, not ranked
    rank: int | None = None
    bottom_rank: int | None = None  # rank counted from the bottom (1 = lowest score), for the 黑榜

    @property
    def late(self) -> int:
        """Expected pairs submitted after the due day."""
        return self.submitted - self.on_time

    @property
    def missing(self) -> int:
        """Expected pairs not submitted (by the as-of date)."""
        return self.expected - self.submitted

    @property
    def ranked(self) -> bool:
        return self.rank is not None


@dataclass
class PeriodStatus:
    period: Period
    as_of: datetime.date
    tasks: list[Task]
    assignments: dict[int, list[TaskUnit]]
    cells: dict[tuple[int, int], Cell]
    units: list[UnitRow]
    totals: dict[str, int] = field(default_factory=dict)
    partial: bool = False  # one unit's part (`period_status(..., unit=)`): no ranks, no lists

    def _whole(self, what: str) -> None:
        if self.partial:
            raise ValueError(f"{what}需要整个调度期的状态，不能由单个单位的部分状态得出")

    @property
    def red_list(self) -> list[UnitRow]:
        """红榜: the top five ranks and every unit tied at the cut (`ranking.red_list`)."""
        self._whole("红榜")
        return ranking.red_list(self.units)

    @property
    def black_list(self) -> list[UnitRow]:
        """黑榜: the bottom five ranks and every unit tied at the cut, worst first (`ranking.black_list`)."""
        self._whole("黑榜")
        return ranking.black_list(self.units)

    @property
    def late_units(self) -> list[UnitRow]:
        """Units with at least one expected pair not submitted on time, in the units' usual order
        (a list of names in a bulletin is not a ranking)."""
        late = [row for row in self.units if row.on_time < row.expected]
        return sorted(late, key=lambda row: (row.unit.sort, row.unit.pk))

    def late_pairs(self, unit_id: int) -> list[tuple[Task, Cell]]:
        """A unit's expected pairs not submitted on time (late or not at all), in task order."""
        return [
            (task, cell)
            for task in self.tasks
            if (cell := self.cells.get((task.pk, unit_id))) is not None and cell.late
        ]

    def task_counts(self, task_id: int) -> dict[str, int]:
        """One task's pairs: expected, by light, 此前已完成 (earlier), submitted, on time, missing."""
        cells = [self.cells[(task_id, a.unit_id)] for a in self.assignments[task_id]]
        return counts_of(cells)

    def task_light(self, task_id: int) -> str:
        """One light for a task: 已完成 when every expected unit is done (or all finished earlier),
        else the worst of its expected units' lights (逾期 › 滞后 › 正常)."""
        counts = self.task_counts(task_id)
        if counts["expected"] == counts["done"]:
            return "done"
        return next(light for light in ("red", "yellow", "green") if counts[light])

    def rate(self, key: str) -> float | None:
        expected = self.totals.get("expected", 0)
        return self.totals[key] / expected if expected else None

    def as_json(self) -> dict[str, Any]:
        return {
            "period": self.period.key,
            "as_of": self.as_of.isoformat(),
            "totals": dict(self.totals),
            "rates": {
                "submitted": percent_value(self.rate("submitted")),
                "on_time": percent_value(self.rate("on_time")),
            },
            "tasks": [
                {
                    "code": task.code,
                    "title": task.title,
                    "lead": task.lead.name,
                    "light": self.task_light(task.pk),
                    "counts": self.task_counts(task.pk),
                    "units": [
                        {
                            "unit": a.unit.name,
                            "light": (c := self.cells[(task.pk, a.unit_id)]).light,
                            "report": c.report,
                            "progress": c.progress,
                            "on_time": c.on_time,
                        }
                        for a in self.assignments[task.pk]
                    ],
                }
                for task in self.tasks
            ],
            "units": [
                {
                    "unit": row.unit.name,
                    "expected": row.expected,
                    "submitted": row.submitted,
                    "on_time": row.on_time,
                    "late": row.late,
                    "missing": row.missing,
                    "rate": _round(row.rate),
                    "on_time_rate": _round(row.on_time_rate),
                    "score": row.score,
                    "rank": row.rank,
                }
                for row in self.units
            ],
            "red_list": [row.unit.name for row in self.red_list],
            "black_list": [row.unit.name for row in self.black_list],
        }


MILESTONE_LABELS = {"done": "已完成", "missed": "未按期完成", "pending": "未到期"}


@dataclass
class MilestoneState:
    """A milestone as of D: `done` when the task is done, `missed` when its date has passed
    (D after it) and the task is not done, else `pending`."""

    milestone: Milestone
    state: str

    @property
    def label(self) -> str:
        return MILESTONE_LABELS[self.state]

    @property
    def missed(self) -> bool:
        return self.state == "missed"


def task_done(status: PeriodStatus | None, task_id: int) -> bool:
    """A task is done when every unit reporting on it is lit 已完成."""
    if status is None or task_id not in status.assignments:
        return False
    cells = [status.cells[(task_id, a.unit_id)] for a in status.assignments[task_id]]
    return bool(cells) and all(c.light in ("done", EARLIER) for c in cells)


def milestone_states(
    status: PeriodStatus | None, milestones: list[Milestone], as_of: datetime.date | None = None
) -> dict[int, list[MilestoneState]]:
    """The state of each milestone (task id → its milestones in date order) as of the status's date."""
    as_of = as_of or (status.as_of if status else timezone.localdate())
    out: dict[int, list[MilestoneState]] = defaultdict(list)
    for m in sorted(milestones, key=lambda m: (m.task_id, m.due, m.pk or 0)):
        if task_done(status, m.task_id):
            state = "done"
        elif as_of > m.due:
            state = "missed"
        else:
            state = "pending"
        out[m.task_id].append(MilestoneState(milestone=m, state=state))
    return out


def period_milestones(status: PeriodStatus) -> dict[int, list[MilestoneState]]:
    """The milestones of the status's tasks, in one query."""
    return milestone_states(status, list(Milestone.objects.filter(task__in=[t.pk for t in status.tasks])))


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The first instant after `day` in the installation's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()))


def local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def reports_as_of(reports: list[dict], events: list[dict]) -> dict[int, ReportAsOf]:
    """Replay each report's events (already limited to those on or before D, in order). An event
    of a report saved after `reports` was read (the two reads are separate statements; at month
    end another unit's first save lands between them) waits for the next page."""
    states = {r["id"]: ReportAsOf(report_id=r["id"], period_month=r["period__month"]) for r in reports}
    for e in events:
        s = states.get(e["report_id"])
        if s is None:
            continue
        action = e["action"]
        if action == ReportEvent.Action.SAVED:
            if s.state == "missing":
                s.state = "draft"
        elif action == ReportEvent.Action.SUBMITTED:
            s.state = "submitted"
            s.submitted = Snapshot(e["status"], e["percent"], e["at"])
            s.accepted_done = False
        elif action == ReportEvent.Action.RETURNED:
            s.state = "returned"
            s.returned_times += 1
        elif action == ReportEvent.Action.ACCEPTED:
            s.state = "accepted"
            if s.submitted is None:  # accepted straight from an import
                s.submitted = Snapshot(e["status"], e["percent"], e["at"])
            s.accepted_done = e["status"] == ProgressStatus.DONE
    return states


def light_for(
    *,
    task: Task,
    latest: Snapshot | None,
    has_report_this_period: bool,
    period: Period,
    as_of: datetime.date,
    lag_points: int,
) -> str:
    """First match wins: done › red › yellow › green (domain.md §6)."""
    if latest is not None and latest.status == ProgressStatus.DONE:
        return "done"
    if task.deadline is not None and as_of > task.deadline:
        return "red"
    if latest is not None and latest.status == ProgressStatus.LAGGING:
        return "yellow"
    if latest is not None and task.deadline is not None:
        # Time share elapsed × 100 − progress > lag, in whole numbers (no float rounding at the
        # boundary): elapsed_days × 100 − percent × span > lag × span.
        span = (task.deadline - task.start).days
        if span <= 0:
            span, elapsed = 1, 1
        else:
            elapsed = min(max((as_of - task.start).days, 0), span)
        if elapsed * 100 - latest.percent * span > lag_points * span:
            return "yellow"
    if as_of > period.due_date and not has_report_this_period:
        return "yellow"
    return "green"


def period_status(period: Period, as_of: datetime.date | None = None, *, unit=None) -> PeriodStatus:
    """Lights, rates, scores and ranks of `period` as of `as_of` (default: today).

    With `unit`: only what that unit's pages need — the tasks it reports on, its own pairs, and
    every pair of the tasks it leads (so a led task's light and milestones are whole) — in the
    same four queries, whatever the number of units and tasks in the period (本月填报 and the
    unit's to-do at month end). Each cell is the one the whole period's status has; the unit
    rows are not ranked (a rank needs every unit) and `partial` says so."""
    as_of = as_of or timezone.localdate()
    plan = period.plan
    tasks_qs = Task.objects.filter(plan=plan, start__lte=period.last_day)
    if unit is not None:
        tasks_qs = tasks_qs.filter(assignments__unit=unit)
    tasks = list(tasks_qs.select_related("lead").order_by("sort_key"))
    task_ids = [t.pk for t in tasks]
    pairs = report_pairs = event_pairs = Q()
    if unit is not None:
        led = [t.pk for t in tasks if t.lead_id == unit.pk]
        pairs = Q(unit=unit) | Q(task__in=led)
        report_pairs = Q(task__in=task_ids) & pairs
        event_pairs = Q(report__task__in=task_ids) & (Q(report__unit=unit) | Q(report__task__in=led))
    assignments: dict[int, list[TaskUnit]] = defaultdict(list)
    for a in (
        TaskUnit.objects.filter(pairs, task__in=task_ids)
        .select_related("unit")
        .order_by("-is_lead", "unit__sort", "unit_id")
    ):
        assignments[a.task_id].append(a)
    reports = list(
        Report.objects.filter(report_pairs, task__plan=plan, period__month__lte=period.month).values(
            "id", "task_id", "unit_id", "period_id", "period__month"
        )
    )
    events = list(
        ReportEvent.objects.filter(
            event_pairs,
            report__task__plan=plan,
            report__period__month__lte=period.month,
            at__lt=end_of_day(as_of),
        )
        .order_by("at", "id")
        .values("report_id", "action", "at", "status", "percent")
    )
    states = reports_as_of(reports, events)
    by_pair: dict[tuple[int, int], list[tuple[dict, ReportAsOf]]] = defaultdict(list)
    for r in reports:
        by_pair[(r["task_id"], r["unit_id"])].append((r, states[r["id"]]))

    cells: dict[tuple[int, int], Cell] = {}
    unit_rows: dict[int, UnitRow] = {}
    for task in tasks:
        for a in assignments[task.pk]:
            history = sorted(by_pair.get((task.pk, a.unit_id), []), key=lambda item: item[1].period_month)
            current = next((s for r, s in history if r["period_id"] == period.pk), None)
            earlier = [s for r, s in history if r["period_id"] != period.pk]
            expected = not any(s.accepted_done for s in earlier)
            counted = [s for r, s in history if s.state in COUNTING and s.submitted is not None]
            latest = counted[-1].submitted if counted else None
            this_counts = current is not None and current.state in COUNTING
            light = (
                light_for(
                    task=task,
                    latest=latest,
                    has_report_this_period=this_counts,
                    period=period,
                    as_of=as_of,
                    lag_points=plan.lag_points,
                )
                if expected
                else EARLIER
            )
            on_time = bool(this_counts and local_date(current.submitted.at) <= period.due_date)
            done_on_time = bool(
                light in ("done", EARLIER)
                and latest is not None
                and (task.deadline is None or local_date(latest.at) <= task.deadline)
            )
            cell = Cell(
                task_id=task.pk,
                unit_id=a.unit_id,
                light=light,
                report=current.state if current else "missing",
                progress=latest.percent if latest else None,
                on_time=on_time,
                expected=expected,
                submitted=expected and this_counts,
                report_id=current.report_id if current else None,
                is_lead=a.is_lead,
                done_on_time=done_on_time,
            )
            cells[(task.pk, a.unit_id)] = cell
            row = unit_rows.setdefault(a.unit_id, UnitRow(unit=a.unit))
            row.pairs += 1
            row.done_on_time += done_on_time
            row.returned += current.returned_times if current else 0
            if expected:
                row.expected += 1
                row.submitted += cell.submitted
                row.on_time += cell.submitted and on_time
    units = (
        list(unit_rows.values()) if unit is not None else ranking.rank_units(list(unit_rows.values()), plan)
    )
    totals = totals_for(tasks, assignments, cells)
    return PeriodStatus(
        period=period,
        as_of=as_of,
        tasks=tasks,
        assignments=assignments,
        cells=cells,
        units=units,
        totals=totals,
        partial=unit is not None,
    )


def counts_of(cells) -> dict[str, int]:
    """Counts over some cells: expected, by light (over the expected ones, so
    done + red + yellow + green = expected), 此前已完成 (`earlier`), submitted, on time, missing."""
    counts = dict.fromkeys(("expected", *LIGHTS, EARLIER, "submitted", "on_time", "missing"), 0)
    for cell in cells:
        counts[cell.light] += 1
        if cell.expected:
            counts["expected"] += 1
            counts["submitted"] += cell.submitted
            counts["on_time"] += cell.submitted and cell.on_time
            counts["missing"] += not cell.submitted
    return counts


def totals_for(tasks: list[Task], assignments: dict[int, list[TaskUnit]], cells: dict) -> dict[str, int]:
    """The totals of the contract over `tasks`: expected, submitted, on time, the counts by light
    (done + red + yellow + green = expected) and `earlier_done` (此前已完成, not expected)."""
    counts = counts_of(cells[(task.pk, a.unit_id)] for task in tasks for a in assignments[task.pk])
    return {
        "expected": counts["expected"],
        "submitted": counts["submitted"],
        "on_time": counts["on_time"],
        **{light: counts[light] for light in LIGHT_ORDER},
        "earlier_done": counts[EARLIER],
    }
