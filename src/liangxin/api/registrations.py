"""POST /api/v1/registrations/: the registration systems (市场监管, 民政) push 设立/变更/注销 as
they happen. Each event is an upsert through the importer's rules and the registry's write
path; the registry opens the 三同步 follow-ups (routed to the gatekeeping unit) as for any new
or closed organization."""

from __future__ import annotations

import datetime

from django.utils import timezone
from ninja import Field, Router, Schema

from liangxin.api.organizations import _get, _payload
from liangxin.api.problems import ApiProblem
from liangxin.api.schemas import ERRORS, FieldError, OrganizationIn
from liangxin.api.writes import idempotent, require_write, upsert
from liangxin.registry import followups
from liangxin.registry.forms import OrganizationForm
from liangxin.registry.models import FollowUp

router = Router(tags=["登记信息推送（三同步）"])

EVENTS = {
    "设立": "establish",
    "变更": "change",
    "注销": "cancel",
    "establish": "establish",
    "change": "change",
    "cancel": "cancel",
}


class RegistrationIn(Schema):
    event: str = Field(description="设立 / 变更 / 注销（也可写 establish / change / cancel）")
    occurred_on: datetime.date | None = Field(None, description="登记日期")
    organization: OrganizationIn


class FollowUpOut(Schema):
    id: int
    kind: str
    kind_label: str
    unit: str | None = Field(description="责任单位（把关部门）")
    due_on: datetime.date
    status: str


class RegistrationOut(Schema):
    event: str
    credit_code: str
    created: int
    updated: int
    unchanged: int
    warnings: list[FieldError]
    followups: list[FollowUpOut] = Field(description="该组织的待办三同步跟进事项")


@router.post("/", response={200: RegistrationOut, **ERRORS}, summary="登记信息推送：设立/变更/注销")
def registration(request, body: RegistrationIn):
    require_write(request)
    event = EVENTS.get(body.event.strip())
    if event is None:
        raise ApiProblem(422, f"事件类型“{body.event}”无法识别，应为 设立、变更 或 注销")
    code = (body.organization.credit_code or "").strip()
    if not code:
        raise ApiProblem(
            422,
            "请填写统一社会信用代码",
            errors=[{"field": "organization.credit_code", "message": "“统一社会信用代码”不能为空，请填写"}],
        )

    def work():
        user = request.auth.user
        item = _payload(body.organization)
        if event == "cancel":
            org = _get(user, code)  # only an organization the token sees can be cancelled
            item = {
                **OrganizationForm.initial_for(org, user),
                **item,
                "credit_code": org.credit_code,
                "status": "注销",
            }
        result, warnings = upsert(request, [item])
        org = _get(user, item["credit_code"])
        open_followups = FollowUp.objects.filter(
            organization=org, status=FollowUp.Status.OPEN
        ).select_related("unit")
        return 200, {
            "event": body.event,
            "credit_code": org.credit_code,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "warnings": warnings,
            "followups": [
                {
                    "id": f.pk,
                    "kind": f.kind,
                    "kind_label": f.get_kind_display(),
                    "unit": f.unit.name if f.unit_id else None,
                    "due_on": f.due_on,
                    "status": f.status,
                }
                for f in open_followups
            ],
        }

    return idempotent(request, work)


@router.get(
    "/followups/figures",
    response={200: dict, **ERRORS},
    summary="三同步跟进统计：发起、按期办结、逾期办结、待办、已逾期（合计与按责任单位）",
)
def followup_figures(request, as_of: datetime.date | None = None):
    rows = FollowUp.objects.restrict(request.auth.user)
    return followups.figures(rows, as_of=as_of or timezone.localdate())
