"""The audit service: one explicit call, in the same transaction as the change it records.

Every service function that changes data calls `record(...)`. The request's IP and the source
("page" for web requests) come from a context variable set by `RequestContextMiddleware`, so
services need no request object; commands and imports pass `source` explicitly.
"""

from __future__ import annotations

import contextvars
import datetime
import decimal
import getpass
from dataclasses import dataclass
from typing import Any

from django.db import models

from liangxin.core import auditchain
from liangxin.core.models import AuditLog


@dataclass(frozen=True)
class RequestContext:
    ip: str | None
    source: str = AuditLog.Source.PAGE
    detail: str = ""  # e.g. the API token's name: every record of the request names it


_context: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "liangxin_request", default=None
)


def set_request_context(ctx: RequestContext | None) -> contextvars.Token:
    return _context.set(ctx)


def reset_request_context(token: contextvars.Token) -> None:
    _context.reset(token)


def current_ip() -> str | None:
    ctx = _context.get()
    return ctx.ip if ctx else None


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The audited values of `obj`: concrete fields (foreign keys by their display text)."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in ("password",):
            continue
        if field.is_relation:
            data[field.name] = str(getattr(obj, field.name)) if getattr(obj, field.attname) else None
        else:
            data[field.name] = _jsonable(getattr(obj, field.attname))
    return data


def changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose values differ, for a compact before/after pair."""
    keys = [k for k in after if before.get(k) != after.get(k)] + [k for k in before if k not in after]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def current_source() -> str:
    ctx = _context.get()
    return ctx.source if ctx else AuditLog.Source.COMMAND


def build(
    action: str,
    *,
    actor=None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: dict | None = None,
    after: dict | None = None,
    source: str | None = None,
    source_detail: str = "",
    result: str = AuditLog.Result.SUCCESS,
    message: str = "",
    actor_name: str = "",
) -> AuditLog:
    """An unsaved audit row (for bulk insertion by imports through `auditchain.append`, which
    chains and saves them); `record` saves one."""
    ctx = _context.get()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditLog(
        actor=actor if is_user else None,
        actor_name=actor_name or (actor.get_username() if is_user else ""),
        role=getattr(actor, "role", "") if is_user else "",
        ip=ctx.ip if ctx else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        source=source or (ctx.source if ctx else AuditLog.Source.COMMAND),
        source_detail=(source_detail or (ctx.detail if ctx else ""))[:255],
        result=result,
        message=message[:500],
    )


def server_operator() -> str:
    """How the log names a command run on the server without --user: by the operating-system
    user who ran it."""
    try:
        name = getpass.getuser()
    except (OSError, KeyError):
        name = "?"
    return f"服务器命令（{name}）"


def record(action: str, **kwargs: Any) -> AuditLog:
    """Write one audit row. `action` is namespaced: ``app.object.verb`` (e.g. ``core.area.created``);
    keyword arguments as for `build`."""
    row = build(action, **kwargs)
    auditchain.append([row])
    return row
