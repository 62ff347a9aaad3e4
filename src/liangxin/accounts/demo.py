"""Demo second factors: the demo's office and administrator accounts get an enrolled
authenticator, so a newcomer can log in without a phone (`liangxin demo_code USERNAME` prints
the current code) or add the printed key to an authenticator app. Never on a real installation:
`demo_code` answers only for devices the demo created."""

from __future__ import annotations

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from liangxin.accounts import second_factor
from liangxin.accounts.models import User

DEMO_DEVICE_NAME = "演示验证器"


def demo_accounts():
    usernames = {"office", "sysadmin", "secadmin", "auditadmin"}
    return [
        u
        for u in User.objects.filter(username__in=usernames).order_by("username")
        if second_factor.compulsory(u)
    ]


@transaction.atomic
def load(city, out) -> None:
    created = 0
    for user in demo_accounts():
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(user=user, name=DEMO_DEVICE_NAME, confirmed=True)
            created += 1
    out.write(f"演示两步验证：为 {created} 个演示账号绑定了验证器")


def logins_text() -> str:
    devices = {
        d.user.username: d
        for d in TOTPDevice.objects.filter(
            name=DEMO_DEVICE_NAME, confirmed=True, user__in=demo_accounts()
        ).select_related("user")
    }
    if not devices:
        return ""
    lines = [
        "两步验证（工委办公室和三类管理员必须使用）：登录后输入验证码——运行 liangxin demo_code 用户名 打印当前验证码，",
        "或把下列密钥加入手机验证器（TOTP，30 秒，6 位）：",
    ]
    for username, device in sorted(devices.items()):
        lines.append(f"  {username:<16} {second_factor.secret_text(device)}")
    return "\n".join(lines)
