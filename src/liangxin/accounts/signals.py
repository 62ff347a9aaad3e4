"""Logins, failures and logouts go to the audit log; each login opens a counted session."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from liangxin.accounts import sessions
from liangxin.core import audit
from liangxin.core.models import AuditLog


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    audit.record("accounts.login.succeeded", actor=user, obj=user)
    if request is not None and hasattr(request, "session"):
        sessions.start(request, user)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    audit.record(
        "accounts.login.failed",
        actor_name=username,
        object_type="accounts.user",
        object_repr=username,
        result=AuditLog.Result.FAILURE,
        message="用户名或密码错误，或账号已锁定",
    )


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if request is not None:
        sessions.end(request)
    if user is not None:
        audit.record("accounts.logout", actor=user, obj=user)
