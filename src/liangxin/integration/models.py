"""五融入五提升: an assessment per organization and year on five dimensions, each a 1–5 score
with what was done; who assessed and when. Only organizations with a party organization."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from liangxin.core.roles import Role
from liangxin.core.scoping import ScopedManager

# (key, label): the five dimensions, in the speech's order.
DIMENSIONS = [
    ("governance", "融入治理结构·提升政治功能"),
    ("business", "融入营商环境·提升保障功能"),
    ("operations", "融入生产经营·提升组织功能"),
    ("workers", "融入职工需求·提升服务功能"),
    ("ideology", "融入意识形态工作·提升引导功能"),
]
SHORT = {
    "governance": "政治功能",
    "business": "保障功能",
    "operations": "组织功能",
    "workers": "服务功能",
    "ideology": "引导功能",
}
SCORE = [MinValueValidator(1), MaxValueValidator(5)]


class Assessment(models.Model):
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name="组织",
        on_delete=models.PROTECT,
        related_name="integration_assessments",
    )
    year = models.PositiveIntegerField("年度")
    governance = models.PositiveSmallIntegerField(DIMENSIONS[0][1], validators=SCORE)
    governance_note = models.TextField("治理结构：做了什么", blank=True)
    business = models.PositiveSmallIntegerField(DIMENSIONS[1][1], validators=SCORE)
    business_note = models.TextField("营商环境：做了什么", blank=True)
    operations = models.PositiveSmallIntegerField(DIMENSIONS[2][1], validators=SCORE)
    operations_note = models.TextField("生产经营：做了什么", blank=True)
    workers = models.PositiveSmallIntegerField(DIMENSIONS[3][1], validators=SCORE)
    workers_note = models.TextField("职工需求：做了什么", blank=True)
    ideology = models.PositiveSmallIntegerField(DIMENSIONS[4][1], validators=SCORE)
    ideology_note = models.TextField("意识形态：做了什么", blank=True)
    assessor = models.CharField("评估人", max_length=100)
    assessed_on = models.DateField("评估日期")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    scope_region = "organization__"
    scope_area = "organization__area_id"
    scope_member_unit = "organization__supervising_unit_id"
    scope_industry = "organization__industry_id"
    scope_industry_section = "organization__industry_section"
    scope_all_roles = (Role.OFFICE,)

    class Meta:
        verbose_name = "五融入五提升评估"
        ordering = ["-year", "organization__name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="integration_one_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.organization.name}"

    @property
    def scores(self) -> list[int]:
        return [getattr(self, key) for key, _ in DIMENSIONS]

    @property
    def total(self) -> int:
        return sum(self.scores)
