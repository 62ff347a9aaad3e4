import getpass
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from liangxin.accounts import second_factor, services
from liangxin.accounts.models import User
from liangxin.core.models import Area, MemberUnit, Region
from liangxin.core.roles import Role


class Command(BaseCommand):
    requires_system_checks: list[str] = []

    help = (
        "在服务器上变更账号（三员分立：工委办公室和系统、安全、审计管理员的角色、停用、密码只能这样变更）。"
        "每项变更记入审计日志，操作人为执行命令的系统用户。"
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", choices=Role.values, help="改为此角色（一个账号只有一个角色）")
        parser.add_argument("--region", help="所辖区划代码（县、乡镇用户）")
        parser.add_argument("--area", help="所辖功能区名称（园区用户）")
        parser.add_argument("--member-unit", help="所属成员单位名称（成员单位用户）")
        status = parser.add_mutually_exclusive_group()
        status.add_argument("--disable", action="store_true", help="停用账号")
        status.add_argument("--enable", action="store_true", help="启用账号")
        parser.add_argument(
            "--password", action="store_true", help="重置密码（从终端输入；用户下次登录须修改）"
        )
        parser.add_argument("--password-stdin", action="store_true", help="重置密码，从标准输入读取")
        parser.add_argument("--reset-otp", action="store_true", help="重置两步验证（下次登录须重新绑定）")
        parser.add_argument("--unlock", action="store_true", help="解除登录锁定")

    def handle(self, *args, username, **o):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"用户名“{username}”不存在") from None
        changes = self._changes(user, o)
        done = []
        try:
            if changes:
                services.update_user(user, actor=None, source="command", **changes)
                done.append("已保存账号变更：" + "、".join(sorted(changes)))
            if o["password"] or o["password_stdin"]:
                services.reset_password(
                    user, self._read_password(o["password_stdin"]), actor=None, source="command"
                )
                done.append("已重置密码（下次登录须修改）")
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        if o["reset_otp"]:
            second_factor.reset(user, actor=None)
            done.append("已重置两步验证")
        if o["unlock"]:
            services.unlock_user(user, actor=None)
            done.append("已解除登录锁定")
        if not done:
            raise CommandError("未指定要做的变更，请查看 liangxin account --help")
        for line in done:
            self.stdout.write(self.style.SUCCESS(f"{user.username}：{line}"))

    def _changes(self, user: User, o) -> dict:
        changes: dict = {}
        try:
            if o["role"]:
                changes["role"] = o["role"]
                # A new role starts without the old jurisdiction unless one is given.
                changes.update(region=None, area=None, member_unit=None)
            if o["region"]:
                changes["region"] = Region.objects.get(code=o["region"])
            if o["area"]:
                changes["area"] = Area.objects.get(name=o["area"])
            if o["member_unit"]:
                changes["member_unit"] = MemberUnit.objects.get(name=o["member_unit"])
        except (Region.DoesNotExist, Area.DoesNotExist, MemberUnit.DoesNotExist):
            raise CommandError("所辖区划、功能区或成员单位不存在，请核对名称或代码") from None
        if o["disable"]:
            changes["is_active"] = False
        if o["enable"]:
            changes["is_active"] = True
        return changes

    def _read_password(self, from_stdin: bool) -> str:
        if from_stdin:
            return sys.stdin.readline().rstrip("\n")
        password = getpass.getpass("新密码：")
        if password != getpass.getpass("再次输入新密码："):
            raise CommandError("两次输入的密码不一致")
        return password
