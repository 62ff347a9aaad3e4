"""Relaying a notice beyond the browser: to the unit's 政务微信 group by robot (its own robot,
else its region's, else the city's: `robots.robot_for`; the users who chose it @-mentioned by mobile) and by SMS to each user who chose it.

`relay(notice)` is the dispatch's notify gateway (``LIANGXIN_NOTIFY_GATEWAY``): it writes one
delivery row per message and hands each to the task worker (`sending.deliver_notice`). Inside
the quiet hours a notice that is not urgent waits until they end."""

from __future__ import annotations

import copy
import datetime
import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from liangxin.dispatch.models import NOTICE_KINDS, Notice
from liangxin.dispatch.units import users_acting_for
from liangxin.notify.models import Channel, Delivery, Preference
from liangxin.notify.robots import any_robot, robot_for

# Without a choice of their own a user gets every notice in the group, and by SMS the ones
# that need doing now.
DEFAULT_KINDS = {
    Channel.ROBOT: list(NOTICE_KINDS),
    Channel.SMS: ["overdue", "chase", "returned"],
}
MOBILE = re.compile(r"^1[3-9]\d{9}$")


def channels_on() -> list[str]:
    on = []
    if any_robot():  # the city's robot or a unit's own
        on.append(Channel.ROBOT)
    if settings.LIANGXIN_NOTIFY_SMS_URL:
        on.append(Channel.SMS)
    return on


def mobile_of(user) -> str:
    """The user's mobile number, or "" when the 联系电话 is not one (a landline cannot get SMS)."""
    phone = re.sub(r"[\s-]", "", user.phone or "")
    phone = phone.removeprefix("+86")
    return phone if MOBILE.match(phone) else ""


def kinds_for(preference: Preference | None, channel: str) -> list[str]:
    """The notice kinds a user (with this stored choice, or none) gets by `channel`."""
    if preference is None:
        return list(DEFAULT_KINDS[channel])
    return list(preference.robot_kinds if channel == Channel.ROBOT else preference.sms_kinds)


def _local(hhmm: str, day: datetime.date) -> datetime.datetime:
    hours, minutes = (int(x) for x in hhmm.split(":"))
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hours, minutes)))


def quiet_until(now: datetime.datetime | None = None) -> datetime.datetime | None:
    """When the quiet hours around `now` end, or None when `now` is outside them."""
    span = settings.LIANGXIN_NOTIFY_QUIET_HOURS
    if not span:
        return None
    now = timezone.localtime(now or timezone.now())
    start, end = span
    today = now.date()
    if start <= end:  # within one day, e.g. 12:00-14:00
        if _local(start, today) <= now < _local(end, today):
            return _local(end, today)
        return None
    if now >= _local(start, today):  # 22:00 … midnight
        return _local(end, today + datetime.timedelta(days=1))
    if now < _local(end, today):  # midnight … 07:00
        return _local(end, today)
    return None


def text_of(notice: Notice) -> str:
    return f"【{notice.kind_label}】{notice.unit.name}：{notice.message}"


def robot_payload_text(content: str, mobiles: list[str] | None = None) -> dict:
    """企业微信/政务微信 group robot text message; the users who chose it are @-mentioned."""
    text = {"content": content}
    if mobiles:
        text["mentioned_mobile_list"] = mobiles
    return {"msgtype": "text", "text": text}


def robot_payload(notice: Notice, mobiles: list[str]) -> dict:
    return robot_payload_text(text_of(notice), mobiles)


def _fill(value, fields: dict[str, str]):
    if isinstance(value, str):
        for name, text in fields.items():
            value = value.replace("{" + name + "}", text)
        return value
    if isinstance(value, dict):
        return {k: _fill(v, fields) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, fields) for v in value]
    return value


def sms_payload_text(message: str, mobile: str, unit: str = "") -> dict:
    """The gateway's JSON body: `LIANGXIN_NOTIFY_SMS_TEMPLATE` with {mobile} and {message} filled in
    (inside its strings only, so a message can never change the body's shape)."""
    template = copy.deepcopy(settings.LIANGXIN_NOTIFY_SMS_TEMPLATE)
    return _fill(template, {"mobile": mobile, "message": message, "unit": unit})


def sms_payload(notice: Notice, mobile: str) -> dict:
    return sms_payload_text(text_of(notice), mobile, notice.unit.name)


def _create(notice: Notice, **fields) -> Delivery | None:
    try:
        with transaction.atomic():
            return Delivery.objects.create(notice=notice, **fields)
    except IntegrityError:  # relayed already (the unique notice/channel/recipient)
        return None


def relay(notice: Notice, *, now: datetime.datetime | None = None) -> str:
    """Write and queue the notice's robot message and SMSes; what was queued, in words."""
    on = channels_on()
    if not on:
        return ""
    from liangxin.notify.sending import deliver_notice

    now = now or timezone.now()
    urgent = notice.kind in settings.LIANGXIN_NOTIFY_URGENT_KINDS
    hold = None if urgent else quiet_until(now)
    users = list(users_acting_for(notice.unit).select_related("notify_preference"))
    chosen = {channel: [] for channel in on}
    for user in users:
        preference = getattr(user, "notify_preference", None)  # None: the user never chose
        for channel in on:
            if notice.kind in kinds_for(preference, channel):
                chosen[channel].append(user)
    made: list[Delivery] = []
    group = robot_for(notice.unit) if chosen.get(Channel.ROBOT) else None
    if group is not None and group.url:  # the unit's own work group, else its region's, else the city's
        mobiles = [m for m in (mobile_of(u) for u in chosen[Channel.ROBOT]) if m]
        made.append(
            _create(
                notice,
                channel=Channel.ROBOT,
                recipient="",
                group=group.group,
                payload=robot_payload(notice, mobiles),
            )
        )
    for user in chosen.get(Channel.SMS, []):
        mobile = mobile_of(user)
        if mobile:
            made.append(
                _create(
                    notice,
                    channel=Channel.SMS,
                    user=user,
                    recipient=mobile,
                    payload=sms_payload(notice, mobile),
                )
            )
    made = [d for d in made if d is not None]
    for delivery in made:
        delivery.next_attempt_at = hold or now
        delivery.held_for_quiet_hours = hold is not None
        delivery.save(update_fields=["next_attempt_at", "held_for_quiet_hours"])
        if hold is None:
            transaction.on_commit(lambda pk=delivery.pk: deliver_notice.enqueue(pk))
        elif deliver_notice.get_backend().supports_defer:
            transaction.on_commit(lambda pk=delivery.pk: deliver_notice.using(run_after=hold).enqueue(pk))
    robot = sum(1 for d in made if d.channel == Channel.ROBOT)
    sms = len(made) - robot
    words = "，".join(
        p for p in (f"政务微信 {robot} 条" if robot else "", f"短信 {sms} 条" if sms else "") if p
    )
    if words and hold is not None:
        words += f"（免打扰，{timezone.localtime(hold):%H:%M} 后发送）"
    return words
