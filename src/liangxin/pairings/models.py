"""结对共建: an organization (a large enterprise, a social organization) paired with a 乡村振兴
village, the projects it runs there each year, and their results."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models

from liangxin.core.roles import Role
from liangxin.core.scoping import ScopedManager


class Pairing(models.Model):
    organization = models.ForeignKey(
        "registry.Organization", verbose_name="结对组织", on_delete=models.PROTECT, related_name="pairings"
    )
    village = models.ForeignKey(
        "core.Region", verbose_name="结对村（社区）", on_delete=models.PROTECT, related_name="pairings"
    )
    starts_on = models.DateField("结对开始日期")
    ends_on = models.DateField("结对结束日期", null=True, blank=True, help_text="留空表示长期结对")
    note = models.CharField("结对内容", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager()
    # Seen and kept like the organization it pairs (its region, area, supervising unit, sector).
    scope_region = "organization__"
    scope_area = "organization__area_id"
    scope_member_unit = "organization__supervising_unit_id"
    scope_industry = "organization__industry_id"
    scope_industry_section = "organization__industry_section"
    scope_all_roles = (Role.OFFICE,)

    class Meta:
        verbose_name = "结对共建"
        ordering = ["-starts_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "village", "starts_on"], name="pairing_unique_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization.name} ↔ {self.village.name}"

    def active_in(self, year: int) -> bool:
        return self.starts_on.year <= year and (self.ends_on is None or self.ends_on.year >= year)


def active_in_year_q(year: int, prefix: str = "") -> models.Q:
    """Pairings running at some time in `year` (the one rule every total uses)."""
    return models.Q(**{f"{prefix}starts_on__lte": datetime.date(year, 12, 31)}) & (
        models.Q(**{f"{prefix}ends_on__isnull": True})
        | models.Q(**{f"{prefix}ends_on__gte": datetime.date(year, 1, 1)})
    )


class ProjectKind(models.TextChoices):
    INDUSTRY = "industry", "产业"
    JOBS = "jobs", "就业"
    CONSUMPTION = "consumption", "消费"
    CHARITY = "charity", "公益"
    EDUCATION = "education", "教育"
    OTHER = "other", "其他"


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", "计划"
    RUNNING = "running", "实施中"
    DONE = "done", "已完成"


class PairingProject(models.Model):
    """A project of a pairing in a year, with its results (funds in 万元, people helped)."""

    pairing = models.ForeignKey(
        Pairing, verbose_name="结对", on_delete=models.CASCADE, related_name="projects"
    )
    year = models.PositiveIntegerField("年度")
    title = models.CharField("项目名称", max_length=200)
    kind = models.CharField("项目类型", max_length=12, choices=ProjectKind.choices)
    funds = models.DecimalField("投入资金（万元）", max_digits=12, decimal_places=2, default=0)
    people_helped = models.PositiveIntegerField("受益人数", default=0)
    status = models.CharField(
        "状态", max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    result = models.CharField("成效", max_length=500, blank=True)

    objects = ScopedManager()
    scope_region = "pairing__organization__"
    scope_area = "pairing__organization__area_id"
    scope_member_unit = "pairing__organization__supervising_unit_id"
    scope_industry = "pairing__organization__industry_id"
    scope_industry_section = "pairing__organization__industry_section"
    scope_all_roles = (Role.OFFICE,)

    class Meta:
        verbose_name = "结对共建项目"
        ordering = ["-year", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pairing", "year", "title"], name="pairing_project_unique")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"
