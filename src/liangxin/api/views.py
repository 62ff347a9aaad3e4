"""The security administrator's pages for integration tokens."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from liangxin.api import tokens
from liangxin.api.forms import TokenForm
from liangxin.api.models import ApiToken
from liangxin.core.listing import paginate
from liangxin.core.permissions import role_required
from liangxin.core.roles import Role


@role_required(Role.SECURITY_ADMIN)
def token_list(request):
    rows = ApiToken.objects.select_related("user", "created_by")
    q = request.GET.get("q", "").strip()
    if q:
        rows = rows.filter(name__contains=q)
    return render(request, "api/token_list.html", {"page": paginate(request, rows), "q": q})


@role_required(Role.SECURITY_ADMIN)
def token_create(request):
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            token, secret = tokens.create_token(
                actor=request.user,
                name=data["name"],
                user=data["user"],
                access=data["access"],
                days=data["days"],
                rate_per_minute=data["rate_per_minute"],
            )
        except tokens.TokenError as exc:
            form.add_error(None, exc.message)
        else:
            # Shown this once: only its digest is kept.
            return render(request, "api/token_created.html", {"token": token, "secret": secret})
    return render(request, "api/token_form.html", {"form": form})


@role_required(Role.SECURITY_ADMIN)
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk)
    tokens.revoke_token(token, actor=request.user)
    messages.success(request, f"令牌“{token.name}”已吊销，立即失效")
    return redirect("api:tokens")
