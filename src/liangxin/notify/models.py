"""Notices relayed beyond the browser: each user's choice of channels, and the delivery log.

A delivery row has the fields of the API's webhook deliveries (`api.models.WebhookDelivery`), so
the same attempt/retry/backoff code (`api.webhooks.record`) keeps both logs."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from liangxin.api.models import WebhookDelivery


class Channel(models.TextChoices):
    ROBOT = "robot", "政务微信群机器人"
    SMS = "sms", "短信"


class Preference(models.Model):
    """Which notice kinds a user gets by each channel (absent: `channels.DEFAULT_KINDS`)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_preference"
    )
    robot_kinds = models.JSONField("政务微信接收的提醒", default=list, blank=True)
    sms_kinds = models.JSONField("短信接收的提醒", default=list, blank=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "消息接收设置"

    def __str__(self) -> str:
        return f"{self.user} 的消息接收设置"


class Delivery(models.Model):
    Status = WebhookDelivery.Status

    notice = models.ForeignKey("dispatch.Notice", on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    user = models.ForeignKey(  # an SMS's recipient; None for the robot (the group, users @-mentioned)
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    recipient = models.CharField("接收号码", max_length=30, blank=True)  # the mobile; "" for the group
    group = models.CharField("接收群", max_length=120, blank=True)  # the robot's: whose work group
    payload = models.JSONField("内容")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_status_code = models.PositiveSmallIntegerField("最近响应码", null=True, blank=True)
    last_error = models.CharField("最近错误", max_length=500, blank=True)
    created_at = models.DateTimeField("产生时间", auto_now_add=True)
    next_attempt_at = models.DateTimeField("下次尝试", null=True, blank=True, db_index=True)
    held_for_quiet_hours = models.BooleanField("免打扰时段暂缓", default=False)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)

    class Meta:
        verbose_name = "消息投递"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "channel", "recipient"], name="notify_delivery_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}"


class RobotEndpoint(models.Model):
    """A 政务微信 group robot of one member unit or one region (a county, a township), set by the
    system administrator: a unit's notices go to its own work group instead of the city's
    (`robots.robot_for`). The URL carries the robot's key: a secret, shown masked."""

    unit = models.OneToOneField(
        "core.MemberUnit",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="成员单位",
    )
    region = models.OneToOneField(
        "core.Region",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="行政区划",
    )
    url = models.CharField("群机器人地址", max_length=500)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "单位群机器人"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit__isnull=False, region__isnull=True)
                | models.Q(unit__isnull=True, region__isnull=False),
                name="notify_robot_one_owner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.owner_name}工作群"

    @property
    def owner_name(self) -> str:
        return self.unit.name if self.unit_id else self.region.name
