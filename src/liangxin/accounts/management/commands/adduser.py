import getpass
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from liangxin.accounts import services
from liangxin.accounts.models import User
from liangxin.core.models import Area, MemberUnit, Region
from liangxin.core.roles import Role


class Command(BaseCommand):
    requires_system_checks: list[str] = []

    help = "创建用户（例如首个安全管理员）。密码从终端输入，或用 --password-stdin 从标准输入读取。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values, help="角色")
        parser.add_argument("--name", default="", help="姓名")
        parser.add_argument("--region", default="", help="所辖区划代码（县、乡镇用户）")
        parser.add_argument("--area", default="", help="所辖功能区名称（园区用户）")
        parser.add_argument("--member-unit", default="", help="所属成员单位名称（成员单位用户）")
        parser.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码")

    def handle(self, *args, username, role, name, region, area, member_unit, password_stdin, **options):
        if User.objects.filter(username=username).exists():
            raise CommandError(f"用户名“{username}”已存在")
        fields = {"username": username, "role": role, "full_name": name}
        try:
            if region:
                fields["region"] = Region.objects.get(code=region)
            if area:
                fields["area"] = Area.objects.get(name=area)
            if member_unit:
                fields["member_unit"] = MemberUnit.objects.get(name=member_unit)
        except (Region.DoesNotExist, Area.DoesNotExist, MemberUnit.DoesNotExist):
            raise CommandError("所辖区划、功能区或成员单位不存在，请核对名称或代码") from None
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("密码：")
            if password != getpass.getpass("再次输入密码："):
                raise CommandError("两次输入的密码不一致")
        try:
            user = services.create_user(actor=None, password=password, source="command", **fields)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"已创建用户 {user.username}（{user.get_role_display()}）"))
