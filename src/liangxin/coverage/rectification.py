"""整改 (rectification): each problem an inspection finds gets a measure, a responsible person and
a due date; it is closed with what was done. An open 整改 past its due date flags its branch on
the health list (`health.py`) and is chased by `dispatch_tick` (`chase_overdue`, a tick hook of
the dispatch's one reminder mechanism).

Also the inspection written from an imported row (`save_imported_inspection`): one inspection
per branch and day, its 整改 with it, so a re-imported file changes nothing."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet

from liangxin.core import audit, effects
from liangxin.core.models import Installation, MemberUnit, MemberUnitKind, Region, RegionLevel
from liangxin.coverage.models import BranchInspection, Formation, PartyOrganization, Rectification
from liangxin.coverage.services import _locked

INSPECTION_FIELDS = (
    "rating", "meetings_held", "problems", "actions", "inspector",
    "life_meeting_held", "dues_collected", "venue_in_place", "members_contacted",
)  # fmt: skip
RECTIFICATION_FIELDS = ("problem", "measure", "due_on")


def open_q(as_of: datetime.date) -> Q:
    """Open on `as_of`: raised on or before it and not closed by then."""
    return Q(opened_on__lte=as_of) & (Q(closed_on__isnull=True) | Q(closed_on__gt=as_of))


def overdue(rectifications: QuerySet, as_of: datetime.date) -> QuerySet:
    """Open on `as_of` with the due date passed (due on the 10th: overdue from the 11th)."""
    return rectifications.filter(open_q(as_of), due_on__lt=as_of)


@transaction.atomic
def open_rectification(
    party_org: PartyOrganization,
    *,
    actor,
    problem: str,
    due_on: datetime.date,
    opened_on: datetime.date,
    measure: str = "",
    responsible: str = "",
    inspection: BranchInspection | None = None,
) -> Rectification:
    party_org = _locked(PartyOrganization, party_org, actor)
    if due_on < opened_on:
        raise ValidationError(
            {"due_on": f"整改时限（{due_on:%Y-%m-%d}）早于提出日期（{opened_on:%Y-%m-%d}）"}
        )
    item = Rectification(
        party_org=party_org,
        inspection=inspection,
        problem=problem,
        measure=measure,
        responsible=responsible,
        opened_on=opened_on,
        due_on=due_on,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    item.full_clean()
    item.save()
    effects.figures_changed()  # after commit: the cockpit warm-up
    audit.record("coverage.rectification.opened", actor=actor, obj=item, after=audit.snapshot(item))
    return item


@transaction.atomic
def close_rectification(
    item: Rectification, *, actor, closed_on: datetime.date, outcome: str
) -> Rectification:
    rows = Rectification.objects.select_for_update()
    if actor is not None:
        rows = rows.restrict(actor, "change")
    item = rows.filter(pk=item.pk).first()
    if item is None:
        raise ValidationError("该整改事项不存在或不在您的管辖范围内")
    if item.closed_on is not None:
        raise ValidationError(f"该整改事项已于{item.closed_on:%Y-%m-%d}销号")
    if closed_on < item.opened_on:
        raise ValidationError({"closed_on": f"完成日期早于提出日期（{item.opened_on:%Y-%m-%d}）"})
    if not outcome.strip():
        raise ValidationError({"outcome": "请填写整改情况（做了什么）"})
    before = audit.snapshot(item)
    item.closed_on, item.outcome = closed_on, outcome.strip()
    item.save(update_fields=["closed_on", "outcome"])
    effects.figures_changed()  # after commit: the cockpit warm-up
    audit.record(
        "coverage.rectification.closed", actor=actor, obj=item, before=before, after=audit.snapshot(item)
    )
    return item


@transaction.atomic
def save_imported_inspection(
    party_org: PartyOrganization,
    *,
    actor,
    inspected_on: datetime.date,
    values: dict,
    rectification: dict | None,
    source: str | None = None,
    source_detail: str = "",
) -> str:
    """The inspection of `party_org` on `inspected_on` as the row gives it, with its 整改 (one
    per inspection from a file); "created", "updated" or "unchanged"."""
    party_org = _locked(PartyOrganization, party_org, actor)
    if party_org.formation != Formation.JOINT:
        raise ValidationError(f"“{party_org.name}”不是联合党支部，常态化排查只针对联合组建的党组织")
    inspection = BranchInspection.objects.filter(party_org=party_org, inspected_on=inspected_on).first()
    creating = inspection is None
    if creating:
        inspection = BranchInspection(
            party_org=party_org,
            inspected_on=inspected_on,
            secretary_in_post=bool(party_org.secretary),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        before = None
    else:
        before = audit.snapshot(inspection)
    changed = creating
    for key in INSPECTION_FIELDS:
        if key in values and getattr(inspection, key) != values[key]:
            setattr(inspection, key, values[key])
            changed = True
    if changed:
        inspection.full_clean()
        inspection.save()
        effects.figures_changed()  # after commit: the cockpit warm-up
        audit.record(
            "coverage.inspection.created" if creating else "coverage.inspection.updated",
            actor=actor,
            obj=inspection,
            before=before,
            after=audit.snapshot(inspection),
            source=source,
            source_detail=source_detail,
        )
    if rectification is not None:
        existing = inspection.rectifications.order_by("id").first()
        if existing is None:
            open_rectification(
                party_org, actor=actor, inspection=inspection, opened_on=inspected_on, **rectification
            )
            changed = True
        elif existing.closed_on is None and any(
            getattr(existing, k) != rectification.get(k, getattr(existing, k)) for k in RECTIFICATION_FIELDS
        ):
            before = audit.snapshot(existing)
            for key in RECTIFICATION_FIELDS:
                if key in rectification:
                    setattr(existing, key, rectification[key])
            existing.full_clean()
            existing.save()
            effects.figures_changed()  # after commit: the cockpit warm-up
            audit.record(
                "coverage.rectification.updated", actor=actor, obj=existing, before=before,
                after=audit.snapshot(existing), source=source, source_detail=source_detail,
            )  # fmt: skip
            changed = True
    if creating:
        return "created"
    return "updated" if changed else "unchanged"


# ----------------------------------------------------------------------------- chasing and counting


def responsible_unit_ids(party_orgs: QuerySet) -> dict[int, int]:
    """party organization id → the member unit chased for it: the unit owning it (行业党委),
    else its county's 组织部. A party organization of the city itself (no county) has none."""
    party_orgs = list(party_orgs.values("pk", "owner_unit_id", "county_code"))
    counties = {p["county_code"] for p in party_orgs if not p["owner_unit_id"] and p["county_code"]}
    county_units: dict[str, int] = {}
    for pk, code in (
        MemberUnit.objects.filter(kind=MemberUnitKind.COUNTY_ORG, active=True, region__code__in=counties)
        .order_by("sort", "id")
        .values_list("pk", "region__code")
    ):
        county_units.setdefault(code, pk)
    out = {}
    for p in party_orgs:
        unit = p["owner_unit_id"] or county_units.get(p["county_code"])
        if unit:
            out[p["pk"]] = unit
    return out


