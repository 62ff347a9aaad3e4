"""POST /api/v1/reports/: a member unit's system submits its monthly report (月调度) through
dispatch's own service (`dispatch.reports.save_report`), as the unit's page does."""

from __future__ import annotations

import datetime

from django.http import Http404
from ninja import Field, Router, Schema

from liangxin.api.problems import ApiProblem
from liangxin.api.schemas import ERRORS
from liangxin.api.writes import idempotent, require_write
from liangxin.core.models import AuditLog
from liangxin.dispatch import reports as report_service
from liangxin.dispatch.models import Period, Task
from liangxin.dispatch.periods import DispatchError, parse_period_key
from liangxin.dispatch.units import acting_unit

router = Router(tags=["月调度"])


class ReportIn(Schema):
    period: str = Field(description="调度期 YYYY-MM")
    task_id: int
    status: str = Field(description="not_started / on_track / done / lagging")
    percent: int = Field(description="完成进度 0–100")
    progress: str = ""
    problems: str = ""
    next_steps: str = ""
    submit: bool = Field(True, description="true 报送；false 保存为草稿")


class ReportOut(Schema):
    id: int
    state: str
    state_label: str
    submitted_at: datetime.datetime | None


@router.post("/", response={200: ReportOut, **ERRORS}, summary="成员单位报送（或保存）本月调度报告")
def submit_report(request, body: ReportIn):
    require_write(request)
    user = request.auth.user
    unit = acting_unit(user)
    if unit is None:
        raise ApiProblem(403, "令牌代表的账号不是报送单位（成员单位或县级账号），不能报送")
    try:
        period = Period.objects.select_related("plan").get(month=parse_period_key(body.period))
    except (DispatchError, Period.DoesNotExist):
        raise Http404(f"调度期“{body.period}”不存在") from None
    task = Task.objects.restrict(user).filter(pk=body.task_id, plan=period.plan).first()
    if task is None:
        raise Http404("未找到该任务，或您不是它的报送单位")

    def work():
        data = {name: getattr(body, name) for name in report_service.FIELDS}
        try:
            report = report_service.save_report(
                actor=user, task=task, unit=unit, period=period, data=data, submit=body.submit,
                source=AuditLog.Source.API,
            )  # fmt: skip
        except DispatchError as exc:
            raise ApiProblem(422, str(exc)) from None
        return 200, {
            "id": report.pk,
            "state": report.state,
            "state_label": report.get_state_display(),
            "submitted_at": report.submitted_at,
        }

    return idempotent(request, work)
