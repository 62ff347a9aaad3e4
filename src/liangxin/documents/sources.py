"""A BulletinData from the figures the platform publishes: the JSON of `liangxin coverage --json`
and `liangxin dispatch_status --period YYYY-MM --json` (as dicts), for this month and last.

Rates are recomputed here from the counts in those answers (exact decimals, rounded half up
once), never from their rounded rate fields, so a percentage in the bulletin is the percentage
of the counts on screen to the last digit.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from . import bulletin as b

# The report states of dispatch_status, as a reader names them.
REPORT_LABELS = {
    "missing": "未报送",
    "draft": "未报送（草稿）",
    "submitted": "已报送",
    "returned": "已退回",
    "accepted": "已通过",
}
SUBMITTED = ("submitted", "accepted")
RANKED = 5  # 红榜/黑榜 length (domain.md §6: top and bottom five)


class FiguresProblem(ValueError):
    """The figures handed in are not what the contract says; the message names what is missing."""


def _need(data: dict, key: str, where: str) -> Any:
    if key not in data:
        raise FiguresProblem(f"{where}缺少“{key}”项，无法生成通报")
    return data[key]


# ---------------------------------------------------------------------------- coverage


def _coverage_rates(row: dict) -> tuple:
    in_scope = row["in_scope"]
    return (
        b.ratio(row["single"] + row["joint"], in_scope),
        b.ratio(row["single"], in_scope),
        b.ratio(row["single"] + row["joint"] + row["work"], in_scope),
    )


def coverage_row(row: dict, previous: dict | None, *, name: str | None = None) -> b.CoverageRow:
    where = f"覆盖统计“{row.get('name', name or '')}”"
    for key in ("in_scope", "single", "joint", "work", "should_build", "uncovered"):
        _need(row, key, where)
    org, single, work = _coverage_rates(row)
    before = _coverage_rates(previous) if previous else (None, None, None)
    return b.CoverageRow(
        name=name or row.get("name") or "",
        in_scope=row["in_scope"],
        org_rate=org,
        single_rate=single,
        work_rate=work,
        should_build=row["should_build"],
        uncovered=row["uncovered"],
        org_rate_change=b.change_points(org, before[0]),
        single_rate_change=b.change_points(single, before[1]),
        work_rate_change=b.change_points(work, before[2]),
    )


# ---------------------------------------------------------------------------- dispatch


def task_light(lights: Sequence[str]) -> str:
    """One light for a task from its units' lights: 已完成 when every unit is done, else the
    worst of them (逾期 › 滞后 › 正常)."""
    if not lights:
        return "green"
    if all(light == "done" for light in lights):
        return "done"
    for light in ("red", "yellow"):
        if light in lights:
            return light
    return "green"


def progress_summary(units: Sequence[dict]) -> str:
    """“3个单位：已完成1个，滞后1个，逾期1个；未报送1个；平均进度47%” for the task table."""
    if not units:
        return "无责任单位"
    counts = {light: sum(1 for u in units if u["light"] == light) for light in b.LIGHT_ORDER}
    parts = [f"{b.LIGHT_LABELS[light]}{n}个" for light, n in counts.items() if n]
    text = f"{len(units)}个单位：" + "，".join(parts)
    missing = sum(1 for u in units if u.get("report") not in SUBMITTED)
    if missing:
        text += f"；本月未报送{missing}个"
    progress = [u["progress"] for u in units if u.get("progress") is not None]
    if progress:
        text += f"；平均进度{b.format_number(sum(progress) / len(progress))}%"
    return text


def ranking_lists(units: Sequence[dict]) -> tuple[list[b.RankEntry], list[b.RankEntry]]:
    """红榜: the five best-ranked units; 黑榜: the five lowest (worst first), none on both
    (the rule of dispatch.status.PeriodStatus.red_list/black_list)."""
    ordered = sorted(units, key=lambda u: u["rank"])
    red = ordered[:RANKED]
    on_red = {u["unit"] for u in red}
    black = [u for u in reversed(ordered[-RANKED:]) if u["unit"] not in on_red]
    entry = lambda u: b.RankEntry(u["rank"], u["unit"], u.get("score"))  # noqa: E731
    return [entry(u) for u in red], [entry(u) for u in black]


def _rate_change(current: dict, previous: dict | None, key: str) -> Any:
    if not previous:
        return None
    return b.change_points(
        b.ratio(current[key], current["expected"]), b.ratio(previous[key], previous["expected"])
    )


# ---------------------------------------------------------------------------- the bulletin


def bulletin_from_figures(
    *,
    coverage: dict,
    dispatch: dict,
    previous_coverage: dict | None = None,
    previous_dispatch: dict | None = None,
    issuer: str,
    issue_date: datetime.date,
    requirements: Sequence[str] = (),
    **fields: Any,
) -> b.BulletinData:
    """The bulletin of dispatch["period"] as of dispatch["as_of"]; extra fields (title, doc_number,
    recipients) go to BulletinData as they are."""
    period = str(_need(dispatch, "period", "调度状态"))
    try:
        year, month = (int(part) for part in period.split("-"))
        as_of = datetime.date.fromisoformat(_need(dispatch, "as_of", "调度状态"))
    except ValueError as error:
        raise FiguresProblem(f"调度状态的调度期“{period}”或截至日期格式不对") from error
    totals = _need(dispatch, "totals", "调度状态")
    for key in ("expected", "submitted", "on_time", "done", "green", "yellow", "red"):
        _need(totals, key, "调度状态合计")
    previous_totals = previous_dispatch["totals"] if previous_dispatch else None
    tasks = _need(dispatch, "tasks", "调度状态")
    units = _need(dispatch, "units", "调度状态")

    previous_rows = {r.get("code") or r.get("name"): r for r in (previous_coverage or {}).get("rows", [])}
    counties = [
        coverage_row(row, previous_rows.get(row.get("code") or row.get("name")))
        for row in _need(coverage, "rows", "覆盖统计")
    ]
    city = coverage_row(
        _need(coverage, "total", "覆盖统计"),
        previous_coverage["total"] if previous_coverage else None,
        name="全市",
    )

    task_rows, grid, overdue, lagging = [], [], [], []
    for task in tasks:
        lights = [u["light"] for u in task["units"]]
        task_rows.append(
            b.TaskRow(
                task["code"], task["title"], task["lead"], task_light(lights), progress_summary(task["units"])
            )
        )
        for light, bucket in (("red", overdue), ("yellow", lagging)):
            names = [u["unit"] for u in task["units"] if u["light"] == light]
            if names:
                bucket.append(b.ProblemTask(task["code"], task["title"], names))
        grid.extend(
            b.GridRow(
                code=task["code"],
                title=task["title"],
                lead=task["lead"],
                unit=u["unit"],
                light=u["light"],
                report=REPORT_LABELS.get(u.get("report"), u.get("report") or ""),
                progress=u.get("progress"),
                on_time=u.get("on_time"),
            )
            for u in task["units"]
        )
    red, black = ranking_lists(units)
    return b.BulletinData(
        year=year,
        month=month,
        as_of=as_of,
        issuer=issuer,
        issue_date=issue_date,
        overall=b.OverallFigures(
            task_count=len(tasks),
            **{
                key: totals[key]
                for key in ("expected", "submitted", "on_time", "done", "green", "yellow", "red")
            },
            report_rate_change=_rate_change(totals, previous_totals, "submitted"),
            on_time_rate_change=_rate_change(totals, previous_totals, "on_time"),
        ),
        coverage=counties,
        coverage_total=city,
        tasks=task_rows,
        overdue=overdue,
        lagging=lagging,
        late_units=[u["unit"] for u in units if u["on_time"] < u["expected"]],
        red_list=red,
        black_list=black,
        requirements=list(requirements),
        units=[
            b.UnitRow(u["unit"], u["expected"], u["submitted"], u["on_time"], u.get("score"), u.get("rank"))
            for u in units
        ],
        grid=grid,
        coverage_scope=fields.pop("coverage_scope", None) or _scope_label(coverage.get("scope")),
        **fields,
    )


def _scope_label(scope: str | None) -> str:
    if not scope or scope == "all":
        return "全部两新组织"
    return scope.removeprefix("tag:")