def chase_overdue(today: datetime.date, *, actor=None, now=None) -> int:
    """`dispatch_tick`'s hook (dispatch.reminders.register_tick_hook, the one reminder mechanism):
    one notice per overdue 整改 and due date, to the unit answering for its branch, sent once
    (the notice key is unique); a 整改 closed before the tick is not chased. How many were new."""
    from liangxin.dispatch.models import Notice
    from liangxin.dispatch.reminders import queue_notices

    items = list(overdue(Rectification.objects.all(), today).select_related("party_org"))
    units = responsible_unit_ids(PartyOrganization.objects.filter(pk__in={i.party_org_id for i in items}))
    rows = [
        Notice(
            unit_id=units[i.party_org_id],
            kind="rectify_overdue",
            key=f"rectify_overdue:{i.pk}:{i.due_on:%Y%m%d}",
            message=(
                f"整改逾期：{i.party_org.name}“{i.problem[:60]}”整改时限为{i.due_on:%m月%d日}，"
                "尚未整改完成，请督促整改并销号"
            )[:500],
        )
        for i in items
        if i.party_org_id in units
    ]
    if not rows:
        return 0
    with transaction.atomic():
        queued = queue_notices(rows)
        if queued:
            audit.record(
                "coverage.rectification.chased",
                actor=actor,
                object_type="coverage.rectification",
                object_repr=f"整改逾期提醒 {queued} 条",
                after={"count": queued},
                source="command",
            )
    return queued


@dataclass(frozen=True)
class CountyCounts:
    code: str
    name: str
    open: int  # not closed on the day
    overdue: int  # of those, past the due date
    closed: int  # closed on or before the day


def county_counts(rectifications: QuerySet, *, as_of: datetime.date) -> list[CountyCounts]:
    """整改 per county as of `as_of` (the bulletin's annex, the quality view): counties in code
    order, then 市本级 when the city has any of its own."""
    rows = (
        rectifications.filter(opened_on__lte=as_of)
        .order_by()
        .values("party_org__county_code")
        .annotate(
            open=Count("pk", filter=open_q(as_of)),
            overdue=Count("pk", filter=open_q(as_of) & Q(due_on__lt=as_of)),
            closed=Count("pk", filter=Q(closed_on__lte=as_of)),
        )
    )
    by_code = {r["party_org__county_code"] or "": r for r in rows}
    city = Installation.current_city()
    counties = Region.objects.filter(parent=city, level=RegionLevel.COUNTY).order_by("code") if city else []
    out = []
    for county in counties:
        r = by_code.get(county.code, {})
        out.append(
            CountyCounts(county.code, county.name, r.get("open", 0), r.get("overdue", 0), r.get("closed", 0))
        )
    if "" in by_code:
        r = by_code[""]
        out.append(CountyCounts("", "市本级", r["open"], r["overdue"], r["closed"]))
    return out
