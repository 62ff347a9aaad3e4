"""Login lockouts (django-axes, keyed on username + address), as the security administrator sees them."""

from __future__ import annotations

from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone


def _active():
    since = timezone.now() - timedelta(hours=settings.AXES_COOLOFF_TIME)
    return AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    )


def locked_usernames(usernames) -> set[str]:
    return set(_active().filter(username__in=list(usernames)).values_list("username", flat=True))


def current() -> list[dict]:
    """Each locked username and address, with its failures and when the lock lifts by itself."""
    from liangxin.accounts.models import User

    cooloff = timedelta(hours=settings.AXES_COOLOFF_TIME)
    rows = list(_active().order_by("-attempt_time"))
    users = dict(User.objects.filter(username__in=[r.username for r in rows]).values_list("username", "pk"))
    return [
        {
            "username": r.username,
            "user_pk": users.get(r.username),
            "ip": r.ip_address,
            "failures": r.failures_since_start,
            "last": r.attempt_time,
            "until": r.attempt_time + cooloff,
        }
        for r in rows
    ]
