"""“两个覆盖”: party organizations and what they cover, instructors and their assignments, and the
regular inspections of joint branches.

Every coverage link and assignment carries dates, and a party organization its founding and
dissolution dates, so a figure can be computed as of any day (see `engine.py`, the only place
the counting rules live).

Scope: a party organization and an instructor carry the ancestor codes of their own region (a
joint branch: the smallest region holding every organization it covers), so county, township
and park users see theirs. A member unit sees the party organizations it owns (its 行业党委)
and those covering an organization of its industries; the instructors assigned to one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from liangxin.core.roles import Role
from liangxin.core.scoping import RegionBound, ScopedManager


class PartyOrgType(models.TextChoices):
    COMMITTEE = "committee", "党委"
    GENERAL_BRANCH = "general", "党总支"
    BRANCH = "branch", "党支部"


class Formation(models.TextChoices):
    SINGLE = "single", "单独组建"
    JOINT = "joint", "联合组建"
    # 行业(综合)党委: a 党委 a member unit runs over an industry or key group (committee app). It
    # covers no organization itself (its branches do) and is not a joint branch.
    INDUSTRY = "industry", "行业（综合）党委"


class PartyOrgStatus(models.TextChoices):
    ACTIVE = "active", "正常"
    DISSOLVED = "dissolved", "撤销"


class PartyOrganization(RegionBound):
    name = models.CharField("党组织名称", max_length=200, unique=True)
    org_type = models.CharField("党组织类别", max_length=10, choices=PartyOrgType.choices)
    formation = models.CharField("组建方式", max_length=10, choices=Formation.choices, db_index=True)
    region = models.ForeignKey(
        "core.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        "core.Area",
        verbose_name="所属功能区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="party_organizations",
    )
    owner_unit = models.ForeignKey(
        "core.MemberUnit",
        verbose_name="所属成员单位（行业党委）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="party_organizations",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上级党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # A parent outside the system (a township 党委, a county 两新工委), kept by name as written
    # (domain.md §8); empty when `parent` is set.
    external_parent_name = models.CharField("上级党组织（系统外）", max_length=200, blank=True)
    secretary = models.CharField("书记姓名", max_length=50, blank=True)
    secretary_vacant_since = models.DateField("书记空缺起始日期", null=True, blank=True)
    # 派驻党组织书记: a person sent by a unit (a township, a department, an enterprise's parent).
    secretary_dispatched = models.BooleanField("派驻书记", default=False)
    secretary_sent_by = models.CharField("派出单位", max_length=100, blank=True)
    founded_on = models.DateField("成立日期", null=True, blank=True)
    recorded_on = models.DateField("录入日期")
    term_ends_on = models.DateField("任期届满日期", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=PartyOrgStatus.choices, default=PartyOrgStatus.ACTIVE
    )
    dissolved_on = models.DateField("撤销日期", null=True, blank=True)
    organizations = models.ManyToManyField(
        "registry.Organization", through="CoverageLink", related_name="party_organizations"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedManager()
    scope_region = ""
    scope_area = "area_id"
    scope_member_unit = "owner_unit_id"
    scope_industry = "links__organization__industry_id"
    scope_industry_section = "links__organization__industry_section"
    scope_distinct = True
    scope_all_roles = (Role.OFFICE,)

    class Meta:
        verbose_name = "党组织"
        ordering = ["region__code", "name"]
        # What the coverage engine reads of a party organization, found by id without its row.
        indexes = [
            models.Index(
                fields=["id", "formation", "founded_on", "recorded_on", "status", "dissolved_on"],
                name="coverage_partyorg_active_idx",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def parent_name(self) -> str:
        """The parent party organization's name, in the system or outside it."""
        return self.parent.name if self.parent_id else self.external_parent_name

    @classmethod
    def scope_tags_q(cls, tags) -> models.Q:
        from liangxin.registry.models import OrganizationTag

        return models.Q(
            links__organization_id__in=OrganizationTag.objects.filter(tag__name__in=tags).values(
                "organization_id"
            )
        )

    @property
    def is_industry_committee(self) -> bool:
        return self.org_type == PartyOrgType.COMMITTEE and self.owner_unit_id is not None

    @property
    def covers_from(self):
        return self.founded_on or self.recorded_on


