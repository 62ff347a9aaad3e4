"""View-level access: who may use a page (role), and which rows they get (scope)."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404


def role_required(*roles: str):
    """Only these roles may use the view; others get 403 (the page exists, it is not theirs)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if user.role not in roles:
                raise PermissionDenied("您的角色无权使用此功能")
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = frozenset(roles)
        return wrapper

    return decorator


def visible(model: type[models.Model], request) -> models.QuerySet:
    """The rows of `model` the requesting user may see. Views get querysets only this way."""
    return model.objects.visible_to(request.user)


def get_visible_or_404(model: type[models.Model], request, **lookup):
    """One row, or 404 for both “missing” and “not yours”, so existence is not leaked."""
    try:
        return visible(model, request).get(**lookup)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该记录，或不在您的管辖范围内") from None
