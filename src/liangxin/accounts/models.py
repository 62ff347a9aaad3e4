from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

from liangxin.core.roles import ADMIN_ROLES, Role


class User(AbstractUser):
    """A person with one role and, for scoped roles, a jurisdiction.

    Jurisdiction = a region subtree (county/township users, instructors), a functional area
    (park users) and/or a member unit (member-unit users). The office sees the whole city.
    """

    role = models.CharField("角色", max_length=20, choices=Role.choices)
    full_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    region = models.ForeignKey(
        "core.Region",
        verbose_name="所辖区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    area = models.ForeignKey(
        "core.Area",
        verbose_name="所辖功能区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    member_unit = models.ForeignKey(
        "core.MemberUnit",
        verbose_name="所属成员单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    must_change_password = models.BooleanField("下次登录须修改密码", default=False)

    objects = UserManager()

    class Meta:
        verbose_name = "用户"
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_admin_role(self) -> bool:
        return self.role in ADMIN_ROLES

    @property
    def jurisdiction_label(self) -> str:
        parts = [str(x) for x in (self.region, self.area, self.member_unit) if x]
        if self.role == Role.OFFICE:
            return "全市"
        if self.role == Role.INSTRUCTOR:
            return "所指导的组织"  # scoped by assignment, not by the account's region
        return "、".join(parts) or "—"
