"""The second factor: TOTP (django-otp) plus single-use recovery codes (its static device).

Compulsory for LIANGXIN_OTP_REQUIRED_ROLES (the three administrators and the office); any
other account that has enrolled must use it too. Only the security administrator resets it.
"""

from __future__ import annotations

from base64 import b32encode

import segno
from django.conf import settings
from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from liangxin.accounts import guards
from liangxin.accounts.models import LoginSession
from liangxin.core import audit
from liangxin.core.models import AuditLog

DEVICE_NAME = "验证器"
RECOVERY_NAME = "恢复码"


def compulsory(user) -> bool:
    return user.role in settings.LIANGXIN_OTP_REQUIRED_ROLES


def enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def required(user) -> bool:
    return compulsory(user) or enrolled(user)


def pending_device(user) -> TOTPDevice:
    """The unconfirmed device shown on the enrolment page (one per user, kept until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The key as authenticator apps take it by hand (base32, in groups of four)."""
    raw = b32encode(device.bin_key).decode()
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG QR code, drawn here (no outside service)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=2, title="两步验证二维码")


def _clean(token: str) -> str:
    return "".join(str(token).split()).lower()


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.LIANGXIN_OTP_RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def confirm_enrolment(request, device: TOTPDevice, token: str) -> list[str] | None:
    """The first code from the app proves the key was copied: the device is confirmed, this
    session counts as verified, and new recovery codes are returned (shown once)."""
    user = request.user
    if device.user_id != user.pk or device.confirmed or not device.verify_token(_clean(token)):
        audit.record(
            "accounts.otp.enrolment_failed",
            actor=user,
            obj=user,
            result=AuditLog.Result.FAILURE,
            message="绑定验证器时输入的验证码不正确",
        )
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    otp_login(request, device)
    audit.record("accounts.otp.enrolled", actor=user, obj=user, after={"recovery_codes": len(codes)})
    return codes


def verify(request, token: str) -> bool:
    """A code from the app or an unused recovery code (which is then spent)."""
    user = request.user
    token = _clean(token)
    devices = [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]
    for device in devices:
        with transaction.atomic():
            if device.verify_token(token):
                otp_login(request, device)
                after = {"method": "recovery_code" if isinstance(device, StaticDevice) else "totp"}
                if isinstance(device, StaticDevice):
                    after["recovery_codes_left"] = device.token_set.count()
                audit.record("accounts.otp.verified", actor=user, obj=user, after=after)
                return True
    audit.record(
        "accounts.otp.failed",
        actor=user,
        obj=user,
        result=AuditLog.Result.FAILURE,
        message="两步验证码错误或已使用",
    )
    return False


@transaction.atomic
def new_recovery_codes(user) -> list[str]:
    """The user, verified, replaces their recovery codes (the old ones stop working)."""
    codes = _new_recovery_codes(user)
    audit.record("accounts.otp.recovery_codes_renewed", actor=user, obj=user, after={"count": len(codes)})
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def reset(target, *, actor) -> None:
    """The security administrator (or the server command) removes a lost second factor: the
    account enrols again at its next login, and its open sessions end."""
    guards.check_account_change(actor, target, "otp_reset")
    _reset(target, actor=actor)


@transaction.atomic
def _reset(target, *, actor) -> None:
    from liangxin.accounts.services import _who

    removed = TOTPDevice.objects.filter(user=target).delete()[0]
    StaticDevice.objects.filter(user=target).delete()
    LoginSession.objects.filter(user=target).delete()
    audit.record("accounts.otp.reset", obj=target, after={"removed_devices": removed}, **_who(actor))


def enrolled_among(users) -> set[int]:
    """The ids of these users with a confirmed authenticator (for the user list)."""
    ids = [u.pk for u in users]
    return set(TOTPDevice.objects.filter(user_id__in=ids, confirmed=True).values_list("user_id", flat=True))
