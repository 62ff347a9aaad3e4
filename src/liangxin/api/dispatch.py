"""月调度 for other systems: the tasks and the month's status, as the task list, task page and
board show them (`Task.objects.restrict`, `dispatch.views.scoped_status`), to the roles those
pages admit."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import Http404
from ninja import Field, Query, Router, Schema

from liangxin.api.common import PageQuery, list_page, require_role
from liangxin.api.common import as_of as as_of_date
from liangxin.api.problems import ApiProblem
from liangxin.api.schemas import ERRORS
from liangxin.dispatch.models import Period, Task
from liangxin.dispatch.periods import DispatchError, default_as_of, parse_period_key
from liangxin.dispatch.views import VIEWERS, scoped_status

router = Router(tags=["月调度"])
TASK_NOT_FOUND = "未找到该任务，或不在您的管辖范围内"


@router.get(
    "/dispatch/status",
    response={200: dict[str, Any], **ERRORS},
    summary="月调度状态（与 liangxin dispatch_status --json 相同，限于可见的任务和单位）",
)
def dispatch_status(request, period: str, as_of: str | None = None):
    require_role(request, VIEWERS)
    try:
        month = parse_period_key(period)
    except DispatchError as exc:
        raise ApiProblem(422, str(exc)) from None
    row = Period.objects.filter(month=month).select_related("plan").first()
    if row is None:
        raise Http404(f"调度期 {period} 不存在")
    day = as_of_date(as_of) if as_of else default_as_of(row)
    return scoped_status(request, row, day).as_json()


class TaskOut(Schema):
    id: int
    year: int
    code: str
    category: str
    title: str
    lead: str
    start: datetime.date
    deadline: datetime.date | None
    deadline_text: str


class TaskUnitOut(Schema):
    unit: str
    is_lead: bool


class TaskDetailOut(TaskOut):
    requirement: str
    milestones: str
    units: list[TaskUnitOut]


def _task(t: Task) -> dict[str, Any]:
    return {
        "id": t.pk,
        "year": t.plan.year,
        "code": t.code,
        "category": t.category,
        "title": t.title,
        "lead": t.lead.name,
        "start": t.start,
        "deadline": t.deadline,
        "deadline_text": t.deadline_text,
    }


def _visible_tasks(request):
    require_role(request, VIEWERS)
    return Task.objects.restrict(request.auth.user).select_related("plan", "lead")


class TaskQuery(PageQuery):
    year: int | None = Field(None, description="只看该年度清单的任务")


class TaskPage(Schema):
    items: list[TaskOut]
    next_cursor: str | None = Field(None, description="下一页的游标；为空表示已到最后一页")


@router.get(
    "/tasks/",
    response={200: TaskPage, **ERRORS},
    summary="重点任务（令牌账号可见的，按年度和序号，游标分页）",
)
def tasks(request, query: Query[TaskQuery]):
    rows = _visible_tasks(request).order_by("plan__year", "sort_key", "pk")
    if query.year is not None:
        rows = rows.filter(plan__year=query.year)
    return list_page(rows, query, _task)


@router.get("/tasks/{task_id}", response={200: TaskDetailOut, **ERRORS}, summary="重点任务详情及报送单位")
def task_detail(request, task_id: int):
    task = _visible_tasks(request).filter(pk=task_id).first()
    if task is None:
        raise Http404(TASK_NOT_FOUND)
    units = task.assignments.select_related("unit").order_by("-is_lead", "unit__sort", "unit_id")
    return {
        **_task(task),
        "requirement": task.requirement,
        "milestones": task.milestones,
        "units": [{"unit": a.unit.name, "is_lead": a.is_lead} for a in units],
    }
