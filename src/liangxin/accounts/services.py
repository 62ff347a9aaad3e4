"""Account changes. Only the security administrator calls these from the interface (三员分立)."""

from __future__ import annotations

from axes.utils import reset as axes_reset
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from liangxin.accounts.models import User
from liangxin.core import audit
from liangxin.core.models import RegionLevel
from liangxin.core.roles import ADMIN_ROLES, REGION_ROLE_LEVELS, Role

AUDITED_FIELDS = ["username", "full_name", "phone", "role", "region", "area", "member_unit", "is_active"]


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


def _check_password(password: str, user: User) -> None:
    validate_password(password, user)


@transaction.atomic
def create_user(*, actor, password: str, source: str | None = None, **fields) -> User:
    user = User(**fields)
    check_jurisdiction(user)
    _check_password(password, user)
    user.set_password(password)
    user.must_change_password = actor is not None
    user.full_clean(exclude=["password"])
    user.save()
    audit.record(
        "accounts.user.created",
        actor=actor,
        obj=user,
        after=audit.snapshot(user, AUDITED_FIELDS),
        source=source,
    )
    return user


@transaction.atomic
def update_user(user: User, *, actor, **changes) -> User:
    before = audit.snapshot(User.objects.get(pk=user.pk), AUDITED_FIELDS)
    for key, value in changes.items():
        setattr(user, key, value)
    check_jurisdiction(user)
    user.full_clean(exclude=["password"])
    user.save()
    b, a = audit.changed(before, audit.snapshot(user, AUDITED_FIELDS))
    if a:
        # Role and jurisdiction changes are permission changes: they get their own action name.
        permission = {"role", "region", "area", "member_unit", "is_active"} & set(a)
        action = "accounts.user.permissions_changed" if permission else "accounts.user.updated"
        audit.record(action, actor=actor, obj=user, before=b, after=a)
    return user


@transaction.atomic
def set_password(user: User, password: str, *, actor, source: str | None = None) -> None:
    """Set a password. By an administrator, the user must change it at next login."""
    _check_password(password, user)
    user.set_password(password)
    user.must_change_password = actor is not None and actor.pk != user.pk
    user.save(update_fields=["password", "must_change_password"])
    action = (
        "accounts.user.password_changed"
        if actor is None or actor.pk == user.pk
        else "accounts.user.password_reset"
    )
    audit.record(action, actor=actor, obj=user, source=source)


@transaction.atomic
def unlock_user(user: User, *, actor) -> int:
    """Lift a login lockout (django-axes) for this username."""
    count = axes_reset(username=user.username)
    audit.record("accounts.user.unlocked", actor=actor, obj=user, after={"cleared_attempts": count})
    return count
