"""Webhooks out: follow-up opened, report returned, bulletin published.

Each delivery is a POST of the JSON body with

* ``X-Liangxin-Event``: the event name; ``X-Liangxin-Delivery``: the delivery's id;
* ``X-Liangxin-Timestamp``: Unix seconds when it was signed;
* ``X-Liangxin-Signature``: ``sm3=`` + hex HMAC-SM3 (GB/T 32905, OpenSSL through hashlib,
  as the audit chain) keyed with the endpoint's secret over ``timestamp + "." + body``.

A receiver recomputes the HMAC (`verify`) and refuses a timestamp older than a few minutes.
Deliveries run in the task worker (django-tasks); a failure (no answer, or not 2xx) is retried
with backoff (1, 4, 16, 64 minutes …) up to `MAX_ATTEMPTS`, and every attempt is on the
delivery log page."""

from __future__ import annotations

import datetime
import hmac
import json
import time
import urllib.error
import urllib.request

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from liangxin.api.models import WebhookDelivery, WebhookEndpoint
from liangxin.core import events

MAX_ATTEMPTS = 6
TIMEOUT_SECONDS = 10
BASE_DELAY = datetime.timedelta(minutes=1)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, "sm3").hexdigest()


def verify(
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    *,
    now: float | None = None,
    tolerance: int = 300,
) -> bool:
    """What a receiver checks: the signature, and a timestamp within `tolerance` seconds."""
    try:
        age = abs((time.time() if now is None else now) - int(timestamp))
    except ValueError:
        return False
    expected = "sm3=" + sign(secret, timestamp, body)
    return age <= tolerance and hmac.compare_digest(expected, signature or "")


def body_of(delivery: WebhookDelivery) -> bytes:
    message = {
        "id": delivery.pk,
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(message, ensure_ascii=False, sort_keys=True).encode("utf-8")


def backoff(attempts: int) -> datetime.timedelta:
    return BASE_DELAY * (4 ** max(0, attempts - 1))


def queue_event(name: str, payloads) -> list[WebhookDelivery]:
    """One delivery per occurrence and active endpoint subscribed to `name`, each sent by the
    worker. `payloads`: a list, or a function giving it (called only when someone listens), or
    `events.Parts` (each part read and written in turn)."""
    endpoints = [e for e in WebhookEndpoint.objects.filter(active=True) if name in (e.events or [])]
    if not endpoints:
        return []
    deliveries: list[WebhookDelivery] = []
    for part in payloads.parts if isinstance(payloads, events.Parts) else [payloads]:
        listed = part() if callable(part) else part
        deliveries += WebhookDelivery.objects.bulk_create(
            [WebhookDelivery(endpoint=e, event=name, payload=p) for e in endpoints for p in listed]
        )
    for pk in [d.pk for d in deliveries]:  # bulk_create returns ids on SQLite and PostgreSQL
        transaction.on_commit(lambda pk=pk: deliver_webhook.enqueue(pk))
    return deliveries


def on_event(sender, *, name: str, payloads, **kwargs) -> None:
    """core.events listener (connected in ApiConfig.ready)."""
    if name in WebhookEndpoint.Event.values:
        queue_event(name, payloads)


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str, bytes]:
    """POST once: (status code or None, a Chinese error or "", the answer's first 4 KB). Shared
    with the notices' 政务微信 robot and SMS gateway (liangxin.notify)."""
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, "", response.read(4096)
    except urllib.error.HTTPError as exc:
        return exc.code, f"接收端返回 {exc.code}", b""
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return None, f"无法送达：{getattr(exc, 'reason', exc)}", b""


def record(delivery, code: int | None, error: str) -> bool:
    """One attempt's outcome on a delivery log row (fields as WebhookDelivery's): delivered, or
    retried after `backoff`, or failed after `MAX_ATTEMPTS`. True when delivered."""
    delivery.attempts += 1
    delivery.last_status_code = code
    ok = code is not None and 200 <= code < 300 and not error
    now = timezone.now()
    if ok:
        delivery.status, delivery.delivered_at, delivery.last_error, delivery.next_attempt_at = (
            WebhookDelivery.Status.DELIVERED,
            now,
            "",
            None,
        )
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, None
        delivery.last_error = f"{error}（已尝试 {delivery.attempts} 次，不再重试）"[:500]
    else:
        delivery.status = WebhookDelivery.Status.RETRYING
        delivery.next_attempt_at = now + backoff(delivery.attempts)
        delivery.last_error = error[:500]
    delivery.save()
    return ok


def retry_later(task_function, delivery) -> None:
    """Enqueue `task_function(delivery.pk)` again at its next attempt (the database backend), or
    at once (the immediate backend of the tests: no waiting)."""
    if task_function.get_backend().supports_defer:
        task_function.using(run_after=delivery.next_attempt_at).enqueue(delivery.pk)
    else:
        task_function.enqueue(delivery.pk)


def attempt(delivery: WebhookDelivery) -> bool:
    """POST once; records the outcome on the delivery. True when delivered."""
    body = body_of(delivery)
    stamp = str(int(time.time()))
    code, error, _ = post(
        delivery.endpoint.url,  # an http(s) URL the security administrator set
        body,
        {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "liangxin-webhook/1",
            "X-Liangxin-Event": delivery.event,
            "X-Liangxin-Delivery": str(delivery.pk),
            "X-Liangxin-Timestamp": stamp,
            "X-Liangxin-Signature": "sm3=" + sign(delivery.endpoint.secret, stamp, body),
        },
    )
    return record(delivery, code, error)


@task()
def deliver_webhook(delivery_id: int) -> str:
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.status in (
        WebhookDelivery.Status.DELIVERED,
        WebhookDelivery.Status.FAILED,
    ):
        return "skipped"
    if attempt(delivery):
        return "delivered"
    if delivery.status == WebhookDelivery.Status.RETRYING:
        retry_later(deliver_webhook, delivery)
    return delivery.status
