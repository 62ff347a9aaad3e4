"""In-app notices (提醒): a unit's inbox, read one or all. Only the recipient unit marks them read."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone

from liangxin.core import audit
from liangxin.dispatch.models import Notice
from liangxin.dispatch.units import acting_unit_query


def unread_first(notices: QuerySet[Notice]) -> QuerySet[Notice]:
    """Unread notices first, then newest first."""
    return notices.annotate(
        unread_rank=Case(
            When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    ).order_by("unread_rank", "-created_at", "-id")


def unread_count(unit) -> int:
    return Notice.objects.filter(unit=unit, read_at__isnull=True).count() if unit else 0


def unread_count_for(user) -> int:
    """The unread count of the unit `user` reports for, in one query (the navigation shows it
    on every page). 0 without a query for a user who reports for no unit (the office)."""
    unit = acting_unit_query(user)
    if unit is None:
        return 0
    return Notice.objects.filter(unit__in=unit, read_at__isnull=True).count()


@transaction.atomic
def mark_read(notice: Notice, *, actor) -> bool:
    """Mark one notice read (once). Returns whether it was unread."""
    changed = Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=timezone.now())
    if changed:
        audit.record("dispatch.notice.read", actor=actor, obj=notice, after={"read": True})
    return bool(changed)


@transaction.atomic
def mark_all_read(unit, *, actor) -> int:
    """Mark every unread notice of `unit` read. Returns how many."""
    changed = Notice.objects.filter(unit=unit, read_at__isnull=True).update(read_at=timezone.now())
    if changed:
        audit.record("dispatch.notice.read_all", actor=actor, obj=unit, after={"count": changed})
    return changed
