"""品牌/示范点: the office's yearly campaign (deadline, the units that must report), each unit's
brands with their stage and evidence, and the revisits of a named brand (“推出即下架” is counted)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models

from liangxin.core.roles import Role
from liangxin.core.scoping import ScopedManager


def default_deadline(year: int) -> datetime.date:
    return datetime.date(year, 6, 30)


class Campaign(models.Model):
    """One year's call for brands. Reporting is the dispatch report on `task` (its lights and
    notices chase late units); the task is linked to the campaign's measure."""

    year = models.PositiveIntegerField("年度", unique=True)
    title = models.CharField("名称", max_length=200)
    deadline = models.DateField("申报截止日期")
    units = models.ManyToManyField(
        "core.MemberUnit", verbose_name="应申报单位", related_name="brand_campaigns"
    )
    task = models.OneToOneField(
        "dispatch.Task", verbose_name="调度任务", on_delete=models.PROTECT, related_name="brand_campaign"
    )
    revisit_months = models.JSONField(
        "回访间隔（月）", default=list, help_text="已命名后第几个月回访，如 [6, 12]"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "品牌申报活动"
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.title


class Level(models.TextChoices):
    REGION = "region", "一域一品"
    ENTERPRISE = "enterprise", "一企一品"
    SITE = "site", "示范点"


class Stage(models.TextChoices):
    PLANNED = "planned", "计划"
    BUILDING = "building", "创建中"
    BUILT = "built", "已建成"
    NAMED = "named", "已命名"


class Brand(models.Model):
    campaign = models.ForeignKey(
        Campaign, verbose_name="申报活动", on_delete=models.PROTECT, related_name="brands"
    )
    name = models.CharField("品牌名称", max_length=100)
    level = models.CharField("类别", max_length=12, choices=Level.choices)
    unit = models.ForeignKey(
        "core.MemberUnit", verbose_name="申报单位", on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name="所属组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="brands",
    )
    region = models.ForeignKey(
        "core.Region",
        verbose_name="所在区域",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.TextField("品牌简介", blank=True)
    stage = models.CharField("创建阶段", max_length=10, choices=Stage.choices, default=Stage.PLANNED)
    named_on = models.DateField("命名日期", null=True, blank=True)
    evidence = models.TextField("佐证材料说明", blank=True)
    active = models.BooleanField("仍在运行", default=True)
    inactive_on = models.DateField("发现停止运行日期", null=True, blank=True)
    inactive_note = models.TextField("停止运行情况", blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager()
    scope_member_unit = "unit_id"
    scope_region = "unit__"
    scope_all_roles = (Role.OFFICE,)

    class Meta:
        verbose_name = "品牌/示范点"
        ordering = ["campaign", "unit__sort", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "name"], name="brand_name_unique")]

    def __str__(self) -> str:
        return self.name


def evidence_path(instance, filename: str) -> str:
    return f"brands/{instance.brand.campaign.year}/{instance.brand_id}/{filename}"


class BrandAttachment(models.Model):
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("附件", upload_to=evidence_path, max_length=300)
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Revisit(models.Model):
    """回访: due `months` after the brand was named; the unit answers whether it still runs."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="revisits")
    months = models.PositiveSmallIntegerField("命名后月数")
    due_on = models.DateField("回访日期")
    answered_at = models.DateTimeField("填报时间", null=True, blank=True)
    still_active = models.BooleanField("仍在运行", null=True)
    note = models.TextField("命名以来的情况", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager()
    scope_member_unit = "brand__unit_id"
    scope_region = "brand__unit__"
    scope_all_roles = (Role.OFFICE,)

    class Meta:
        verbose_name = "品牌回访"
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["brand", "months"], name="revisit_unique")]

    def __str__(self) -> str:
        return f"{self.brand.name} 命名后 {self.months} 个月回访"
