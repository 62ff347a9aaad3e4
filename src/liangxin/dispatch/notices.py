"""In-app notices (提醒): a unit's inbox, read one or all. Only the recipient unit marks them read."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone

from liangxin.core import audit
from liangxin.dispatch.models import Notice


def unread_first(notices: QuerySet[Notice]) -> QuerySet[Notice]:
    """Unread notices first, then newest first."""
    return notices.annotate(
        unread_rank=Case(
            When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    ).order_by("unread_rank", "-created_at", "-id")


def unread_count(unit) -> int:
    return Notice.objects.filter(unit=unit, read_at__isnull=True).count() if unit else 0


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
