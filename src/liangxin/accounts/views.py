from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from liangxin.accounts import guards, lockouts, second_factor, services
from liangxin.accounts.forms import NewUserForm, ResetPasswordForm, UserForm
from liangxin.accounts.models import User
from liangxin.core.listing import paginate
from liangxin.core.permissions import role_required
from liangxin.core.roles import Role


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error("password" if "password" in form.fields else None, exc.messages)


def _refused(request, exc: guards.Refused, template: str, context: dict):
    """A 三员分立 refusal (already audited): the page again, with the reason, as a 403."""
    messages.error(request, str(exc))
    return render(request, template, context, status=403)


@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    form.fields["old_password"].label = "原密码"
    form.fields["new_password1"].label = "新密码"
    form.fields["new_password2"].label = "再次输入新密码"
    if request.method == "POST" and form.is_valid():
        try:
            services.change_own_password(request.user, form.cleaned_data["new_password1"])
        except ValidationError as exc:
            form.add_error("new_password1", exc.messages)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, "密码已修改")
            return redirect("home")
    return render(
        request, "accounts/password_change.html", {"form": form, "expired": request.user.password_expired()}
    )


@role_required(Role.SECURITY_ADMIN)
def user_list(request):
    users = User.objects.select_related("region", "area", "member_unit")
    q = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    if q:
        users = users.filter(Q(username__contains=q) | Q(full_name__contains=q))
    if role in Role.values:
        users = users.filter(role=role)
    page, query = paginate(request, users)
    locked = lockouts.locked_usernames(u.username for u in page)
    enrolled = second_factor.enrolled_among(page.object_list)
    return render(
        request,
        "accounts/user_list.html",
        {
            "page": page,
            "query": query,
            "q": q,
            "role": role,
            "roles": Role.choices,
            "locked": locked,
            "enrolled": enrolled,
            "privileged": guards.PRIVILEGED_ROLES,
        },
    )


@role_required(Role.SECURITY_ADMIN)
def user_edit(request, pk: int | None = None):
    user = get_object_or_404(User, pk=pk) if pk else None
    form_class = UserForm if user else NewUserForm
    form = form_class(request.POST or None, instance=user)
    context = {
        "form": form,
        "target": user,
        "privileged": user is not None and guards.is_privileged(user.role),
    }
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if user is None:
                password = data.pop("password")
                user = services.create_user(actor=request.user, password=password, **data)
                messages.success(request, f"已创建用户“{user.username}”，首次登录须修改密码")
            else:
                services.update_user(user, actor=request.user, **data)
                messages.success(request, f"已保存用户“{user.username}”")
        except guards.Refused as exc:
            if user is not None:
                user.refresh_from_db()
            return _refused(request, exc, "accounts/user_form.html", context)
        except ValidationError as exc:
            _add_errors(form, exc)
            if pk is None:
                user = None
        else:
            return redirect("accounts:users")
    return render(request, "accounts/user_form.html", context)


@role_required(Role.SECURITY_ADMIN)
def user_reset_password(request, pk: int):
    target = get_object_or_404(User, pk=pk)
    form = ResetPasswordForm(request.POST or None)
    context = {"form": form, "target": target}
    if request.method == "POST" and form.is_valid():
        try:
            services.reset_password(target, form.cleaned_data["password"], actor=request.user)
        except guards.Refused as exc:
            return _refused(request, exc, "accounts/user_password.html", context)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"已重置“{target.username}”的密码，用户下次登录须修改")
            return redirect("accounts:users")
    return render(request, "accounts/user_password.html", context)


@require_POST
@role_required(Role.SECURITY_ADMIN)
def user_unlock(request, pk: int):
    target = get_object_or_404(User, pk=pk)
    try:
        services.unlock_user(target, actor=request.user)
    except guards.Refused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已解除“{target.username}”的登录锁定")
    return redirect("accounts:lockouts" if request.POST.get("next") == "lockouts" else "accounts:users")


@require_POST
@role_required(Role.SECURITY_ADMIN)
def user_reset_otp(request, pk: int):
    target = get_object_or_404(User, pk=pk)
    try:
        second_factor.reset(target, actor=request.user)
    except guards.Refused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已重置“{target.username}”的两步验证，其下次登录须重新绑定验证器")
    return redirect("accounts:users")


@role_required(Role.SECURITY_ADMIN)
def lockout_list(request):
    return render(request, "accounts/lockouts.html", {"lockouts": lockouts.current()})
