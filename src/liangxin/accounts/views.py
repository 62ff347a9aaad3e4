from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from liangxin.accounts import services
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


@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    form.fields["old_password"].label = "原密码"
    form.fields["new_password1"].label = "新密码"
    form.fields["new_password2"].label = "再次输入新密码"
    if request.method == "POST" and form.is_valid():
        services.set_password(request.user, form.cleaned_data["new_password1"], actor=request.user)
        update_session_auth_hash(request, request.user)
        messages.success(request, "密码已修改")
        return redirect("home")
    return render(request, "accounts/password_change.html", {"form": form})


def _locked_usernames(usernames) -> set[str]:
    since = timezone.now() - timedelta(hours=settings.AXES_COOLOFF_TIME)
    return set(
        AccessAttempt.objects.filter(
            username__in=list(usernames),
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=since,
        ).values_list("username", flat=True)
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
    locked = _locked_usernames(u.username for u in page)
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
        },
    )


@role_required(Role.SECURITY_ADMIN)
def user_edit(request, pk: int | None = None):
    user = get_object_or_404(User, pk=pk) if pk else None
    form_class = UserForm if user else NewUserForm
    form = form_class(request.POST or None, instance=user)
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
        except ValidationError as exc:
            _add_errors(form, exc)
            if pk is None:
                user = None
        else:
            return redirect("accounts:users")
    return render(request, "accounts/user_form.html", {"form": form, "target": user})


@role_required(Role.SECURITY_ADMIN)
def user_reset_password(request, pk: int):
    target = get_object_or_404(User, pk=pk)
    form = ResetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_password(target, form.cleaned_data["password"], actor=request.user)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"已重置“{target.username}”的密码，用户下次登录须修改")
            return redirect("accounts:users")
    return render(request, "accounts/user_password.html", {"form": form, "target": target})


@require_POST
@role_required(Role.SECURITY_ADMIN)
def user_unlock(request, pk: int):
    target = get_object_or_404(User, pk=pk)
    services.unlock_user(target, actor=request.user)
    messages.success(request, f"已解除“{target.username}”的登录锁定")
    return redirect("accounts:users")
