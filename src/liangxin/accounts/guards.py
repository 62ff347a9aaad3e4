"""三员分立: who may change which account, in one place.

The pages let the security administrator manage the ordinary, scoped accounts (成员单位, 县,
乡镇, 园区, 党建指导员). The privileged accounts — 工委办公室 (sees the whole city) and the three
administrators — are opened, given or stripped of a role, disabled and given a password only
with `liangxin account` on the server (actor ``None``), which is audited too. No administrator
changes its own account through the user pages. Every refusal is written to the audit log.
"""

from __future__ import annotations

from typing import NoReturn

from django.core.exceptions import PermissionDenied

from liangxin.core import audit
from liangxin.core.models import AuditLog
from liangxin.core.roles import ADMIN_ROLES, Role

# Roles that only the server command grants, changes or resets.
PRIVILEGED_ROLES = frozenset(ADMIN_ROLES | {Role.OFFICE})

SELF_CHANGE = "不能在用户管理页面修改本人账号的角色、状态、密码或两步验证；修改本人密码请使用“修改密码”"
PRIVILEGED_CHANGE = (
    "工委办公室和系统、安全、审计管理员账号只能在服务器上用 liangxin account 命令开设、"
    "变更角色、停用或重置密码（三员分立）"
)
NOT_SECURITY_ADMIN = "只有安全管理员可以管理账号"


class Refused(PermissionDenied):
    """An account change refused by the 三员分立 rule (already audited)."""


def refuse(actor, operation: str, reason: str, *, target=None, attempted: dict | None = None) -> NoReturn:
    """Write the refusal to the audit log, then raise `Refused` with the Chinese reason."""
    audit.record(
        "accounts.user.change_refused",
        actor=actor,
        obj=target if target is not None and target.pk else None,
        object_type="accounts.user",
        object_repr=getattr(target, "username", "") or str((attempted or {}).get("username", "")),
        after={"operation": operation, **(attempted or {})},
        result=AuditLog.Result.FAILURE,
        message=reason,
    )
    raise Refused(reason)


def is_privileged(role: str | None) -> bool:
    return role in PRIVILEGED_ROLES


def check_account_change(actor, target, operation: str, *, new_role: str | None = None, attempted=None):
    """Refuse (audited) what the 三员分立 rule forbids; `actor is None` is the server command.

    `operation`: ``create``, ``update``, ``password``, ``otp_reset`` or ``unlock``. For an
    existing account the role stored in the database counts, not the one on the object.
    """
    if actor is None:
        return
    if getattr(actor, "role", None) != Role.SECURITY_ADMIN:
        refuse(actor, operation, NOT_SECURITY_ADMIN, target=target, attempted=attempted)
    if target is not None and target.pk is not None and target.pk == actor.pk:
        refuse(actor, operation, SELF_CHANGE, target=target, attempted=attempted)
    if operation in ("otp_reset", "unlock"):
        # Resetting a lost second factor or lifting a lockout grants nothing: the owner still
        # needs their own password.
        return
    stored_role = None
    if target is not None and target.pk is not None:
        stored_role = type(target).objects.filter(pk=target.pk).values_list("role", flat=True).first()
    if is_privileged(stored_role) or is_privileged(new_role):
        refuse(actor, operation, PRIVILEGED_CHANGE, target=target, attempted=attempted)
