"""Personal data: one “may see in full” rule and one masking function, for every place a person's
phone or name is shown — lists, detail pages, edit forms, change histories, exports.

A model lists its personal fields as ``personal_fields = {"phone": "phone", "contact": "name"}``
(field → kind of value). The rule: a user sees a row's personal data in full when the row is
theirs to keep — they may *change* it (``restrict(user, "change")``: the office; a county or
township in its region; a member unit for what it supervises or owns) — or when the row is
their own record (``scope_self``: the instructor's own). Everyone else who may view the row gets
it masked (``138****5678``, ``张**``). The README's data inventory lists the fields.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, Q, Value

from liangxin.core.scoping import CHANGE, scope_for
from liangxin.core.tabular import mask_phone

FULL_VIEW = "full_view"  # the annotation `with_full_view` adds


def mask_name(value: Any) -> str:
    """'张三丰' → '张**': the family name kept, the given name hidden."""
    text = str(value or "").strip()
    return text[:1] + "*" * (len(text) - 1) if len(text) > 1 else ("*" if text else "")


MASKS = {"phone": lambda v: mask_phone(v) if v else "", "name": mask_name}


def mask(kind: str, value: Any) -> Any:
    """The masked form of one personal value (empty stays empty)."""
    if value in (None, ""):
        return value
    return MASKS[kind](value)


def personal_fields(model: type[models.Model]) -> dict[str, str]:
    return dict(getattr(model, "personal_fields", {}))


def _full_view_q(model: type[models.Model], user) -> Q | None:
    scope = scope_for(user)
    q = scope.q(model, CHANGE)
    if q is None:
        return None
    own = getattr(model, "scope_self", None)
    if own and scope.user_id:
        q |= Q(**{own: scope.user_id})
    return q


def with_full_view(queryset: models.QuerySet, user) -> models.QuerySet:
    """`queryset` annotated with ``full_view``: whether `user` sees each row's personal data in
    full (one expression in the same query, for lists and exports)."""
    q = _full_view_q(queryset.model, user)
    if q is None:
        return queryset.annotate(**{FULL_VIEW: Value(True, output_field=BooleanField())})
    if not scope_for(user).role:
        return queryset.annotate(**{FULL_VIEW: Value(False, output_field=BooleanField())})
    return queryset.annotate(**{FULL_VIEW: ExpressionWrapper(q, output_field=BooleanField())})


def may_see_in_full(user, obj: models.Model) -> bool:
    """Whether `user` sees the personal data of `obj` in full (the rule above)."""
    annotated = getattr(obj, FULL_VIEW, None)
    if annotated is not None:
        return bool(annotated)
    model = type(obj)
    q = _full_view_q(model, user)
    if q is None:
        return True
    if not scope_for(user).role or obj.pk is None:
        return False
    return model._default_manager.filter(q, pk=obj.pk).exists()


def shown(user, obj: models.Model, field: str, *, full: bool | None = None) -> Any:
    """The value of a personal `field` of `obj` as `user` may see it."""
    value = getattr(obj, field)
    kind = personal_fields(type(obj)).get(field)
    if kind is None:
        return value
    if full is None:
        full = may_see_in_full(user, obj)
    return value if full else mask(kind, value)


def masked_values(model: type[models.Model], data: dict | None) -> dict | None:
    """A change record's before/after (or any dict of field values) with the personal fields
    of `model` masked."""
    if not data:
        return data
    fields = personal_fields(model)
    return {k: mask(fields[k], v) if k in fields and isinstance(v, str) else v for k, v in data.items()}


def masked_logged(log) -> tuple[dict | None, dict | None]:
    """An audit record's before/after with the personal fields of its object's model masked."""
    from django.apps import apps

    try:
        model = apps.get_model(log.object_type) if "." in (log.object_type or "") else None
    except (LookupError, ValueError):
        model = None
    if model is None:
        return log.before, log.after
    return masked_values(model, log.before), masked_values(model, log.after)


def unchanged_if_masked(submitted: Any, current: Any, kind: str = "phone") -> Any:
    """A form's personal field: the masked value shown, sent back untouched, means “unchanged”
    (never overwrite the real value with its mask)."""
    if current and isinstance(submitted, str) and submitted.strip() == mask(kind, current):
        return current
    return submitted
