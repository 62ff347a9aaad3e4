"""`--user USERNAME` of the figure commands: the figures are computed over what that account may
see (`restrict(user, "view")`), as its pages show them; without it, over the whole city."""

from __future__ import annotations

from django.core.management.base import CommandError


def command_user(username: str | None):
    if not username:
        return None
    from liangxin.accounts.models import User

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"用户“{username}”不存在或已停用")
    return user
