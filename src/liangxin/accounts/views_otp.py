"""Second-factor pages: enrolment (QR code drawn on the server), the code page, recovery codes."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from liangxin.accounts import second_factor


class CodeForm(forms.Form):
    token = forms.CharField(
        label="验证码",
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        help_text="验证器上的 6 位数字；手机不在身边时，可输入一个恢复码（每个只能用一次）",
    )


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "/"


@login_required
def setup(request):
    user = request.user
    if second_factor.enrolled(user):
        return redirect("accounts:otp_verify")
    device = second_factor.pending_device(user)
    form = CodeForm(request.POST or None)
    form.fields["token"].help_text = "输入验证器上显示的 6 位数字，完成绑定"
    if request.method == "POST" and form.is_valid():
        codes = second_factor.confirm_enrolment(request, device, form.cleaned_data["token"])
        if codes is not None:
            return render(request, "accounts/otp_codes.html", {"codes": codes, "next": _next(request)})
        form.add_error("token", "验证码不正确：请核对手机时间是否准确，并输入验证器上当前显示的数字")
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "qr": second_factor.qr_svg(device),
            "secret": second_factor.secret_text(device),
            "compulsory": second_factor.compulsory(user),
            "next": _next(request),
        },
    )


@login_required
def verify(request):
    user = request.user
    if not second_factor.enrolled(user):
        return redirect("accounts:otp_setup")
    if user.is_verified():
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor.verify(request, form.cleaned_data["token"]):
            left = second_factor.recovery_codes_left(user)
            if left <= 3:
                messages.warning(request, f"恢复码只剩 {left} 个，请在“两步验证”页面重新生成")
            return redirect(_next(request))
        form.add_error("token", "验证码错误或已使用。多次输错后须等待片刻再试")
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next(request)})


@login_required
def manage(request):
    """The account's own second factor: status, recovery codes left, new recovery codes."""
    return render(
        request,
        "accounts/otp_manage.html",
        {
            "enrolled": second_factor.enrolled(request.user),
            "left": second_factor.recovery_codes_left(request.user),
            "compulsory": second_factor.compulsory(request.user),
        },
    )


@require_POST
@login_required
def new_codes(request):
    if not second_factor.enrolled(request.user):
        return redirect("accounts:otp_setup")
    codes = second_factor.new_recovery_codes(request.user)
    return render(request, "accounts/otp_codes.html", {"codes": codes, "next": "/"})
