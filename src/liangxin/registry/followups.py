"""三同步 follow-ups beyond opening them (registry.services): the gatekeeping unit answerable for
each, closing by itself when a party organization or an instructor comes to cover the
organization, and the figures (opened, closed in time, overdue, by unit) the dispatch board,
the bulletin and the API show."""

from __future__ import annotations

import datetime
import functools
import logging
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from liangxin.core import audit, auditchain, events
from liangxin.core.bulk import update_rows
from liangxin.core.models import MemberUnit
from liangxin.registry.models import FollowUp

logger = logging.getLogger(__name__)


@functools.lru_cache(maxsize=8)
def _unit_ids(pairs: tuple[tuple[str, str], ...]) -> dict[str, int]:
    from liangxin.core.unitnames import UnitNames

    names = UnitNames()
    found = {}
    for kind, name in pairs:
        try:
            found[kind] = names.one(name).pk
        except ValueError as exc:  # not in the committee: its follow-ups stay unassigned
            logger.warning("LIANGXIN_FOLLOWUP_UNITS %s=%s: %s", kind, name, exc)
    return found


def units_by_kind() -> dict[str, int]:
    """Organization kind → the id of its gatekeeping member unit."""
    pairs = tuple(sorted(settings.LIANGXIN_FOLLOWUP_UNITS.items()))
    found = _unit_ids(pairs)
    if found and MemberUnit.objects.filter(pk__in=found.values()).count() != len(set(found.values())):
        _unit_ids.cache_clear()  # the committee changed (tests, a reset): look again
        found = _unit_ids(pairs)
    return found


def route_open() -> list[int]:
    """Give every open follow-up without a unit the unit of its organization's kind; returns the
    ids routed (those just opened), each announced on commit as ``followup.opened``. Follow-ups
    opened in bulk get their unit as they are inserted (`unit_for_kind_sql`); this routes the
    rest (a few rows: an organization that closed, a unit configured since)."""
    routed: list[int] = []
    for kind, unit_id in units_by_kind().items():
        ids = list(
            FollowUp.objects.filter(
                unit__isnull=True, status=FollowUp.Status.OPEN, organization__kind=kind
            ).values_list("pk", flat=True)
        )
        for start in range(0, len(ids), 500):
            FollowUp.objects.filter(pk__in=ids[start : start + 500]).update(unit_id=unit_id)
        routed += ids
    announce_opened(routed)
    return routed


def unit_for_kind_sql(kind_column: str) -> tuple[str, list]:
    """SQL (and its parameters) for the gatekeeping unit of an organization's kind, read from
    `kind_column` (a quoted column): what `route_open` would set, given at insert time."""
    units = units_by_kind()
    if not units:
        return "NULL", []
    whens = " ".join(["WHEN %s THEN %s"] * len(units))
    return f"CASE {kind_column} {whens} ELSE NULL END", [v for pair in units.items() for v in pair]


def announce_opened(ids: list[int]) -> None:
    """Announce follow-ups just opened with a unit, on commit, as ``followup.opened``: one
    event, whose payloads are read then, a thousand at a time, only by a listener that wants
    them."""
    parts = [functools.partial(_payloads, ids[start : start + 1000]) for start in range(0, len(ids), 1000)]
    events.emit_many("followup.opened", events.Parts(parts))


def announce_opened_between(after: int, last: int) -> None:
    """`announce_opened` for the follow-ups with ids after `after` up to `last`, all just opened
    (those with a unit are announced), without listing their ids."""
    parts = [
        functools.partial(_payloads_between, start, min(start + 1000, last))
        for start in range(after, last, 1000)
    ]
    events.emit_many("followup.opened", events.Parts(parts))


def _payloads(ids: list[int]) -> list[dict[str, Any]]:
    return _payloads_of(FollowUp.objects.filter(pk__in=ids))


def _payloads_between(after: int, last: int) -> list[dict[str, Any]]:
    return _payloads_of(FollowUp.objects.filter(pk__gt=after, pk__lte=last, unit__isnull=False))


def _payloads_of(rows: QuerySet) -> list[dict[str, Any]]:
    return [followup_payload(f) for f in rows.select_related("organization", "unit").order_by("pk")]


def followup_payload(followup: FollowUp) -> dict[str, Any]:
    org = followup.organization
    return {
        "id": followup.pk,
        "kind": followup.kind,
        "kind_label": followup.get_kind_display(),
        "unit": followup.unit.name if followup.unit_id else None,
        "due_on": followup.due_on.isoformat(),
        "organization": {"credit_code": org.credit_code, "name": org.name, "county_code": org.county_code},
    }


