"""The registry (摸清底数): every 两新组织 of the city, and the 三同步 follow-ups it opens."""

from django.conf import settings
from django.db import models

from liangxin.core.roles import Role
from liangxin.core.scoping import RegionBound, ScopedManager


class OrgKind(models.TextChoices):
    ENTERPRISE = "enterprise", "非公企业"
    SOCIAL = "social", "社会组织"


class RegStatus(models.TextChoices):
    ACTIVE = "active", "存续"
    OPERATING = "operating", "在业"
    MOVED_OUT = "moved_out", "迁出"
    CANCELLED = "cancelled", "注销"
    REVOKED = "revoked", "吊销"


# Statuses that count (domain.md §4): 迁出/注销/吊销 are kept but never counted.
COUNTED_STATUSES = (RegStatus.ACTIVE, RegStatus.OPERATING)
CLOSED_STATUSES = (RegStatus.CANCELLED, RegStatus.REVOKED)


class Tag(models.Model):
    """A key group or label: 产业链头部企业, 专精特新“小巨人”, 快递, 律师事务所 …"""

    name = models.CharField("标签", max_length=50, unique=True)

    class Meta:
        verbose_name = "重点标签"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


COVERAGE_INDEX_FIELDS = [
    *("county_code", "status", "kind", "party_members", "founded_on", "city_code", "township_code"),
    *("area", "employees", "above_scale", "industry_section"),
]


class Organization(RegionBound):
    # Indexes are chosen for a million rows: each costs every import (on PostgreSQL, ~15 WAL
    # records a row before this diet), so only those a page or rollup uses, declared in Meta
    # where a column's own `db_index`/`unique` would add more than asked: on PostgreSQL every
    # indexed CharField gets a varchar_pattern_ops twin for LIKE 'x%' that no query here uses
    # (searches are a contains ORed with the code, which no index serves). One city: every row
    # has the same province and city code. The county and township indexes keep rows in id
    # order within a code (SQLite appends the rowid), so a filtered list page reads its newest
    # 50 rows without sorting the county; the coverage index (Meta) holds every column the
    # coverage engine reads, so a city- or county-wide count reads that index and never the rows
    # (a third of the table's pages). Kind, status and 规上 alone are too coarse for an index to
    # beat a scan. Park and supervising unit are empty on most rows: their indexes hold only
    # the rows that have one (a query `area_id = x` still uses them).
    province_code = models.CharField("省级代码", max_length=12, blank=True)
    city_code = models.CharField("市级代码", max_length=12, blank=True)
    county_code = models.CharField("县级代码", max_length=12, blank=True)
    township_code = models.CharField("乡级代码", max_length=12, blank=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18)  # unique: Meta.constraints
    name = models.CharField("组织名称", max_length=200)
    kind = models.CharField("组织类别", max_length=12, choices=OrgKind.choices)
    # No index on the region and industry keys: lists filter by the codes, never by these ids
    # (reference rows are not deleted), and every index costs each imported row.
    region = models.ForeignKey(
        "core.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    area = models.ForeignKey(
        "core.Area",
        verbose_name="所属功能区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
        db_index=False,  # Meta: only the rows in a park
    )
    industry = models.ForeignKey(
        "core.Industry",
        verbose_name="所属行业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    industry_section = models.CharField("行业门类", max_length=1, blank=True)
    industry_detail = models.CharField("行业代码（原文）", max_length=5, blank=True)
    founded_on = models.DateField("成立日期", null=True, blank=True)
    status = models.CharField("登记状态", max_length=10, choices=RegStatus.choices, default=RegStatus.ACTIVE)
    employees = models.PositiveIntegerField("从业人员数", null=True, blank=True)
    party_members = models.PositiveIntegerField("正式党员数", default=0)
    probationary_members = models.PositiveIntegerField("预备党员数", default=0)
    above_scale = models.BooleanField("规上企业", default=False)
    tags = models.ManyToManyField(
        Tag, verbose_name="重点标签", blank=True, through="OrganizationTag", related_name="organizations"
    )
    supervising_unit = models.ForeignKey(
        "core.MemberUnit",
        verbose_name="主管单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
        db_index=False,  # Meta: only the rows with a supervising unit
    )
    address = models.CharField("地址", max_length=255, blank=True)
    contact = models.CharField("联系人", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    row_hash = models.BigIntegerField("导入行摘要", null=True, blank=True, editable=False)
    import_batch = models.ForeignKey(
        "core.ImportBatch",
        verbose_name="来自导入",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # read once per import, after its rows are written
        # No database constraint: the batch is created in the import's own transaction just
        # before its rows are written, and is never deleted but through Django (which sets
        # this to NULL, on_delete). The constraint's check cost every imported row a query at
        # commit (docs/scale.md, "Imports").
        db_constraint=False,
    )

    objects = ScopedManager()
    scope_region = ""
    scope_area = "area_id"
    scope_member_unit = "supervising_unit_id"
    scope_industry = "industry_id"
    scope_industry_section = "industry_section"
    scope_all_roles = (Role.OFFICE,)
    personal_fields = {"phone": "phone", "contact": "name"}  # liangxin.core.masking

    class Meta:
        verbose_name = "两新组织"
        ordering = ["-id"]
        indexes = [
            # Equality columns first (county, status, kind), then the ones the rules compare.
            models.Index(fields=COVERAGE_INDEX_FIELDS, name="registry_org_coverage_idx"),
            models.Index(fields=["name"], name="registry_org_name_idx"),
            models.Index(fields=["county_code"], name="registry_org_county_idx"),
            models.Index(fields=["township_code"], name="registry_org_township_idx"),
            models.Index(fields=["industry_section"], name="registry_org_section_idx"),
            models.Index(
                fields=["area"], condition=models.Q(area__isnull=False), name="registry_org_area_idx"
            ),
            models.Index(
                fields=["supervising_unit"],
                condition=models.Q(supervising_unit__isnull=False),
                name="registry_org_unit_idx",
            ),
        ]
        constraints = [models.UniqueConstraint(fields=["credit_code"], name="registry_org_credit_code_key")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_tags_q(cls, tags) -> models.Q:
        return models.Q(pk__in=OrganizationTag.objects.filter(tag__name__in=tags).values("organization_id"))

    @property
    def is_counted(self) -> bool:
        return self.status in COUNTED_STATUSES


class OrganizationTag(models.Model):
    # Served by the unique (organization, tag) and the (tag, organization) index: a key's own
    # index would be a third and fourth index on every imported tag.
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, db_index=False)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, db_index=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "tag"], name="unique_organization_tag")
        ]
        indexes = [models.Index(fields=["tag", "organization"])]

    def __str__(self) -> str:
        return f"{self.organization_id}:{self.tag_id}"


