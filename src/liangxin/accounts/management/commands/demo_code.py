from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

from liangxin.accounts.demo import DEMO_DEVICE_NAME
from liangxin.accounts.models import User


class Command(BaseCommand):
    requires_system_checks: list[str] = []

    help = "打印演示账号当前的两步验证码（只对演示数据绑定的验证器有效）。"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username).first()
        device = user and user.totpdevice_set.filter(name=DEMO_DEVICE_NAME, confirmed=True).first()
        if not device:
            raise CommandError(
                f"“{username}”没有演示验证器：只有 liangxin demo 绑定的演示账号可以这样取验证码"
            )
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(
            f"{totp.token():0{device.digits}d}（{device.step - totp.time % device.step:.0f} 秒内有效）"
        )
