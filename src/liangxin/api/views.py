"""The security administrator's pages for integration tokens."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from liangxin.api import tokens, webhook_services
from liangxin.api.forms import TokenForm, WebhookForm
from liangxin.api.models import ApiToken, WebhookDelivery, WebhookEndpoint
from liangxin.core.listing import paginate
from liangxin.core.permissions import role_required
from liangxin.core.roles import Role


@role_required(Role.SECURITY_ADMIN)
def token_list(request):
    rows = ApiToken.objects.select_related("user", "created_by")
    q = request.GET.get("q", "").strip()
    if q:
        rows = rows.filter(name__contains=q)
    page, query = paginate(request, rows)
    return render(request, "api/token_list.html", {"page": page, "query": query, "q": q})


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


@role_required(Role.SECURITY_ADMIN)
def webhook_list(request):
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        endpoint = webhook_services.create_endpoint(actor=request.user, **form.cleaned_data)
        messages.success(
            request, f"已添加接收端“{endpoint.name}”；签名密钥：{endpoint.secret}（请交给接收方）"
        )
        return redirect("api:webhooks")
    endpoints = WebhookEndpoint.objects.all()
    return render(request, "api/webhook_list.html", {"endpoints": endpoints, "form": form})


@role_required(Role.SECURITY_ADMIN)
def delivery_list(request):
    rows = WebhookDelivery.objects.select_related("endpoint")
    status = request.GET.get("status", "")
    event = request.GET.get("event", "")
    if status in WebhookDelivery.Status.values:
        rows = rows.filter(status=status)
    if event in WebhookEndpoint.Event.values:
        rows = rows.filter(event=event)
    page, query = paginate(request, rows)
    return render(
        request,
        "api/delivery_list.html",
        {
            "page": page,
            "query": query,
            "status": status,
            "event": event,
            "statuses": WebhookDelivery.Status.choices,
            "events": WebhookEndpoint.Event.choices,
        },
    )
