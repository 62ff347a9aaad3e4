"""Concurrent sessions per account: each login gets a token kept in its session and in
`LoginSession`; beyond the limit the oldest rows are removed, and their sessions end at their
next request (`SessionLimitMiddleware`). Works with any session backend (files, database)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import transaction

from liangxin.accounts.models import LoginSession
from liangxin.core import audit
from liangxin.core.roles import ADMIN_ROLES

SESSION_KEY = "liangxin_login"


def limit_for(user) -> int:
    """How many sessions the account may hold at once (0 = no limit)."""
    if user.role in ADMIN_ROLES:
        return settings.LIANGXIN_MAX_SESSIONS_ADMIN
    return settings.LIANGXIN_MAX_SESSIONS


@transaction.atomic
def start(request, user) -> None:
    token = secrets.token_hex(16)
    request.session[SESSION_KEY] = token
    LoginSession.objects.create(user=user, token=token, ip=audit.current_ip())
    limit = limit_for(user)
    if not limit:
        return
    older = list(LoginSession.objects.filter(user=user).values_list("pk", flat=True)[limit:])
    if older:
        LoginSession.objects.filter(pk__in=older).delete()
        audit.record(
            "accounts.session.superseded",
            actor=user,
            obj=user,
            after={"ended_sessions": len(older), "limit": limit},
            message=f"新的登录结束了该账号此前的 {len(older)} 个会话（每个账号最多 {limit} 个）",
        )


def end(request) -> None:
    token = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if token:
        LoginSession.objects.filter(token=token).delete()


def is_current(request) -> bool:
    token = request.session.get(SESSION_KEY)
    return bool(token) and LoginSession.objects.filter(token=token, user_id=request.user.pk).exists()
