"""Account changes: plain atomic functions with an explicit actor, each audited.

The 三员分立 rule (`guards.check_account_change`) runs first, outside the transaction, so a
refusal's audit row stays written. ``actor=None`` is the server command (`liangxin account`,
`liangxin adduser`).
"""

from __future__ import annotations

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from liangxin.accounts import guards
from liangxin.accounts.models import PasswordHistory, User
from liangxin.core import audit
from liangxin.core.models import RegionLevel
from liangxin.core.roles import ADMIN_ROLES, REGION_ROLE_LEVELS, Role

AUDITED_FIELDS = ["username", "full_name", "phone", "role", "region", "area", "member_unit", "is_active"]
PERMISSION_FIELDS = {"role", "region", "area", "member_unit", "is_active"}


def _who(actor) -> dict:
    """Audit keywords for the actor; the server command is named by the operating-system user."""
    if actor is not None:
        return {"actor": actor}
    return {"actor": None, "actor_name": audit.server_operator()}


def check_jurisdiction(user: User) -> None:
    """A role and its jurisdiction must fit together; raises ValidationError in Chinese."""
    role = user.role
    errors: dict[str, str] = {}
    if role in ADMIN_ROLES or role == Role.OFFICE:
        if user.region_id or user.area_id or user.member_unit_id:
            errors["role"] = f"{Role(role).label}不设管辖范围，请清空所辖区划、功能区和成员单位"
    elif role in REGION_ROLE_LEVELS:
        level = REGION_ROLE_LEVELS[role]
        if user.region is None:
            errors["region"] = f"{Role(role).label}用户必须选择所辖区划"
        elif user.region.level != level:
            errors["region"] = f"{Role(role).label}用户的所辖区划应为{RegionLevel(level).label}级"
    elif role == Role.PARK:
        if user.area_id is None:
            errors["area"] = "园区用户必须选择所辖功能区"
    elif role == Role.MEMBER_UNIT:
        if user.member_unit_id is None:
            errors["member_unit"] = "成员单位用户必须选择所属成员单位"
    elif role == Role.INSTRUCTOR:
        pass  # sees the organizations assigned to them; a region is optional
    else:
        errors["role"] = "请选择角色"
    if errors:
        raise ValidationError(errors)


def _store_password(user: User, password: str) -> None:
    """Hash the password, stamp its date and keep it in the history (the last N are refused)."""
    user.set_password(password)
    user.password_changed_at = timezone.now()


def _remember_password(user: User) -> None:
    PasswordHistory.objects.create(user=user, password=user.password, created_at=user.password_changed_at)
    keep = settings.LIANGXIN_PASSWORD_HISTORY
    old = (
        PasswordHistory.objects.filter(user=user).order_by("-created_at", "-pk").values_list("pk", flat=True)
    )
    PasswordHistory.objects.filter(pk__in=list(old[keep:])).delete()


def _jsonable(changes: dict) -> dict:
    return {k: (str(v) if v is not None and not isinstance(v, bool | int) else v) for k, v in changes.items()}


def create_user(*, actor, password: str, source: str | None = None, **fields) -> User:
    guards.check_account_change(
        actor,
        None,
        "create",
        new_role=fields.get("role"),
        attempted={"username": fields.get("username", ""), "role": fields.get("role", "")},
    )
    return _create_user(actor=actor, password=password, source=source, **fields)


@transaction.atomic
def _create_user(*, actor, password: str, source: str | None = None, **fields) -> User:
    user = User(**fields)
    check_jurisdiction(user)
    validate_password(password, user)
    _store_password(user, password)
    user.must_change_password = actor is not None
    user.full_clean(exclude=["password"])
    user.save()
    _remember_password(user)
    audit.record(
        "accounts.user.created",
        obj=user,
        after=audit.snapshot(user, AUDITED_FIELDS),
        source=source,
        **_who(actor),
    )
    return user


def update_user(user: User, *, actor, source: str | None = None, **changes) -> User:
    guards.check_account_change(
        actor, user, "update", new_role=changes.get("role", user.role), attempted=_jsonable(changes)
    )
    return _update_user(user, actor=actor, source=source, **changes)


@transaction.atomic
def _update_user(user: User, *, actor, source: str | None = None, **changes) -> User:
    before = audit.snapshot(User.objects.get(pk=user.pk), AUDITED_FIELDS)
    for key, value in changes.items():
        setattr(user, key, value)
    check_jurisdiction(user)
    user.full_clean(exclude=["password"])
    user.save()
    b, a = audit.changed(before, audit.snapshot(user, AUDITED_FIELDS))
    if a:
        # Role and jurisdiction changes are permission changes: they get their own action name.
        action = (
            "accounts.user.permissions_changed" if PERMISSION_FIELDS & set(a) else "accounts.user.updated"
        )
        audit.record(action, obj=user, before=b, after=a, source=source, **_who(actor))
    return user


def change_own_password(user: User, password: str) -> None:
    """The owner chooses a new password (the password-change page, also when forced)."""
    _set_password(user, password, actor=user, own=True, source=None)


def reset_password(user: User, password: str, *, actor, source: str | None = None) -> None:
    """The security administrator (ordinary accounts) or the server command sets a password;
    the user must change it at next login."""
    guards.check_account_change(actor, user, "password")
    _set_password(user, password, actor=actor, own=False, source=source)


@transaction.atomic
def _set_password(user: User, password: str, *, actor, own: bool, source: str | None) -> None:
    validate_password(password, user)
    _store_password(user, password)
    user.must_change_password = not own
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    _remember_password(user)
    action = "accounts.user.password_changed" if own else "accounts.user.password_reset"
    audit.record(action, obj=user, source=source, **_who(actor))


def unlock_user(user: User, *, actor) -> int:
    """Lift every login lockout (django-axes) of this username, from whichever address."""
    guards.check_account_change(actor, user, "unlock")
    return _unlock_user(user, actor=actor)


@transaction.atomic
def _unlock_user(user: User, *, actor) -> int:
    count = axes_reset(username=user.username)
    audit.record("accounts.user.unlocked", obj=user, after={"cleared_attempts": count}, **_who(actor))
    return count
