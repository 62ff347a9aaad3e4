"""Webhook endpoints, kept by the security administrator (audited like tokens)."""

from __future__ import annotations

import secrets

from django.db import transaction

from liangxin.api.models import WebhookEndpoint
from liangxin.core import audit
from liangxin.core.roles import Role


@transaction.atomic
def create_endpoint(*, actor, name: str, url: str, events: list[str]) -> WebhookEndpoint:
    if actor is None or actor.role != Role.SECURITY_ADMIN:
        raise PermissionError("只有安全管理员可以管理 Webhook 接收端")
    endpoint = WebhookEndpoint.objects.create(
        name=name, url=url, events=list(events), secret=secrets.token_urlsafe(32)
    )
    audit.record(
        "api.webhook.created", actor=actor, obj=endpoint, after={"name": name, "url": url, "events": events}
    )
    return endpoint
