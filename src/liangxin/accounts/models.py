from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone

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
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = "用户"
        ordering = ["username"]
        constraints = [
            # 三员分立: an account holds exactly one of the known roles (never two, never none).
            models.CheckConstraint(condition=Q(role__in=Role.values), name="accounts_user_one_known_role"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def password_expired(self, now=None) -> bool:
        """等保: a password older than LIANGXIN_PASSWORD_MAX_AGE_DAYS must be changed (0 = never)."""
        days = settings.LIANGXIN_PASSWORD_MAX_AGE_DAYS
        since = self.password_changed_at or self.date_joined
        if not days or since is None:
            return False
        return ((now or timezone.now()) - since).days >= days

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


class PasswordHistory(models.Model):
    """The hashes of a user's last passwords (LIANGXIN_PASSWORD_HISTORY), refused on reuse."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "历史密码"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d}"


class LoginSession(models.Model):
    """One row per login: only the newest LIANGXIN_MAX_SESSIONS* of an account stay signed in."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_sessions")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = "登录会话"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d %H:%M}"
