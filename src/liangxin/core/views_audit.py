"""The audit administrator's page: the log in Chinese, filtered, exported, an object's history."""

from __future__ import annotations

import datetime
import tempfile

from django.db.models import Q
from django.http import FileResponse
from django.shortcuts import render
from django.utils import timezone

from liangxin.core import audit
from liangxin.core.audit_labels import action_label, object_name
from liangxin.core.exporting import write_xlsx
from liangxin.core.listing import paginate
from liangxin.core.masking import masked_logged
from liangxin.core.models import AuditLog
from liangxin.core.permissions import role_required
from liangxin.core.roles import Role

ROLE_NAMES = dict(Role.choices)
EXPORT_HEADERS = ["时间", "操作人", "角色", "IP", "操作", "操作代码", "对象类型", "对象", "对象ID",
                  "来源", "来源说明", "结果", "说明", "修改前", "修改后"]  # fmt: skip


def _day(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        return None


def _start_of(day: datetime.date) -> datetime.datetime:
    """Midnight of a local (Asia/Shanghai) date, as an aware datetime."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def filtered(params) -> tuple[object, dict]:
    """The records the filters in `params` select, and the filters as read (for the form)."""
    f = {
        "user": params.get("user", "").strip(),
        "role": params.get("role", ""),
        "action": params.get("action", "").strip(),
        "object_type": params.get("object_type", "").strip(),
        "object_id": params.get("object_id", "").strip(),
        "q": params.get("q", "").strip(),
        "result": params.get("result", ""),
        "date_from": _day(params.get("date_from", "")),
        "date_to": _day(params.get("date_to", "")),
    }
    logs = AuditLog.objects.all()
    if f["user"]:
        logs = logs.filter(actor_name__contains=f["user"])
    if f["role"] in ROLE_NAMES:
        logs = logs.filter(role=f["role"])
    if f["action"]:  # a chosen action, or a typed prefix such as "accounts."
        logs = logs.filter(action__startswith=f["action"])
    if f["object_type"]:
        logs = logs.filter(object_type=f["object_type"])
    if f["object_id"]:
        logs = logs.filter(object_id=f["object_id"])
    if f["q"]:
        logs = logs.filter(
            Q(object_repr__contains=f["q"]) | Q(ip__startswith=f["q"]) | Q(message__contains=f["q"])
        )
    if f["result"] in AuditLog.Result.values:
        logs = logs.filter(result=f["result"])
    if f["date_from"]:
        logs = logs.filter(at__gte=_start_of(f["date_from"]))
    if f["date_to"]:
        logs = logs.filter(at__lt=_start_of(f["date_to"] + datetime.timedelta(days=1)))
    return logs, f


def _choices() -> dict:
    """What the select boxes offer: the actions and object types the log holds, in Chinese."""
    actions = AuditLog.objects.order_by().values_list("action", flat=True).distinct()
    types = (
        AuditLog.objects.exclude(object_type="").order_by().values_list("object_type", flat=True).distinct()
    )
    return {
        "actions": sorted(((a, action_label(a)) for a in actions), key=lambda pair: pair[0]),
        "object_types": sorted(((t, object_name(t)) for t in types), key=lambda pair: pair[0]),
        "roles": [(value, label) for value, label in Role.choices],
        "results": AuditLog.Result.choices,
    }


@role_required(Role.AUDIT_ADMIN)
def audit_log(request):
    logs, f = filtered(request.GET)
    page, query = paginate(request, logs)
    for log in page:  # the audit administrator keeps no row: personal data masked
        log.before, log.after = masked_logged(log)
        log.label = action_label(log.action, log.object_type)
        log.role_name = ROLE_NAMES.get(log.role, log.role)
        log.object_name = object_name(log.object_type) if log.object_type else ""
    return render(request, "core/audit_log.html", {"page": page, "query": query, "f": f, **_choices()})


def _export_rows(logs):
    for log in logs.iterator(chunk_size=2000):
        before, after = masked_logged(log)
        yield [
            timezone.localtime(log.at).strftime("%Y-%m-%d %H:%M:%S"),
            log.actor_name,
            ROLE_NAMES.get(log.role, log.role),
            log.ip or "",
            action_label(log.action, log.object_type),
            log.action,
            object_name(log.object_type) if log.object_type else "",
            log.object_repr,
            log.object_id,
            log.get_source_display(),
            log.source_detail,
            log.get_result_display(),
            log.message,
            "" if before is None else str(before),
            "" if after is None else str(after),
        ]


@role_required(Role.AUDIT_ADMIN)
def audit_export(request):
    logs, f = filtered(request.GET)
    audit.record(
        "core.audit.exported",
        actor=request.user,
        object_type="core.auditlog",
        after={k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in f.items() if v},
    )
    handle = tempfile.TemporaryFile()
    write_xlsx(
        handle, [("审计日志", EXPORT_HEADERS, _export_rows(logs))], widths={0: 20, 4: 24, 13: 40, 14: 40}
    )
    handle.seek(0)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(handle, as_attachment=True, filename=f"审计日志-{stamp}.xlsx")