class FollowUp(models.Model):
    """三同步: a new organization must be followed up (党员信息 → 组建党组织 or 选派指导员);
    a closed one must have its party organization settled."""

    class Kind(models.TextChoices):
        NEW = "new", "新设立组织同步跟进"
        CLOSED = "closed", "注销/吊销组织党组织处置"

    class Status(models.TextChoices):
        OPEN = "open", "待办"
        DONE = "done", "已办结"

    class Outcome(models.TextChoices):
        COLLECTED = "collected", "已采集党员信息"
        PARTY_ORG = "party_org", "已组建党组织"
        INSTRUCTOR = "instructor", "已选派党建指导员"
        SETTLED = "settled", "已妥善处置党组织"
        NOT_NEEDED = "not_needed", "无需处理"

    organization = models.ForeignKey(
        Organization, verbose_name="组织", on_delete=models.CASCADE, related_name="followups"
    )
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)  # Meta
    due_on = models.DateField("办理时限", db_index=True)
    opened_at = models.DateTimeField("发起时间", auto_now_add=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办结人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # Meta: only the closed ones (an import opens them by the million)
    )
    outcome = models.CharField("办理结果", max_length=12, choices=Outcome.choices, blank=True)
    note = models.CharField("办理情况", max_length=500, blank=True)
    # The gatekeeping unit answerable for it (registry.followups.route_open): 市场监管局 for
    # enterprises, 民政局 for social organizations (LIANGXIN_FOLLOWUP_UNITS).
    unit = models.ForeignKey(
        "core.MemberUnit",
        verbose_name="责任单位",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedManager()
    scope_region = "organization__"
    scope_area = "organization__area_id"
    scope_member_unit = "organization__supervising_unit_id"
    scope_industry = "organization__industry_id"
    scope_industry_section = "organization__industry_section"
    scope_all_roles = (Role.OFFICE,)

    class Meta:
        verbose_name = "三同步跟进"
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind"],
                condition=models.Q(status="open"),
                name="one_open_followup_per_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["status"], name="registry_followup_status_idx"),
            models.Index(
                fields=["closed_by"],
                condition=models.Q(closed_by__isnull=False),
                name="registry_followup_closer_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization.name}：{self.get_kind_display()}"

    @classmethod
    def scope_tags_q(cls, tags) -> models.Q:
        return models.Q(
            organization_id__in=OrganizationTag.objects.filter(tag__name__in=tags).values("organization_id")
        )