def close_covered(reasons: dict[int, str], *, outcome: str, actor=None) -> list[FollowUp]:
    """The open 新设立 follow-ups of organizations a party organization or an instructor has
    just come to cover are done: closed by themselves, each with its reason (`reasons`:
    organization id → why), in the caller's transaction."""
    if not reasons:
        return []
    rows = []
    ids = list(reasons)
    for start in range(0, len(ids), 500):
        rows += list(
            FollowUp.objects.select_for_update(of=("self",))
            .select_related("organization")
            .filter(
                organization_id__in=ids[start : start + 500],
                kind=FollowUp.Kind.NEW,
                status=FollowUp.Status.OPEN,
            )
        )
    now = timezone.now()
    closer = actor if getattr(actor, "is_authenticated", False) else None
    audits = []
    for followup in rows:
        followup.status = FollowUp.Status.DONE
        followup.outcome = outcome
        followup.note = f"自动办结：{reasons[followup.organization_id]}"[:500]
        followup.closed_at = now
        followup.closed_by = closer
        audits.append(
            audit.build(
                "registry.followup.closed",
                actor=actor,
                obj=followup,
                after={"outcome": followup.get_outcome_display(), "note": followup.note, "auto": True},
            )
        )
    # One prepared UPDATE by id (bulk_update's CASE per field costs minutes at a city's size).
    update_rows(
        FollowUp,
        ["status", "outcome", "note", "closed_at", "closed_by"],
        [(f.status, f.outcome, f.note, f.closed_at, f.closed_by_id, f.pk) for f in rows],
    )
    if audits:
        auditchain.append(audits)
    return rows


def _day_start(day: datetime.date) -> datetime.datetime:
    """The first instant of a local (Asia/Shanghai) day."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _done_by(end: datetime.datetime) -> Q:
    """Closed before `end` (a follow-up closed later was still open then)."""
    return Q(status=FollowUp.Status.DONE, closed_at__lt=end)


def _overdue(end: datetime.datetime, as_of: datetime.date) -> Q:
    """Still open at the end of `as_of` and due before it (the due day itself is in time)."""
    return ~_done_by(end) & Q(due_on__lt=as_of)


IN_TIME = Q(closed_at__date__lte=F("due_on"))
NO_UNIT = "未指定责任单位"


def figures(followups: QuerySet, *, as_of: datetime.date) -> dict[str, Any]:
    """Opened, closed in time, closed late, open and overdue — in all and by unit — of the
    follow-ups in `followups` (already scoped by the caller) opened up to `as_of`."""
    end = _day_start(as_of + datetime.timedelta(days=1))
    rows = followups.filter(opened_at__lt=end)
    done_by = _done_by(end)
    counts = dict(
        opened=Count("pk"),
        closed_in_time=Count("pk", filter=done_by & IN_TIME),
        closed_late=Count("pk", filter=done_by & ~IN_TIME),
        open=Count("pk", filter=~done_by),
        overdue=Count("pk", filter=_overdue(end, as_of)),
    )
    total = rows.aggregate(**counts)
    by_unit = [
        {"unit": row.pop("unit__name") or NO_UNIT, **row}
        for row in rows.values("unit__name").annotate(**counts).order_by("unit__name")
    ]
    return {"as_of": as_of.isoformat(), **total, "by_unit": by_unit}


def month_figures(followups: QuerySet, *, month: datetime.date, as_of: datetime.date) -> list[dict[str, Any]]:
    """The month's follow-ups per gatekeeping unit, as they stood at the end of `as_of` (the
    bulletin's 三同步 lines): opened this month, due this month, closed this month (and of those,
    by their due day), and overdue — open past the due day, whatever month it fell in. Only units
    with a figure, in the committee's order; `followups` is scoped by the caller."""
    first = month.replace(day=1)
    after = (first + datetime.timedelta(days=32)).replace(day=1)
    end = _day_start(as_of + datetime.timedelta(days=1))
    start = _day_start(first)
    closed = _done_by(min(end, _day_start(after))) & Q(closed_at__gte=start)
    counts = dict(
        opened=Count("pk", filter=Q(opened_at__gte=start, opened_at__lt=_day_start(after))),
        due=Count("pk", filter=Q(due_on__gte=first, due_on__lt=after)),
        closed=Count("pk", filter=closed),
        closed_in_time=Count("pk", filter=closed & IN_TIME),
        overdue=Count("pk", filter=_overdue(end, as_of)),
    )
    rows = (
        followups.filter(opened_at__lt=end)
        .values("unit__name", "unit__sort", "unit_id")
        .annotate(**counts)
        .order_by(F("unit__sort").asc(nulls_last=True), "unit_id")
    )
    return [
        {"unit": row["unit__name"] or NO_UNIT, **{key: row[key] for key in counts}}
        for row in rows
        if any(row[key] for key in counts)
    ]
