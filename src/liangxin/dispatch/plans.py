"""Plans and tasks: deadline phrases, and every change to a task (through an audited service)."""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from django.db import transaction

from liangxin.core import audit
from liangxin.core.tabular import ValueProblem, parse_date
from liangxin.dispatch.models import Category, Plan, Task, TaskUnit

OPEN_ENDED = ("长期", "持续推进", "长期坚持", "常态化", "持续", "长期推进")
_MONTH_END = re.compile(r"^(?:(\d{4})年)?(\d{1,2})月(?:底|末|份)(?:前|以前)?$")
_MONTH_DAY = re.compile(r"^(?:(\d{4})年)?(\d{1,2})月(\d{1,2})[日号]?(?:前|以前)?$")
_YEAR_END = re.compile(r"^(?:(\d{4})年)?(?:年底|年内|年末)(?:前)?$")


def parse_deadline(value, *, year: int) -> datetime.date | None:
    """A deadline as an office writes it, against the plan `year`:
    6月底前 / 6月底 / 6月末 → 30 June; 6月30日前 → 30 June; 2022年6月30日 / 2022-06-30 → that day;
    年底前 → 31 December; 长期 / 持续推进 / empty → None (no deadline).
    Raises ValueProblem (Chinese) for anything else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime.date | int | float) and not isinstance(value, bool):
        return parse_date(value)  # a date cell, an Excel serial or 20220630
    text = re.sub(r"\s+", "", str(value)).translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if text in OPEN_ENDED or text.startswith("长期") or text.startswith("持续"):
        return None
    if m := _MONTH_END.match(text):
        y, month = int(m[1] or year), int(m[2])
        if not 1 <= month <= 12:
            raise ValueProblem(f"完成时限“{value}”中的月份不存在")
        return datetime.date(y, month, calendar.monthrange(y, month)[1])
    if m := _YEAR_END.match(text):
        return datetime.date(int(m[1] or year), 12, 31)
    if m := _MONTH_DAY.match(text):
        try:
            return datetime.date(int(m[1] or year), int(m[2]), int(m[3]))
        except ValueError:
            raise ValueProblem(f"完成时限“{value}”不是有效日期") from None
    try:
        return parse_date(text)
    except ValueProblem:
        raise ValueProblem(
            f"无法识别的完成时限“{value}”，请填写如“6月底前”“2022年6月30日”“12月底”或“长期”"
        ) from None


CATEGORY_WORDS = {
    Category.POLITICAL: ("政治统领", "政治"),
    Category.COVERAGE: ("两个覆盖", "覆盖"),
    Category.THREE: ("三重",),
    Category.INTEGRATION: ("融入融合", "融合", "融入"),
    Category.BRAND: ("品牌示范", "品牌", "示范"),
}


def parse_category(value) -> str:
    text = str(value or "").strip()
    for category, words in CATEGORY_WORDS.items():
        if any(word in text for word in words):
            return category
    labels = "、".join(label for _, label in Category.choices)
    raise ValueProblem(f"无法识别的任务类别“{text}”，应为：{labels}")


@dataclass
class TaskData:
    code: str
    category: str
    title: str
    requirement: str
    lead: object
    units: list
    start: datetime.date
    deadline: datetime.date | None
    deadline_text: str = ""
    milestones: str = ""


@transaction.atomic
def get_or_create_plan(year: int, *, actor, source: str | None = None) -> Plan:
    plan, created = Plan.objects.get_or_create(year=year)
    if created:
        audit.record(
            "dispatch.plan.created", actor=actor, obj=plan, after=audit.snapshot(plan), source=source
        )
    return plan


def _task_snapshot(task: Task) -> dict:
    data = audit.snapshot(
        task, ["code", "category", "title", "requirement", "lead", "start", "deadline", "milestones"]
    )
    data["units"] = [
        a.unit.name for a in task.assignments.select_related("unit").order_by("-is_lead", "unit__sort")
    ]
    return data


@transaction.atomic
def save_task(plan: Plan, data: TaskData, *, actor, task: Task | None = None, source: str | None = None):
    """Create or update a task (by plan and code when `task` is None). Returns (task, created|updated|unchanged)."""
    if task is None:
        task = Task.objects.filter(plan=plan, code=data.code).first()
    created = task is None
    before = None if created else _task_snapshot(task)
    task = task or Task(plan=plan)
    for name in (
        "code",
        "category",
        "title",
        "requirement",
        "lead",
        "start",
        "deadline",
        "deadline_text",
        "milestones",
    ):
        setattr(task, name, getattr(data, name))
    task.save()
    wanted = {data.lead.pk: True} | {u.pk: False for u in data.units if u.pk != data.lead.pk}
    current = {a.unit_id: a for a in task.assignments.all()}
    for unit_id, assignment in current.items():
        if unit_id not in wanted:
            assignment.delete()
        elif assignment.is_lead != wanted[unit_id]:
            assignment.is_lead = wanted[unit_id]
            assignment.save(update_fields=["is_lead"])
    TaskUnit.objects.bulk_create(
        [TaskUnit(task=task, unit_id=uid, is_lead=lead) for uid, lead in wanted.items() if uid not in current]
    )
    after = _task_snapshot(task)
    if created:
        audit.record("dispatch.task.created", actor=actor, obj=task, after=after, source=source)
        return task, "created"
    old, new = audit.changed(before, after)
    if not new:
        return task, "unchanged"
    audit.record("dispatch.task.updated", actor=actor, obj=task, before=old, after=new, source=source)
    return task, "updated"


@transaction.atomic
def update_plan_settings(plan: Plan, *, actor, **values) -> Plan:
    before = audit.snapshot(plan)
    for name, value in values.items():
        setattr(plan, name, value)
    plan.save()
    old, new = audit.changed(before, audit.snapshot(plan))
    if new:
        audit.record("dispatch.plan.updated", actor=actor, obj=plan, before=old, after=new)
    return plan
