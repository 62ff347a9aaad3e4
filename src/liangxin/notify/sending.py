"""Sending the relayed notices: the task worker POSTs each delivery once it is due, through the
API's webhook machinery (`api.webhooks.post`, `record`, `retry_later`: the same retries with
backoff, the same log fields). A delivery is claimed with a conditional UPDATE before it is
sent, so the worker and the tick's sweep never send one twice."""

from __future__ import annotations

import datetime
import json

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from liangxin.api import webhooks
from liangxin.notify.models import Channel, Delivery
from liangxin.notify.robots import robot_for

LEASE = datetime.timedelta(minutes=5)  # longer than one attempt's time-out
HEADERS = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "liangxin-notify/1"}


def _url(channel: str) -> str:
    return (
        settings.LIANGXIN_NOTIFY_ROBOT_URL if channel == Channel.ROBOT else settings.LIANGXIN_NOTIFY_SMS_URL
    )


def _robot_error(answer: bytes) -> str:
    """A robot answers 200 with {"errcode": …}; anything but 0 is a failure (e.g. 93000: bad key)."""
    try:
        reply = json.loads(answer.decode("utf-8"))
    except ValueError:
        return ""
    if isinstance(reply, dict) and reply.get("errcode", 0) not in (0, "0"):
        return f"机器人返回错误 {reply.get('errcode')}：{reply.get('errmsg', '')}"
    return ""


def _claim(delivery: Delivery, now: datetime.datetime) -> bool:
    same = (
        Q(next_attempt_at=delivery.next_attempt_at) if delivery.next_attempt_at else Q(next_attempt_at=None)
    )
    return bool(
        Delivery.objects.filter(
            same, pk=delivery.pk, status=delivery.status, attempts=delivery.attempts
        ).update(next_attempt_at=now + LEASE)
    )


def send(channel: str, payload: dict, url: str | None = None) -> tuple[int | None, str]:
    """POST one message to `url`, or the channel's configured address: (status code, Chinese
    error or "")."""
    url = url or _url(channel)
    if not url:
        return None, f"未配置{Channel(channel).label}的地址"
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    headers = HEADERS
    if channel == Channel.SMS:
        headers = {**HEADERS, **{str(k): str(v) for k, v in settings.LIANGXIN_NOTIFY_SMS_HEADERS.items()}}
    code, error, answer = webhooks.post(url, body, headers)
    if not error and channel == Channel.ROBOT:
        error = _robot_error(answer)
    return code, error


def attempt(delivery: Delivery) -> bool:
    """POST once and record the outcome (delivered / retry later / failed). A robot message goes
    to the robot of the notice's unit as it is configured now (a corrected address is used by
    the retries)."""
    if delivery.channel == Channel.ROBOT:
        target = robot_for(delivery.notice.unit)
        if not target.url:
            return webhooks.record(delivery, None, "未配置政务微信群机器人的地址")
        return webhooks.record(delivery, *send(delivery.channel, delivery.payload, target.url))
    return webhooks.record(delivery, *send(delivery.channel, delivery.payload))


@task()
def deliver_notice(delivery_id: int) -> str:
    delivery = Delivery.objects.filter(pk=delivery_id).first()
    if delivery is None or delivery.status not in (Delivery.Status.PENDING, Delivery.Status.RETRYING):
        return "skipped"
    now = timezone.now()
    if (
        delivery.status == Delivery.Status.PENDING
        and delivery.next_attempt_at
        and delivery.next_attempt_at > now
    ):
        return "held"  # quiet hours: the worker (run_after) or the tick's sweep sends it later
    if not _claim(delivery, now):
        return "skipped"  # another worker has it
    if attempt(delivery):
        return "delivered"
    if delivery.status == Delivery.Status.RETRYING:
        webhooks.retry_later(deliver_notice, delivery)
    return delivery.status


def sweep(today: datetime.date, *, actor=None, now: datetime.datetime | None = None) -> int:
    """The dispatch tick's hook: queue every delivery whose time has come (quiet hours over, a
    retry due, or a task lost with a stopped worker). Queues no notices itself: returns 0."""
    now = now or timezone.now()
    due = Delivery.objects.filter(
        status__in=(Delivery.Status.PENDING, Delivery.Status.RETRYING), next_attempt_at__lte=now
    ).values_list("pk", flat=True)
    for pk in list(due):
        deliver_notice.enqueue(pk)
    return 0
