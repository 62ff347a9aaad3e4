"""Stored coverage tables of past days (`dashboard.snapshots`)."""

from __future__ import annotations

from django.db import models


class StoredTable(models.Model):
    """One coverage table (the cockpit's rows by county or township) of a past day for one
    viewer's organizations, scope and region, with the data version it was computed at."""

    day = models.DateField("日期")
    scope = models.CharField("统计范围", max_length=80)
    region = models.CharField("地区代码", max_length=12, blank=True)  # "": the city
    viewer = models.CharField("可见范围", max_length=64)  # sha256 of the viewer's organizations' SQL
    version = models.CharField("数据版本", max_length=80)
    table = models.JSONField("数据")
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = "驾驶舱月末快照"
        verbose_name_plural = "驾驶舱月末快照"
        constraints = [
            models.UniqueConstraint(fields=["viewer", "scope", "region", "day"], name="stored_table_once"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.scope} {self.region or '全市'}"
