"""The working committee's own work (“两新”工委实体化运转): 行业(综合)党委, 政治统领 activities,
工委会议 and their 议定事项 (which become dispatch tasks).

A committee is a `coverage.PartyOrganization` of its own kind (formation 行业（综合）党委, type 党委,
owned by a member unit) with the field it serves: industries (GB/T 4754 门类 or 大类) and/or
key-group tags, optionally narrowed to functional areas. Everything said about it (coverage,
inspections, tasks, verdict) is computed from data already in the system (`figures.py`).

Scope: a member unit sees and keeps its own committees, the meetings it attended and the
activities it organized; a county those of its region (its 组织部, its committees).
"""

from __future__ import annotations

from django.db import models

from liangxin.core.roles import Role
from liangxin.core.scoping import ScopedManager


class IndustryCommittee(models.Model):
    party_org = models.OneToOneField(
        "coverage.PartyOrganization",
        verbose_name="党组织",
        on_delete=models.PROTECT,
        related_name="industry_committee",
    )
    industries = models.ManyToManyField(
        "core.Industry", verbose_name="服务行业", blank=True, related_name="+"
    )
    tags = models.JSONField("服务重点群体/标签", default=list, blank=True)
    areas = models.ManyToManyField("core.Area", verbose_name="所涉功能区", blank=True, related_name="+")
    note = models.TextField("说明", blank=True)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    objects = ScopedManager()
    scope_region = "party_org__"
    scope_member_unit = "party_org__owner_unit_id"
    scope_all_roles = (Role.OFFICE,)

    class Meta:
        verbose_name = "行业（综合）党委"
        ordering = ["party_org__owner_unit__sort", "party_org__name"]

    def __str__(self) -> str:
        return self.party_org.name

    @property
    def name(self) -> str:
        return self.party_org.name

    @property
    def owner_unit(self):
        return self.party_org.owner_unit


class ActivityKind(models.TextChoices):
    STUDY = "study", "学习宣讲"
    TRAINING = "training", "培训"
    THEME_DAY = "theme_day", "主题党日"
    SERVICE = "service", "服务活动"


class Activity(models.Model):
    """A 政治统领 activity: what happened and whom it reached (no photos, no check-ins)."""

    date = models.DateField("活动日期", db_index=True)
    kind = models.CharField("活动类型", max_length=12, choices=ActivityKind.choices)
    title = models.CharField("活动名称", max_length=200)
    organizer = models.ForeignKey(
        "core.MemberUnit", verbose_name="组织单位", on_delete=models.PROTECT, related_name="+"
    )
    committee = models.ForeignKey(
        IndustryCommittee,
        verbose_name="行业党委",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    organizations = models.ManyToManyField(
        "registry.Organization", verbose_name="覆盖组织", blank=True, related_name="+"
    )
    whole_field = models.BooleanField("面向行业党委所联系的全部组织", default=False)
    people = models.PositiveIntegerField("参加人数", default=0)
    note = models.TextField("活动内容", blank=True)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    objects = ScopedManager()
    scope_region = "organizer__"
    scope_member_unit = "organizer_id"
    scope_all_roles = (Role.OFFICE,)

    class Meta:
        verbose_name = "政治统领活动"
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date} {self.title}"


class MeetingKind(models.TextChoices):
    PLENARY = "plenary", "全体会议"
    JOINT = "joint", "联席会议"
    TOPIC = "topic", "专题会议"


def minutes_path(instance, filename: str) -> str:
    return f"committee/meetings/{instance.date:%Y}/{filename}"


class Meeting(models.Model):
    """工委会议. Seen by the units that attended (and their county)."""

    name = models.CharField("会议名称", max_length=200)
    date = models.DateField("会议日期", db_index=True)
    kind = models.CharField(
        "会议类型", max_length=10, choices=MeetingKind.choices, default=MeetingKind.PLENARY
    )
    chair = models.CharField("主持人", max_length=50, blank=True)
    attendees = models.ManyToManyField(
        "core.MemberUnit", verbose_name="出席成员单位", blank=True, related_name="+"
    )
    minutes = models.TextField("会议纪要", blank=True)
    attachment = models.FileField("纪要附件", upload_to=minutes_path, max_length=300, blank=True)
    attachment_name = models.CharField("附件文件名", max_length=200, blank=True)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    objects = ScopedManager()
    scope_region = "attendees__"
    scope_member_unit = "attendees"
    scope_distinct = True
    scope_all_roles = (Role.OFFICE,)

    class Meta:
        verbose_name = "工委会议"
        ordering = ["-date", "-id"]
        constraints = [models.UniqueConstraint(fields=["name", "date"], name="committee_meeting_unique")]

    def __str__(self) -> str:
        return f"{self.name}（{self.date:%Y-%m-%d}）"


class Decision(models.Model):
    """议定事项. One that enters the dispatch is a task of the year's plan (`task`)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    seq = models.PositiveIntegerField("序号")
    title = models.CharField("议定事项", max_length=300)
    lead = models.ForeignKey(
        "core.MemberUnit", verbose_name="牵头单位", on_delete=models.PROTECT, related_name="+"
    )
    units = models.ManyToManyField("core.MemberUnit", verbose_name="责任单位", blank=True, related_name="+")
    deadline = models.DateField("完成时限", null=True, blank=True)
    deadline_text = models.CharField("完成时限（原文）", max_length=50, blank=True)
    enters_dispatch = models.BooleanField("纳入调度", default=True)
    task = models.OneToOneField(
        "dispatch.Task",
        verbose_name="调度任务",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting_decision",
    )

    class Meta:
        verbose_name = "议定事项"
        ordering = ["meeting", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "seq"], name="committee_decision_seq_unique")
        ]

    def __str__(self) -> str:
        return self.title
