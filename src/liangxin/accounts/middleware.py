"""What a signed-in user must do before anything else, in order: still be the newest session
(concurrent-session limit), pass the second factor, choose a new password."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from liangxin.accounts import second_factor, sessions


def _exempt(path: str) -> bool:
    return path.startswith("/static/")


class _Gate:
    allowed_names: tuple[str, ...] = ()

    def __init__(self, get_response):
        self.get_response = get_response
        self._allowed: tuple[str, ...] | None = None

    def allowed(self, path: str) -> bool:
        if self._allowed is None:
            self._allowed = tuple(reverse(name) for name in self.allowed_names)
        return path in self._allowed or _exempt(path)


class SessionLimitMiddleware(_Gate):
    """A session ended by a newer login of the same account (LIANGXIN_MAX_SESSIONS*) is logged out."""

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not sessions.is_current(request):
            logout(request)
            messages.warning(
                request, "您的账号已在其他地方登录，本次会话已结束。如非本人操作，请立即修改密码。"
            )
            return redirect("login")
        return self.get_response(request)


class SecondFactorMiddleware(_Gate):
    """Until verified, an account that needs a second factor reaches only enrolment, the code
    page and logout."""

    allowed_names = ("accounts:otp_setup", "accounts:otp_verify", "logout")

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not self.allowed(request.path)
            and second_factor.required(user)
        ):
            target = "accounts:otp_verify" if second_factor.enrolled(user) else "accounts:otp_setup"
            url = reverse(target)
            if request.method == "GET" and request.path != reverse("home"):
                url += "?" + urlencode({"next": request.get_full_path()})
            return redirect(url)
        return self.get_response(request)


class ForcePasswordChangeMiddleware(_Gate):
    """A password set by an administrator, or older than LIANGXIN_PASSWORD_MAX_AGE_DAYS, must be
    replaced by one the user chooses before anything else."""

    allowed_names = ("accounts:password_change", "logout")

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and (user.must_change_password or user.password_expired())
            and not self.allowed(request.path)
        ):
            return redirect("accounts:password_change")
        return self.get_response(request)
