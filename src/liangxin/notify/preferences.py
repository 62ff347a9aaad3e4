"""A user's own choice of which notices each channel brings (消息接收设置)."""

from __future__ import annotations

from django.db import transaction

from liangxin.core import audit
from liangxin.dispatch.models import NOTICE_KINDS
from liangxin.notify.channels import kinds_for
from liangxin.notify.models import Channel, Preference


def current(user) -> dict[str, list[str]]:
    preference = Preference.objects.filter(user=user).first()
    return {channel: kinds_for(preference, channel) for channel in Channel.values}


@transaction.atomic
def save(user, *, robot_kinds: list[str], sms_kinds: list[str]) -> Preference:
    """Only the user changes their own choice (the account page); audited with before/after."""
    unknown = sorted((set(robot_kinds) | set(sms_kinds)) - set(NOTICE_KINDS))
    if unknown:
        raise ValueError(f"没有这种提醒：{'、'.join(unknown)}")
    before = current(user)
    preference, _ = Preference.objects.select_for_update().get_or_create(user=user)
    preference.robot_kinds = [k for k in NOTICE_KINDS if k in robot_kinds]
    preference.sms_kinds = [k for k in NOTICE_KINDS if k in sms_kinds]
    preference.save()
    audit.record(
        "notify.preference.updated",
        actor=user,
        obj=user,
        before=before,
        after={Channel.ROBOT: preference.robot_kinds, Channel.SMS: preference.sms_kinds},
    )
    return preference
