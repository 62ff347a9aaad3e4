"""下步要求 drafted from the month's facts: the overdue and lagging tasks with their units, the
units that did not report on time, the organizations still without a party organization.

The draft is what the period page offers for editing (the office's own text, once saved, wins);
each paragraph reads “一是…。…”, naming the tasks and units concerned.
"""

from __future__ import annotations

from collections.abc import Sequence

from . import bulletin as b

ORDINALS = "一二三四五六七八九十"
NAMED = 6  # units named in one sentence before “等N个单位”
NAMED_TASKS = 3  # tasks named in one sentence before “等N项任务”


def _units(names: Sequence[str]) -> str:
    unique = list(dict.fromkeys(names))
    if len(unique) <= NAMED:
        return b.join_names(unique)
    return f"{b.join_names(unique[:NAMED])}等{len(unique)}个单位"


def _tasks(tasks: Sequence[b.ProblemTask]) -> str:
    """The tasks concerned, those with the most units first; beyond three, “等N项任务”."""
    named = sorted(tasks, key=lambda t: -len(t.units))[:NAMED_TASKS]
    text = "、".join(b.task_reference(t.code, t.title) for t in named)
    return text if len(tasks) <= NAMED_TASKS else f"{text}等{len(tasks)}项任务"


def _leads(tasks: Sequence[b.ProblemTask]) -> str:
    return _units([t.lead for t in tasks if t.lead])


def draft_requirements(data: b.BulletinData) -> list[str]:
    """The 下步要求 paragraphs for `data`'s month."""
    items: list[tuple[str, str]] = []
    if data.overdue:
        units = _units([u for t in data.overdue for u in t.units])
        leads = _leads(data.overdue)
        items.append(
            (
                "加快推进逾期任务",
                f"{_tasks(data.overdue)}已超过完成时限仍未完成，{units}要逐项分析原因、明确整改措施和完成时间，"
                f"在下月调度中报告整改结果"
                + (f"；{leads}要履行牵头责任，加强督促协调" if leads else "")
                + "。",
            )
        )
    if data.lagging:
        units = _units([u for t in data.lagging for u in t.units])
        items.append(
            (
                "推动滞后任务赶上进度",
                f"{_tasks(data.lagging)}进度滞后，{units}要对照完成时限倒排工期、挂图作战，确保按期完成。",
            )
        )
    late = data.late_units
    if late:
        items.append(
            (
                "严格落实按时报送制度",
                f"本月{_units(late)}未按时报送，"
                f"各单位要在每月{data.due_day}日前如实报送任务推进情况，市委党建办将继续通报报送情况。",
            )
        )
    city = data.coverage_total
    if city.should_build:
        lowest = sorted(
            (row for row in data.coverage if b.to_percent(row.org_rate) is not None),
            key=lambda row: b.to_percent(row.org_rate),
        )[:2]
        where = (
            f"{b.join_names(row.name for row in lowest)}等组织覆盖率较低的县（市、区）要逐一建立台账、限期组建，"
            if lowest
            else "各县（市、区）要逐一建立台账、限期组建，"
        )
        items.append(
            (
                "持续推进应建尽建",
                f"全市还有{city.should_build}家两新组织应建未建党组织，{where}不断提高组织覆盖率。",
            )
        )
    if not items:
        items.append(
            (
                "保持工作力度",
                "本月各项任务推进正常，各单位要对照任务清单和完成时限压茬推进，确保全年任务按期完成。",
            )
        )
    return [f"{ORDINALS[index]}是{topic}。{body}" for index, (topic, body) in enumerate(items)]