class CoverageLink(models.Model):
    """A party organization covers an organization from `starts_on` (empty: from the party
    organization's founding) until `ends_on` (exclusive; empty: still)."""

    party_org = models.ForeignKey(PartyOrganization, on_delete=models.CASCADE, related_name="links")
    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.CASCADE, related_name="coverage_links"
    )
    starts_on = models.DateField("覆盖起始日期", null=True, blank=True)
    ends_on = models.DateField("覆盖终止日期", null=True, blank=True)

    class Meta:
        verbose_name = "覆盖关系"
        # Covering for the coverage engine's per-organization lookup (no row read per link).
        indexes = [
            models.Index(
                fields=["organization", "starts_on", "ends_on", "party_org"],
                name="coverage_link_org_dates_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.party_org_id}→{self.organization_id}"


class Instructor(RegionBound):
    """党建指导员 (or 联络员): 工作覆盖 of the organizations assigned to them."""

    name = models.CharField("指导员姓名", max_length=50)
    phone = models.CharField("联系电话", max_length=30)
    workplace = models.CharField("工作单位", max_length=100, blank=True)
    region = models.ForeignKey(
        "core.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="登录账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="instructor_profile",
    )
    organizations = models.ManyToManyField(
        "registry.Organization", through="Assignment", related_name="instructors"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = ScopedManager()
    scope_region = ""
    scope_industry = "assignments__organization__industry_id"
    scope_industry_section = "assignments__organization__industry_section"
    scope_distinct = True
    scope_all_roles = (Role.OFFICE,)
    scope_self = "user_id"  # the instructor's own record
    personal_fields = {"phone": "phone"}  # liangxin.core.masking

    class Meta:
        verbose_name = "党建指导员"
        ordering = ["region__code", "name"]
        constraints = [models.UniqueConstraint(fields=["name", "phone"], name="unique_instructor_name_phone")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_tags_q(cls, tags) -> models.Q:
        from liangxin.registry.models import OrganizationTag

        return models.Q(
            assignments__organization_id__in=OrganizationTag.objects.filter(tag__name__in=tags).values(
                "organization_id"
            )
        )


class Assignment(models.Model):
    """An instructor assigned to an organization from `starts_on` until `ends_on` (exclusive)."""

    instructor = models.ForeignKey(Instructor, on_delete=models.CASCADE, related_name="assignments")
    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.CASCADE, related_name="assignments"
    )
    starts_on = models.DateField("派驻日期")
    ends_on = models.DateField("结束日期", null=True, blank=True)

    class Meta:
        verbose_name = "指导员派驻"
        # Covering for the coverage engine's per-organization EXISTS (no row read per assignment).
        indexes = [
            models.Index(
                fields=["organization", "starts_on", "ends_on"], name="coverage_assign_org_dates_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instructor_id}→{self.organization_id}"


class Rating(models.TextChoices):
    GOOD = "good", "好"
    FAIR = "fair", "较好"
    AVERAGE = "average", "一般"
    POOR = "poor", "差"


class SeenWithItsPartyOrg(models.Model):
    """A record about a party organization is seen and changed by whoever sees its party
    organization (one scope rule for inspections and rectifications)."""

    objects = ScopedManager()
    scope_region = "party_org__"
    scope_area = "party_org__area_id"
    scope_member_unit = "party_org__owner_unit_id"
    scope_industry = "party_org__links__organization__industry_id"
    scope_industry_section = "party_org__links__organization__industry_section"
    scope_distinct = True
    scope_all_roles = (Role.OFFICE,)

    class Meta:
        abstract = True


class BranchInspection(SeenWithItsPartyOrg):
    """常态化排查 of a joint branch: is it real (联而不合、联而不活)?"""

    party_org = models.ForeignKey(
        PartyOrganization, verbose_name="联合党支部", on_delete=models.CASCADE, related_name="inspections"
    )
    inspected_on = models.DateField("排查日期", db_index=True)
    meetings_held = models.BooleanField("本季度按要求开展“三会一课”", default=False)
    secretary_in_post = models.BooleanField("书记在岗", default=False)
    organizations_registered = models.BooleanField("所覆盖组织均在册（未注销/吊销）", default=True)
    # The other findings of 常态化排查; None: not checked (older records, a sheet without the column).
    life_meeting_held = models.BooleanField("按要求召开组织生活会", null=True, blank=True, default=None)
    dues_collected = models.BooleanField("按时足额收缴党费", null=True, blank=True, default=None)
    venue_in_place = models.BooleanField("党员活动阵地落实", null=True, blank=True, default=None)
    members_contacted = models.BooleanField("党员联系管理到位", null=True, blank=True, default=None)
    rating = models.CharField("评定等次", max_length=10, choices=Rating.choices)
    problems = models.TextField("存在问题", blank=True)
    actions = models.TextField("整改措施/跟进事项", blank=True)
    inspector = models.CharField("排查人", max_length=50, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "联合党支部排查"
        ordering = ["-inspected_on", "-id"]

    def __str__(self) -> str:
        return f"{self.party_org} {self.inspected_on}"

    @property
    def lacking(self) -> list[str]:
        """What this inspection found not done among the findings besides 三会一课."""
        return [label for field, label in FINDINGS if getattr(self, field) is False]


# The findings besides 三会一课, each with what it says when the inspection found it not done.
FINDINGS = (
    ("life_meeting_held", "未按要求召开组织生活会"),
    ("dues_collected", "未按时足额收缴党费"),
    ("venue_in_place", "党员活动阵地未落实"),
    ("members_contacted", "党员联系管理不到位"),
)


class Rectification(SeenWithItsPartyOrg):
    """整改: a problem an inspection found, the measure, who answers for it and by when; closed
    with what was done. Open past its due date it is chased by `dispatch_tick` (rectification.py)."""

    party_org = models.ForeignKey(
        PartyOrganization, verbose_name="党组织", on_delete=models.CASCADE, related_name="rectifications"
    )
    inspection = models.ForeignKey(
        BranchInspection,
        verbose_name="来源排查",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rectifications",
    )
    problem = models.TextField("存在问题")
    measure = models.TextField("整改措施", blank=True)
    responsible = models.CharField("责任人", max_length=100, blank=True)
    opened_on = models.DateField("提出日期")
    due_on = models.DateField("整改时限", db_index=True)
    closed_on = models.DateField("完成日期", null=True, blank=True)
    outcome = models.TextField("整改情况", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "整改事项"
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"{self.party_org} {self.problem[:20]}"

    def is_overdue(self, as_of) -> bool:
        return self.due_on < as_of and (self.closed_on is None or self.closed_on > as_of)


class Visit(models.Model):
    """党建指导员走访: an instructor's visit to an organization assigned to them — what was done and
    what was found. An assignment counts as effective work (有效工作覆盖) only with a recent visit
    (`effective.py`)."""

    instructor = models.ForeignKey(
        Instructor, verbose_name="党建指导员", on_delete=models.CASCADE, related_name="visits"
    )
    organization = models.ForeignKey(
        "registry.Organization", verbose_name="走访组织", on_delete=models.CASCADE, related_name="visits"
    )
    visited_on = models.DateField("走访日期")
    work_done = models.TextField("指导内容")
    problems = models.TextField("发现问题", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    objects = ScopedManager()
    scope_region = "organization__"
    scope_area = "organization__area_id"
    scope_member_unit = "organization__supervising_unit_id"
    scope_industry = "organization__industry_id"
    scope_industry_section = "organization__industry_section"
    scope_all_roles = (Role.OFFICE,)

    class Meta:
        verbose_name = "指导员走访"
        ordering = ["-visited_on", "-id"]
        indexes = [
            models.Index(
                fields=["instructor", "organization", "visited_on"], name="coverage_visit_lookup_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instructor_id}→{self.organization_id} {self.visited_on}"


class DispatchedSecretary(SeenWithItsPartyOrg):
    """派驻党组织书记: a person a unit (a township, a department, an enterprise's parent) sent to be a
    party organization's secretary, from `starts_on` until `ends_on` (exclusive; empty: still).
    Recorded through `secretaries.py`, which keeps the party organization's 书记 in step."""

    party_org = models.ForeignKey(
        PartyOrganization,
        verbose_name="党组织",
        on_delete=models.CASCADE,
        related_name="dispatched_secretaries",
    )
    name = models.CharField("姓名", max_length=50)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    sent_by = models.CharField("派出单位", max_length=100)
    starts_on = models.DateField("派驻日期")
    ends_on = models.DateField("结束日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    personal_fields = {"phone": "phone"}  # liangxin.core.masking

    class Meta:
        verbose_name = "派驻书记"
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return f"{self.party_org} {self.name}"

    def in_post(self, day) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on > day)
