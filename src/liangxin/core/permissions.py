"""View-level access: who may use a page (role), and which rows they get (scope).

Rows come only through the scoped managers' ``restrict(user, action)`` (`liangxin.core.scoping`):
`restricted` for querysets, `get_restricted_or_404` for one row. A row the user may not
`action` is a 404 exactly like a missing one, so existence is not leaked; every refusal is written
to the audit log (``core.access.denied``) by `core.middleware.AuditReadsMiddleware`.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from liangxin.core.scoping import CHANGE, DELETE, VIEW

__all__ = [
    "CHANGE",
    "DELETE",
    "NOT_FOUND",
    "VIEW",
    "get_restricted_or_404",
    "get_visible_or_404",
    "restricted",
    "role_required",
    "visible",
]

NOT_FOUND = "未找到该记录，或不在您的管辖范围内"


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


def restricted(model: type[models.Model], request, action: str = VIEW) -> models.QuerySet:
    """The rows of `model` the requesting user may `action`. Views get querysets only this way."""
    return model.objects.restrict(request.user, action)


def visible(model: type[models.Model], request) -> models.QuerySet:
    return restricted(model, request, VIEW)


def get_restricted_or_404(model: type[models.Model], request, action: str = VIEW, **lookup):
    """One row the user may `action`, or 404 for both “missing” and “not yours”."""
    try:
        return restricted(model, request, action).get(**lookup)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None


def get_visible_or_404(model: type[models.Model], request, **lookup):
    return get_restricted_or_404(model, request, VIEW, **lookup)
