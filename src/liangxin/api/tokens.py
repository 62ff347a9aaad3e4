"""Integration tokens: created by the security administrator, shown once, stored as a digest,
expiring and revocable, with a per-token rate limit.

三员分立: a token is its account, so a token acting as 工委办公室 (the whole city) is as
privileged as that account. Like the account itself it is made only on the server
(`liangxin api_token`, actor ``None``); the security administrator's pages make tokens for the
scoped accounts only, and a refusal is audited."""

from __future__ import annotations

import datetime
import hmac
import math
import secrets
import time

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from liangxin.api.models import ApiToken, digest
from liangxin.core import audit
from liangxin.core.models import AuditLog
from liangxin.core.roles import ADMIN_ROLES, Role

SCHEME = "lx"
MAX_DAYS = 730


class TokenError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


CITY_WIDE_REFUSED = (
    "代表工委办公室（全市范围）的接口令牌只能在服务器上用 liangxin api_token 命令创建"
    "（三员分立：安全管理员不能借令牌取得全市数据）"
)


def _check_admin(actor, *, server: bool = False) -> None:
    """The security administrator; `server`: the server command (actor ``None``) too."""
    if actor is None and server:
        return
    if actor is None or actor.role != Role.SECURITY_ADMIN:
        raise PermissionError("只有安全管理员可以管理接口令牌")


def create_token(
    *, actor, name: str, user, access: str, days: int, rate_per_minute: int = 120
) -> tuple[ApiToken, str]:
    """A new token acting as `user` (its jurisdiction): returns the row and the secret, which
    is shown this once and never stored. `actor` ``None`` is the server command, the only way
    to a token acting as 工委办公室."""
    _check_admin(actor, server=True)
    if actor is not None and user is not None and user.role == Role.OFFICE:
        # Recorded outside the creation's transaction, so the refusal stays in the log.
        audit.record(
            "api.token.create_refused",
            actor=actor,
            object_type="api.apitoken",
            object_repr=(name or "").strip()[:200],
            after={"name": (name or "").strip(), "user": user.get_username(), "access": access},
            result=AuditLog.Result.FAILURE,
            message=CITY_WIDE_REFUSED,
        )
        raise TokenError(CITY_WIDE_REFUSED)
    with transaction.atomic():
        return _create_token(
            actor=actor, name=name, user=user, access=access, days=days, rate_per_minute=rate_per_minute
        )


def _create_token(
    *, actor, name: str, user, access: str, days: int, rate_per_minute: int
) -> tuple[ApiToken, str]:
    name = (name or "").strip()
    if not name:
        raise TokenError("请填写令牌名称（对接系统的名称）")
    if ApiToken.objects.filter(name=name).exists():
        raise TokenError(f"已有名为“{name}”的令牌，请换一个名称")
    if user is None or not user.is_active or user.role in ADMIN_ROLES:
        raise TokenError("令牌只能代表在用的业务账号（不能代表系统、安全、审计管理员）")
    if access not in ApiToken.Access.values:
        raise TokenError("权限应为 只读 或 读写")
    if not 1 <= days <= MAX_DAYS:
        raise TokenError(f"有效期应为 1 至 {MAX_DAYS} 天")
    if not 1 <= rate_per_minute <= 100_000:
        raise TokenError("每分钟请求上限应为 1 至 100000")
    prefix = secrets.token_hex(4)
    secret = f"{SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        name=name,
        user=user,
        access=access,
        prefix=prefix,
        key_hash=digest(secret),
        rate_per_minute=rate_per_minute,
        created_by=actor,
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    audit.record(
        "api.token.created",
        actor=actor,
        actor_name="" if actor is not None else audit.server_operator(),
        obj=token,
        after={
            "name": name,
            "user": user.get_username(),
            "access": token.get_access_display(),
            "expires_at": token.expires_at,
            "rate_per_minute": rate_per_minute,
        },
    )
    return token, secret


@transaction.atomic
def revoke_token(token: ApiToken, *, actor) -> ApiToken:
    _check_admin(actor)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record("api.token.revoked", actor=actor, obj=token, after={"revoked_at": token.revoked_at})
    return token


def find_token(secret: str) -> ApiToken | None:
    """The live token `secret` names, or None (unknown, wrong, revoked, expired, or its account
    disabled): all look the same to the caller."""
    parts = (secret or "").split("_", 2)
    if len(parts) != 3 or parts[0] != SCHEME or len(parts[1]) != 8:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.key_hash, digest(secret)):
        return None
    now = timezone.now()
    if token.revoked_at or token.expires_at <= now or not token.user.is_active:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # at most once a minute
    return token


def over_limit(token: ApiToken, *, now: float | None = None) -> int | None:
    """Count one request in the token's current minute; the seconds to wait when that makes it
    one too many, else None. A fixed one-minute window in the cache."""
    now = time.time() if now is None else now
    window = int(now // 60)
    key = f"api-rate:{token.pk}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    if count > token.rate_per_minute:
        return max(1, math.ceil((window + 1) * 60 - now))
    return None
