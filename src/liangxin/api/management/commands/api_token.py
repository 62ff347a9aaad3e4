from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from liangxin.accounts.models import User
from liangxin.api import tokens
from liangxin.api.models import ApiToken


class Command(BaseCommand):
    requires_system_checks: list[str] = []

    help = (
        "在服务器上创建接口令牌（三员分立：代表工委办公室的全市令牌只能这样创建）。"
        "令牌只显示这一次；创建记入审计日志，操作人为执行命令的系统用户。"
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="令牌名称（对接系统的名称）")
        parser.add_argument("--user", required=True, help="令牌代表的账号（用户名）")
        parser.add_argument("--access", choices=ApiToken.Access.values, default=ApiToken.Access.READ)
        parser.add_argument("--days", type=int, default=90, help="有效期（天，1–730）")
        parser.add_argument("--rate", type=int, default=120, help="每分钟请求上限")

    def handle(self, *args, name, user, access, days, rate, **options):
        account = User.objects.filter(username=user).first()
        if account is None:
            raise CommandError(f"用户名“{user}”不存在")
        try:
            token, secret = tokens.create_token(
                actor=None, name=name, user=account, access=access, days=days, rate_per_minute=rate
            )
        except tokens.TokenError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"已创建令牌“{token.name}”（代表 {account.username}，{token.get_access_display()}，"
            f"{timezone.localtime(token.expires_at):%Y-%m-%d} 到期）。请立即保存，它不会再显示：\n{secret}"
        )
