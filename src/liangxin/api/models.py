"""Integration tokens, idempotent request records, webhook endpoints and their deliveries.

A token acts as one account (an integration account the security administrator keeps): its
jurisdiction is that account's, so every query goes through ``restrict(token.user, action)``
like a page. Only a digest of the secret is stored; the secret is shown once, when created."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class ApiToken(models.Model):
    class Access(models.TextChoices):
        READ = "read", "只读"
        WRITE = "write", "读写"

    name = models.CharField(
        "令牌名称", max_length=60, unique=True, help_text="对接系统的名称，如 市场监管登记系统"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="代表的账号（管辖范围）",
        on_delete=models.PROTECT,
        related_name="api_tokens",
    )
    access = models.CharField("权限", max_length=5, choices=Access.choices, default=Access.READ)
    prefix = models.CharField("令牌前缀", max_length=12, unique=True)
    key_hash = models.CharField("令牌摘要", max_length=64, editable=False)
    rate_per_minute = models.PositiveIntegerField("每分钟请求上限", default=120)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expires_at = models.DateTimeField("有效期至")
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = "接口令牌"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    def state(self, now=None) -> str:
        now = now or timezone.now()
        if self.revoked_at:
            return "已吊销"
        if self.expires_at <= now:
            return "已过期"
        return "有效"

    @property
    def can_write(self) -> bool:
        return self.access == self.Access.WRITE


class IdempotentRequest(models.Model):
    """A write sent with an ``Idempotency-Key``: the same key from the same token answers with
    the first response, without doing the work again."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # method, path and body digest
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "key"], name="api_unique_idempotency_key")]

    def __str__(self) -> str:
        return self.key


class WebhookEndpoint(models.Model):
    class Event(models.TextChoices):
        FOLLOWUP_OPENED = "followup.opened", "三同步跟进事项发起"
        REPORT_RETURNED = "report.returned", "填报被退回"
        BULLETIN_PUBLISHED = "bulletin.published", "通报发布"

    name = models.CharField("名称", max_length=60)
    url = models.URLField("接收地址", max_length=500)
    secret = models.CharField("签名密钥", max_length=128)
    events = models.JSONField("订阅事件", default=list)
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "Webhook 接收端"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        RETRYING = "retrying", "等待重试"
        DELIVERED = "delivered", "已送达"
        FAILED = "failed", "失败"

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField("事件", max_length=40)
    payload = models.JSONField("内容")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_status_code = models.PositiveSmallIntegerField("最近响应码", null=True, blank=True)
    last_error = models.CharField("最近错误", max_length=500, blank=True)
    created_at = models.DateTimeField("产生时间", auto_now_add=True)
    next_attempt_at = models.DateTimeField("下次尝试", null=True, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)

    class Meta:
        verbose_name = "Webhook 投递"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id}"
