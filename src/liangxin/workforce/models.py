"""新就业群体: stations of couriers, riders, drivers and streamers, the 驿站 that serve them, and
the 流动哨兵 reports riders send from the road (domain.md §3 WorkforceGroup)."""

from __future__ import annotations

from django.db import models

from liangxin.core.roles import Role
from liangxin.core.scoping import RegionBound, ScopedManager


class GroupType(models.TextChoices):
    EXPRESS = "express", "快递"
    DELIVERY = "delivery", "外卖"
    RIDE = "ride_hailing", "网约车"
    FREIGHT = "freight", "货运"
    LIVE = "live", "网络直播"
    OTHER = "other", "其他"


class StationKind(models.TextChoices):
    EXPRESS = "express_point", "快递网点"
    DELIVERY = "delivery_site", "外卖站点"
    RIDE = "ride_service", "网约车服务站"
    LIVE = "live_base", "直播基地"
    OTHER = "other", "其他站点"


class Station(RegionBound):
    """A station or site of a platform or company, in one township."""

    platform = models.CharField("平台/企业", max_length=200)
    name = models.CharField("站点名称", max_length=200)
    group_type = models.CharField("群体类型", max_length=20, choices=GroupType.choices)
    kind = models.CharField("站点类型", max_length=20, choices=StationKind.choices, default=StationKind.OTHER)
    region = models.ForeignKey(
        "core.Region", on_delete=models.PROTECT, related_name="+", verbose_name="所属乡镇（街道）"
    )
    address = models.CharField("地址", max_length=300, blank=True)
    headcount = models.PositiveIntegerField("从业人数", default=0)
    members_full = models.PositiveIntegerField("正式党员数", default=0)
    members_probationary = models.PositiveIntegerField("预备党员数", default=0)
    pioneer_posts = models.PositiveIntegerField("党员先锋岗数", default=0)
    organization = models.ForeignKey(
        "registry.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="登记组织",
    )
    established_on = models.DateField("设立日期", null=True, blank=True)
    closed_on = models.DateField("撤销日期", null=True, blank=True)
    link_token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    link_created_at = models.DateTimeField("报告链接生成时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    scope_region = ""
    scope_all_roles = (Role.OFFICE,)

    class Meta:
        verbose_name = "新就业群体站点"
        ordering = ["platform", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "name"], name="workforce_station_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.platform}·{self.name}"

    @property
    def party_members(self) -> int:
        return self.members_full + self.members_probationary


class PosthouseKind(models.TextChoices):
    WARM = "warm", "暖心驿站"
    RED = "red", "红色驿站"


class Posthouse(RegionBound):
    """A 驿站 serving the workers: water, a charger, a rest, a party activity room."""

    name = models.CharField("驿站名称", max_length=200, unique=True)
    kind = models.CharField(
        "驿站类型", max_length=10, choices=PosthouseKind.choices, default=PosthouseKind.WARM
    )
    host = models.CharField("主办单位", max_length=200, blank=True)
    services = models.CharField("服务内容", max_length=500, blank=True)
    region = models.ForeignKey(
        "core.Region", on_delete=models.PROTECT, related_name="+", verbose_name="所属乡镇（街道）"
    )
    address = models.CharField("地址", max_length=300, blank=True)
    stations = models.ManyToManyField(Station, blank=True, related_name="posthouses", verbose_name="服务站点")
    opened_on = models.DateField("启用日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    scope_region = ""
    scope_all_roles = (Role.OFFICE,)

    class Meta:
        verbose_name = "驿站"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Category(models.TextChoices):
    SAFETY = "safety", "安全隐患"
    CITY = "city", "市容环境"
    TRAFFIC = "traffic", "交通设施"
    DISPUTE = "dispute", "矛盾纠纷"
    NEEDY = "needy", "困难群众"
    OTHER = "other", "其他"


class ReportStatus(models.TextChoices):
    NEW = "new", "待受理"
    ACCEPTED = "accepted", "办理中"
    CLOSED = "closed", "已办结"


class SentinelReport(RegionBound):
    """What a rider saw, sent without an account through a station's link. Routed to the
    township of the place (the region columns) or to a member unit by category (`unit`)."""

    receipt = models.CharField("回执号", max_length=20, unique=True)
    nonce = models.CharField(max_length=64, unique=True)  # one form, one report: a resend is not a second
    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="reports", verbose_name="站点"
    )
    group_type = models.CharField("群体类型", max_length=20, choices=GroupType.choices)
    category = models.CharField("类别", max_length=10, choices=Category.choices)
    region = models.ForeignKey(
        "core.Region", on_delete=models.PROTECT, related_name="+", verbose_name="所在乡镇（街道）"
    )
    place = models.CharField("地点", max_length=200)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    description = models.TextField("所见情况", max_length=2000)
    photo = models.BinaryField("照片", null=True, blank=True)
    photo_keeps_location = models.BooleanField("照片附带位置", default=False)
    reporter_name = models.CharField("报告人", max_length=50, blank=True)
    reporter_phone = models.CharField("联系电话", max_length=30, blank=True)
    client_key = models.CharField(
        max_length=64, db_index=True
    )  # a keyed hash of the address, never the address
    unit = models.ForeignKey(
        "core.MemberUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="承办成员单位",
    )
    status = models.CharField("状态", max_length=10, choices=ReportStatus.choices, default=ReportStatus.NEW)
    submitted_at = models.DateTimeField("报告时间", db_index=True)
    due_on = models.DateField("办结时限")
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    outcome = models.TextField("办理结果", blank=True)
    personal_removed_at = models.DateTimeField("个人信息删除时间", null=True, blank=True)

    objects = ScopedManager()
    scope_region = ""
    scope_member_unit = "unit_id"
    scope_all_roles = (Role.OFFICE,)
    personal_fields = {"reporter_name": "name", "reporter_phone": "phone"}  # liangxin.core.masking

    class Meta:
        verbose_name = "流动哨兵报告"
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["station", "submitted_at"], name="workforce_report_link_idx")]

    def __str__(self) -> str:
        return f"{self.receipt} {self.get_category_display()}"
