"""View-level access: who may use a page (role), and which rows they get (scope).

Rows come only through the scoped managers' ``restrict(user, action)`` (`liangxin.core.scoping`):
`restricted` for querysets, `get_restricted_or_404` for one row. A row the user may not
`action` is a 404 exactly like a missing one, so existence is not leaked; the refusal of a row
that exists is written to the audit log (``core.access.denied``) for the audit administrator.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from liangxin.core import audit
from liangxin.core.models import AuditLog
from liangxin.core.scoping import CHANGE, DELETE, VIEW

__all__ = [
    "CHANGE",
    "DELETE",
    "NOT_FOUND",
    "VIEW",
    "deny",
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


def deny(user, model: type[models.Model], action: str, object_id: object) -> None:
    """Record the refusal of `action` on an existing row of `model` (the user is told 404)."""
    audit.record(
        "core.access.denied",
        actor=user,
        object_type=model._meta.label_lower,
        object_id=str(object_id)[:64],
        result=AuditLog.Result.FAILURE,
        message=f"{action}: 不在管辖范围内",
    )


def get_restricted_or_404(model: type[models.Model], request, action: str = VIEW, **lookup):
    """One row the user may `action`, or 404 for both “missing” and “not yours”."""
    try:
        return restricted(model, request, action).get(**lookup)
    except (model.DoesNotExist, ValueError, TypeError):
        try:
            existing = model._default_manager.filter(**lookup).values_list("pk", flat=True).first()
        except (ValueError, TypeError):
            existing = None
        if existing is not None:
            deny(request.user, model, action, existing)
        raise Http404(NOT_FOUND) from None


def get_visible_or_404(model: type[models.Model], request, **lookup):
    return get_restricted_or_404(model, request, VIEW, **lookup)
