from django.core.management.base import BaseCommand, CommandError

from liangxin.accounts import demo as accounts_demo
from liangxin.core import demo
from liangxin.core.models import Installation
from liangxin.core.plugins import app_modules


class Command(BaseCommand):
    requires_system_checks: list[str] = []

    help = "载入确定性的演示数据（演示账号、功能区及各模块的演示数据）。可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument("--logins", action="store_true", help="只打印演示账号，不载入数据")

    def handle(self, *args, logins, **options):
        city = Installation.current_city()
        if city is None:
            raise CommandError("系统尚未初始化城市，请先运行：liangxin setup --city 360800")
        if not logins:
            for module in app_modules("demo"):
                module.load(city, self.stdout)
        self.stdout.write(demo.logins_text(city))
        second_factor_text = accounts_demo.logins_text()
        if second_factor_text:
            self.stdout.write(second_factor_text)
