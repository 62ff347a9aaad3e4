"""Reference data every domain stands on: regions, functional areas, industries, member units,
the installation's city, and the audit log."""

from django.db import models
from django.utils import timezone

from liangxin.core.roles import Role
from liangxin.core.scoping import LEVELS, RegionBound, ScopedManager


class RegionLevel(models.TextChoices):
    PROVINCE = "province", "省"
    CITY = "city", "市"
    COUNTY = "county", "县（市、区）"
    TOWNSHIP = "township", "乡镇（街道）"
    VILLAGE = "village", "村（社区）"


class Region(RegionBound):
    """行政区划: GB/T 2260 (6 digits) down to county, 统计用区划代码 (9 digits) for townships and
    (12 digits) for villages and communities. A village carries its township's code columns."""

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("级别", max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    key_village = models.BooleanField(
        "乡村振兴重点帮扶村", default=False, help_text="由工委办公室标记；仅对村（社区）有意义"
    )

    objects = ScopedManager()
    scope_region = ""
    scope_area = "areas"
    scope_distinct = True
    scope_all_roles = (Role.OFFICE, Role.SYSTEM_ADMIN, Role.MEMBER_UNIT)
    scope_change_all_roles = (Role.OFFICE, Role.SYSTEM_ADMIN)

    class Meta:
        verbose_name = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def ancestor_codes(self) -> list[str]:
        return [code for level in LEVELS if (code := getattr(self, f"{level}_code")) and code != self.code]


class AreaKind(models.TextChoices):
    PARK = "park", "工业园区/开发区"
    BUILDING = "building", "商务楼宇"
    MARKET = "market", "商圈市场"


class Area(RegionBound):
    """功能区: a park, office building or market that belongs to a region."""

    name = models.CharField("名称", max_length=100, unique=True)
    kind = models.CharField("类型", max_length=10, choices=AreaKind.choices)
    region = models.ForeignKey(
        Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="areas"
    )
    note = models.CharField("备注", max_length=200, blank=True)

    objects = ScopedManager()
    scope_region = ""
    scope_area = "pk"
    scope_all_roles = (Role.OFFICE, Role.SYSTEM_ADMIN, Role.MEMBER_UNIT)
    scope_change_all_roles = (Role.OFFICE, Role.SYSTEM_ADMIN)

    class Meta:
        verbose_name = "功能区"
        ordering = ["region__code", "name"]

    def __str__(self) -> str:
        return self.name


class Industry(models.Model):
    """GB/T 4754-2017 门类 (a letter) and 大类 (two digits)."""

    code = models.CharField("代码", max_length=4, primary_key=True)
    name = models.CharField("名称", max_length=100)
    section = models.CharField("门类", max_length=1)

    class Meta:
        verbose_name = "国民经济行业"
        ordering = ["section", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_section(self) -> bool:
        return len(self.code) == 1


class MemberUnitKind(models.TextChoices):
    DEPARTMENT = "department", "市直部门"
    COUNTY_ORG = "county_org", "县（市、区）委组织部"


class MemberUnit(RegionBound):
    """成员单位: a department on the “两新”工委, or a county's organization department."""

    name = models.CharField("名称", max_length=100, unique=True)
    kind = models.CharField(
        "类别", max_length=12, choices=MemberUnitKind.choices, default=MemberUnitKind.DEPARTMENT
    )
    region = models.ForeignKey(
        Region,
        verbose_name="所属区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="member_units",
    )
    industries = models.ManyToManyField(
        Industry, verbose_name="主管行业", blank=True, related_name="member_units"
    )
    tags = models.JSONField("主管重点群体/标签", default=list, blank=True)
    contact = models.CharField("联系人", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    sort = models.PositiveIntegerField("排序", default=0)
    active = models.BooleanField("在用", default=True)

    objects = ScopedManager()
    personal_fields = {"phone": "phone", "contact": "name"}  # liangxin.core.masking
    scope_region = ""
    scope_member_unit = "pk"
    scope_all_roles = (Role.OFFICE, Role.SYSTEM_ADMIN)
    scope_change_all_roles = (Role.OFFICE, Role.SYSTEM_ADMIN)

    class Meta:
        verbose_name = "成员单位"
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return self.name


class Installation(models.Model):
    """The one city this installation serves (`liangxin setup --city`)."""

    city = models.OneToOneField(Region, on_delete=models.PROTECT, related_name="+")
    installed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "安装信息"

    def __str__(self) -> str:
        return self.city.name

    @classmethod
    def current_city(cls) -> Region | None:
        row = cls.objects.select_related("city").first()
        return row.city if row else None


class ImportBatch(models.Model):
    """One imported file: who, when, which file, what it did. Organizations point at the batch
    that created them, so the change history names the file without an audit row per row."""

    at = models.DateTimeField("导入时间", auto_now_add=True)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField("导入人", max_length=150, blank=True)
    filename = models.CharField("文件名", max_length=255)
    sha256 = models.CharField("文件摘要", max_length=64, blank=True)
    source = models.CharField("来源", max_length=10, default="page")
    summary = models.JSONField("结果", default=dict)

    class Meta:
        verbose_name = "导入记录"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.filename}（{self.at:%Y-%m-%d %H:%M}）"


class ImportJob(models.Model):
    """An uploaded file on its way through preview (a dry run) and import, run by the task
    worker so that a large file shows progress instead of holding a request open."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "处理中"
        PREVIEWED = "previewed", "待确认"
        DONE = "done", "已导入"
        FAILED = "failed", "失败"

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    filename = models.CharField("文件名", max_length=255)
    stored = models.CharField("保存的文件", max_length=100)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    committing = models.BooleanField("正式导入", default=False)
    report = models.JSONField("结果", default=dict, blank=True)
    error = models.CharField("错误", max_length=1000, blank=True)
    has_error_rows = models.BooleanField(default=False)
    # The process running the job ("host:pid:start", core.jobs.worker_identity): a job left
    # running by a process that no longer exists is marked failed (core.jobs.fail_orphaned_jobs).
    worker = models.CharField("处理进程", max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "导入任务"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename}（{self.get_status_display()}）"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.PREVIEWED, self.Status.DONE, self.Status.FAILED)


class AuditLog(models.Model):
    """One audited event. Append-only: written only through `liangxin.core.audit.record` (or
    `auditchain.append` for a batch); each row carries the SM3 hash of its content chained to
    the previous row's (`liangxin.core.auditchain`), so a row changed or removed in the
    database is found by `liangxin audit_verify`. On PostgreSQL a trigger refuses UPDATE and
    DELETE (migration core 0005); only `liangxin audit_archive` removes rows older than the
    retention, after a verified chain."""

    class Source(models.TextChoices):
        PAGE = "page", "页面"
        IMPORT = "import", "导入文件"
        COMMAND = "command", "命令"
        API = "api", "接口"
        SYSTEM = "system", "系统"

    class Result(models.TextChoices):
        SUCCESS = "success", "成功"
        FAILURE = "failure", "失败"

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        "accounts.User",
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField("操作人账号", max_length=150, blank=True)
    role = models.CharField("角色", max_length=20, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    action = models.CharField("操作", max_length=100, db_index=True)
    object_type = models.CharField("对象类型", max_length=100, blank=True, db_index=True)
    object_id = models.CharField("对象ID", max_length=64, blank=True, db_index=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    source = models.CharField("来源", max_length=10, choices=Source.choices, default=Source.PAGE)
    source_detail = models.CharField("来源说明", max_length=255, blank=True)
    result = models.CharField("结果", max_length=10, choices=Result.choices, default=Result.SUCCESS)
    message = models.CharField("说明", max_length=500, blank=True)
    prev_hash = models.CharField("前一条的哈希", max_length=64, blank=True)
    hash = models.CharField("哈希（SM3）", max_length=64, blank=True)

    class Meta:
        verbose_name = "审计日志"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"


class DataVersion(models.Model):
    """A counter per kind of derived data ("figures": everything a coverage figure reads),
    bumped inside the changing transaction by the service that changes it
    (`liangxin.core.effects`). Cached figures are keyed by it, so a change makes new keys."""

    name = models.CharField(max_length=40, primary_key=True)
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "数据版本"
        verbose_name_plural = "数据版本"

    def __str__(self) -> str:
        return f"{self.name} {self.value}"


class AuditChainHead(models.Model):
    """The one row (pk 1) that ends the audit chain: the last record and its hash (so that a
    removed tail is noticed), and the anchor left by the last archive (the hash the first
    remaining record must follow). Locked by every append, which serializes the chain.
    ``seal`` is an HMAC-SM3 of the four, keyed by the secret key (which is not in the database),
    so that someone who removes the last records and rewrites this row to match is caught too."""

    last_id = models.BigIntegerField(null=True)
    last_hash = models.CharField(max_length=64, blank=True)
    anchor_id = models.BigIntegerField(null=True)
    anchor_hash = models.CharField(max_length=64, blank=True)
    appends = models.BigIntegerField(default=0)
    seal = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "审计日志链尾"

    def __str__(self) -> str:
        return f"审计日志链尾：第 {self.last_id} 号"
