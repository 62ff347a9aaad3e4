"""Plans, tasks, periods and reports for dispatch tests."""

from __future__ import annotations

import datetime

import xlsxwriter
from django.utils import timezone

from liangxin.core.models import MemberUnit
from liangxin.dispatch import reports
from liangxin.dispatch.models import Category, Period, Plan, Task, TaskUnit


def make_plan(year: int = 2022, **fields) -> Plan:
    return Plan.objects.get_or_create(year=year, defaults=fields)[0]


def make_task(
    code: str = "1",
    *,
    lead: str = "交通运输局",
    units: tuple[str, ...] = (),
    title: str | None = None,
    start: datetime.date = datetime.date(2022, 1, 1),
    deadline: datetime.date | None = datetime.date(2022, 6, 30),
    category: str = Category.THREE,
    plan: Plan | None = None,
) -> Task:
    plan = plan or make_plan(start.year)
    task = Task.objects.create(
        plan=plan,
        code=code,
        category=category,
        title=title or f"重点任务{code}",
        lead=MemberUnit.objects.get(name=lead),
        start=start,
        deadline=deadline,
    )
    TaskUnit.objects.create(task=task, unit=task.lead, is_lead=True)
    for name in units:
        TaskUnit.objects.create(task=task, unit=MemberUnit.objects.get(name=name))
    return task


def make_period(month: str = "2022-05", **fields) -> Period:
    first = datetime.date.fromisoformat(month + "-01")
    return Period.objects.get_or_create(month=first, defaults={"plan": make_plan(first.year), **fields})[0]


def at(day: str, hour: int = 10) -> datetime.datetime:
    d = datetime.date.fromisoformat(day)
    return timezone.make_aware(datetime.datetime(d.year, d.month, d.day, hour))


def unit(name: str) -> MemberUnit:
    return MemberUnit.objects.get(name=name)


def submit(
    task,
    unit_name: str,
    period: Period,
    *,
    when: str,
    status: str = "on_track",
    percent: int = 50,
    actor=None,
    **text,
):
    data = {
        "status": status,
        "percent": percent,
        "progress": text.get("progress", "按计划推进"),
        "problems": text.get("problems", ""),
        "next_steps": text.get("next_steps", ""),
    }
    return reports.save_report(
        actor=actor, task=task, unit=unit(unit_name), period=period, data=data, submit=True, at=at(when)
    )


def write_workbook(path, rows: list[list], sheet: str = "Sheet1") -> str:
    workbook = xlsxwriter.Workbook(str(path))
    worksheet = workbook.add_worksheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                worksheet.write(r, c, value)
    workbook.close()
    return str(path)
