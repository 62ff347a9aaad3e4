"""Changes to stations and 驿站: atomic, an explicit actor, an audit row (the history) in the same
transaction; a write re-checks through ``restrict(actor, "change")`` and the row it produces must
still be the actor's (`Scope.admits`)."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from liangxin.core import audit
from liangxin.core.scoping import CHANGE, scope_for
from liangxin.workforce.models import Posthouse, Station

STATION_FIELDS = [
    "platform", "name", "group_type", "kind", "region", "address", "headcount", "members_full",
    "members_probationary", "pioneer_posts", "organization", "established_on", "closed_on",
]  # fmt: skip
POSTHOUSE_FIELDS = ["name", "kind", "host", "services", "region", "address", "opened_on"]


class NotYours(PermissionError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _admitted(model, obj, actor) -> None:
    if getattr(actor, "is_authenticated", False) and not scope_for(actor).admits(
        model,
        {f"{lvl}_code": getattr(obj, f"{lvl}_code") for lvl in ("province", "city", "county", "township")},
    ):
        raise NotYours(f"“{obj}”所在的乡镇（街道）不在您的管辖范围内，不能录入")


def _save(model, fields, obj, values: dict, *, actor, source: str, source_detail: str, name: str) -> tuple:
    """Create (obj None) or update; (obj, "created" | "updated" | "unchanged")."""
    with transaction.atomic():
        if obj is not None:
            if getattr(actor, "is_authenticated", False):
                if not model.objects.restrict(actor, CHANGE).filter(pk=obj.pk).exists():
                    raise NotYours(f"“{obj}”不在您的管辖范围内，不能修改")
            obj = model.objects.select_for_update().get(pk=obj.pk)
            before = audit.snapshot(obj, fields)
        else:
            obj, before = model(), None
        for key, value in values.items():
            setattr(obj, key, value)
        if "region" in values:
            obj.copy_ancestor_codes(values["region"])
        after = audit.snapshot(obj, fields)
        if before is not None and before == after:
            return obj, "unchanged"
        _admitted(model, obj, actor)
        obj.save()
        old, new = audit.changed(before, after) if before is not None else (None, after)
        audit.record(
            f"workforce.{name}.{'updated' if before is not None else 'created'}",
            actor=actor,
            obj=obj,
            before=old,
            after=new,
            source=source,
            source_detail=source_detail,
        )
    return obj, "updated" if before is not None else "created"


def save_station(station: Station | None, values: dict, *, actor, source="page", source_detail="") -> tuple:
    return _save(Station, STATION_FIELDS, station, values, actor=actor, source=source,
                 source_detail=source_detail, name="station")  # fmt: skip


def save_posthouse(
    posthouse: Posthouse | None, values: dict, *, stations=None, actor, source="page", source_detail=""
) -> tuple:
    posthouse, outcome = _save(Posthouse, POSTHOUSE_FIELDS, posthouse, values, actor=actor, source=source,
                               source_detail=source_detail, name="posthouse")  # fmt: skip
    if stations is not None:
        current = set(posthouse.stations.values_list("pk", flat=True))
        wanted = {s.pk for s in stations}
        if current != wanted:
            with transaction.atomic():
                posthouse.stations.set(stations)
                audit.record(
                    "workforce.posthouse.updated",
                    actor=actor,
                    obj=posthouse,
                    after={"stations": sorted(str(s) for s in stations)},
                    source=source,
                    source_detail=source_detail,
                )
            outcome = "updated" if outcome == "unchanged" else outcome
    return posthouse, outcome


def _station_for_change(station: Station, actor) -> Station:
    try:
        return Station.objects.restrict(actor, CHANGE).select_for_update().get(pk=station.pk)
    except Station.DoesNotExist:
        raise NotYours("未找到该站点，或不在您的管辖范围内") from None


def issue_link(station: Station, *, actor) -> Station:
    """A new report link for the station (any earlier one stops working)."""
    with transaction.atomic():
        station = _station_for_change(station, actor)
        renewed = bool(station.link_token)
        station.link_token = secrets.token_urlsafe(24)
        station.link_created_at = timezone.now()
        station.save(update_fields=["link_token", "link_created_at"])
        audit.record("workforce.station.link_issued", actor=actor, obj=station, after={"renewed": renewed})
    return station


def revoke_link(station: Station, *, actor) -> Station:
    with transaction.atomic():
        station = _station_for_change(station, actor)
        station.link_token = None
        station.save(update_fields=["link_token"])
        audit.record("workforce.station.link_revoked", actor=actor, obj=station)
    return station
