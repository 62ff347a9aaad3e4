"""The year's rhythm: on January 1 the dispatch does not stop.

`dispatch_tick` drafts the new year's plan from the old one: every 长期 task (no deadline) and
every task not done by December 31 carries over, with its units (its milestones were the old
year's — a plan's milestones fall in its own year — so the office sets this year's).
The draft opens no period: the office reviews it (edits, adds, removes tasks, or imports the new
year's list) and confirms it, and only then is the month's period opened. The old year is not
touched and stays readable."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction

from liangxin.core import audit
from liangxin.dispatch.models import Period, Plan, Task, TaskUnit
from liangxin.dispatch.periods import open_period
from liangxin.dispatch.status import period_status, task_done

KNOBS = ("lag_points", "weight_on_time", "weight_done", "penalty_returned", "late_credit")


def tasks_to_carry(old: Plan) -> list[Task]:
    """The old plan's 长期 tasks and those not done by its last day (as its last period shows
    them on December 31), in plan order."""
    year_end = datetime.date(old.year, 12, 31)
    last = Period.objects.filter(plan=old).order_by("-month").first()
    status = period_status(last, year_end) if last is not None else None
    return [t for t in old.tasks.order_by("sort_key") if t.deadline is None or not task_done(status, t.pk)]


def _carry(task: Task, plan: Plan, *, actor, source: str | None) -> Task:
    first_day = datetime.date(plan.year, 1, 1)
    new = Task.objects.create(
        plan=plan,
        code=task.code,
        category=task.category,
        title=task.title,
        requirement=task.requirement,
        lead=task.lead,
        start=first_day,
        deadline=task.deadline,
        deadline_text=task.deadline_text,
        carried_from=task,
    )
    TaskUnit.objects.bulk_create(
        [TaskUnit(task=new, unit_id=a.unit_id, is_lead=a.is_lead) for a in task.assignments.all()]
    )
    audit.record(
        "dispatch.task.carried_over",
        actor=actor,
        obj=new,
        after={"from": f"{task.plan.year}年 {task.code}. {task.title}", "deadline": new.deadline_label},
        source=source,
    )
    return new


def draft_plan(year: int, *, actor=None, source: str | None = "command") -> tuple[Plan | None, int]:
    """The `year` plan drafted from `year - 1`'s: (the plan, tasks carried), or (None, 0) when
    there is no earlier plan, or (the existing plan, 0) when `year` already has one."""
    existing = Plan.objects.filter(year=year).first()
    if existing is not None:
        return existing, 0
    old = Plan.objects.filter(year=year - 1).first()
    if old is None:
        return None, 0
    try:
        with transaction.atomic():
            plan = Plan.objects.create(year=year, is_draft=True, **{k: getattr(old, k) for k in KNOBS})
            carried = [_carry(t, plan, actor=actor, source=source) for t in tasks_to_carry(old)]
            audit.record(
                "dispatch.plan.drafted",
                actor=actor,
                obj=plan,
                after={"from_year": old.year, "tasks_carried": len(carried)},
                source=source,
            )
    except IntegrityError:  # another tick drafted it at the same moment
        return Plan.objects.get(year=year), 0
    return plan, len(carried)


@transaction.atomic
def confirm_plan(plan: Plan, *, actor, today: datetime.date) -> Period | None:
    """The office confirms a draft: it becomes the year's plan and, in its year, this month's
    period opens at once. Returns the period opened (None outside the plan's year)."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.is_draft:
        plan.is_draft = False
        plan.save(update_fields=["is_draft"])
        audit.record("dispatch.plan.confirmed", actor=actor, obj=plan, after={"tasks": plan.tasks.count()})
    if today.year != plan.year:
        return None
    period, _ = open_period(today, actor=actor)
    return period
