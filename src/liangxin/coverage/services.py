"""Every change to coverage data: party organizations and their links, instructors and their
assignments, joint-branch inspections. Plain functions, atomic, with an explicit actor; each
writes its audit record in the same transaction. Dates of change (`today`) are passed in."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from liangxin.core import audit, auditchain, effects
from liangxin.core.models import Installation, Region
from liangxin.core.scoping import CHANGE, LEVELS, scope_for
from liangxin.coverage.models import (
    Assignment,
    BranchInspection,
    CoverageLink,
    DispatchedSecretary,
    Formation,
    Instructor,
    PartyOrganization,
    PartyOrgStatus,
)
from liangxin.registry import followups
from liangxin.registry.models import FollowUp, Organization

PARTY_ORG_FIELDS = (
    "name",
    "org_type",
    "formation",
    "region",
    "area",
    "owner_unit",
    "parent",
    "external_parent_name",
    "secretary",
    "secretary_dispatched",
    "secretary_sent_by",
    "founded_on",
    "term_ends_on",
    "status",
    "dissolved_on",
)
INSTRUCTOR_FIELDS = ("name", "phone", "workplace", "region", "user")


def common_region(organizations: Iterable[Organization]) -> Region | None:
    """The smallest region holding every organization (a township, a county or the city)."""
    orgs = list(organizations)
    if not orgs:
        return None
    for level in reversed(LEVELS):
        codes = {getattr(o, f"{level}_code") for o in orgs}
        if len(codes) == 1 and (code := codes.pop()):
            return Region.objects.get(code=code)
    return Installation.current_city()


def _actor_region(actor) -> Region | None:
    scope = scope_for(actor) if actor is not None else None
    if scope and scope.region_code:
        return Region.objects.get(code=scope.region_code)
    return None


def _default_region(orgs, parent, actor) -> Region:
    return (
        common_region(orgs)
        or (parent.region if parent else None)
        or _actor_region(actor)
        or Installation.current_city()
    )


NOT_YOURS = "该记录不在您的管辖范围内，不能修改"


def _locked(model, obj, actor):
    """`obj` re-read and locked inside the write's transaction, through the actor's `change`
    scope (a command without a user, ``actor=None``, is the server's operator)."""
    rows = model.objects.select_for_update()
    if actor is not None:
        rows = rows.restrict(actor, CHANGE)
    try:
        return rows.get(pk=obj.pk)
    except model.DoesNotExist:
        raise ValidationError(NOT_YOURS) from None


def _still_yours(model, obj, actor, what: str) -> None:
    """After the write: the row must still be the actor's to change (a county cannot move a
    party organization to another county, a member unit cannot hand it to another unit)."""
    if actor is not None and not model.objects.restrict(actor, CHANGE).filter(pk=obj.pk).exists():
        raise ValidationError(f"保存后该{what}将不在您的管辖范围内，不能这样录入或修改")


def _codes(org_ids: Iterable[int]) -> list[str]:
    return sorted(Organization.objects.filter(pk__in=list(org_ids)).values_list("credit_code", flat=True))


def _open_links(party_org: PartyOrganization, today: datetime.date):
    return party_org.links.exclude(ends_on__lte=today) if party_org.pk else CoverageLink.objects.none()


def _party_org_snapshot(party_org: PartyOrganization, today: datetime.date) -> dict[str, Any]:
    data = audit.snapshot(party_org, list(PARTY_ORG_FIELDS))
    data["organizations"] = _codes(_open_links(party_org, today).values_list("organization_id", flat=True))
    return data


@transaction.atomic
def save_party_org(
    party_org: PartyOrganization | None,
    *,
    actor,
    today: datetime.date,
    organizations: list[Organization] | None = None,
    source: str | None = None,
    source_detail: str = "",
    **values: Any,
) -> tuple[PartyOrganization, str]:
    """Create (``party_org=None``) or update a party organization; ``organizations`` (when given)
    is the full list it covers from `today` on: links not in it end today, new ones start today
    (or, for a new party organization, from its founding). Returns (party_org, "created" |
    "updated" | "unchanged"). The caller checks the actor may see the organizations."""
    creating = party_org is None
    if creating:
        party_org = PartyOrganization(recorded_on=today)
        before: dict[str, Any] = {}
    else:
        party_org = _locked(PartyOrganization, party_org, actor)
        before = _party_org_snapshot(party_org, today)
    was_active = party_org.status == PartyOrgStatus.ACTIVE
    had_secretary = bool(party_org.secretary)
    for key, value in values.items():
        if key not in PARTY_ORG_FIELDS:
            raise TypeError(f"unknown party organization field {key!r}")
        setattr(party_org, key, value)
    if creating and "area" not in values and getattr(actor, "area_id", None):
        party_org.area_id = actor.area_id  # a park's own party organization stays in its sight
    if party_org.parent_id and party_org.parent_id == party_org.pk:
        raise ValidationError({"parent": "上级党组织不能是它自己"})
    if party_org.parent_id:
        party_org.external_parent_name = ""  # one parent: in the system or outside it
    if party_org.status == PartyOrgStatus.ACTIVE:
        party_org.dissolved_on = None
    elif party_org.dissolved_on is None and was_active and not creating:
        party_org.dissolved_on = today
    if party_org.secretary:
        party_org.secretary_vacant_since = None
    elif had_secretary or (creating and party_org.secretary_vacant_since is None):
        party_org.secretary_vacant_since = today if had_secretary else party_org.founded_on or today
    if "region" not in values or values["region"] is None:
        current = (
            organizations
            if organizations is not None
            else Organization.objects.filter(pk__in=_open_links(party_org, today).values("organization_id"))
        )
        party_org.region = _default_region(current, party_org.parent, actor)
    party_org.copy_ancestor_codes(party_org.region)
    party_org.full_clean(exclude=["organizations"])
    party_org.save()
    if organizations is not None:
        _set_links(party_org, organizations, today=today, start=None if creating else today, actor=actor)
    if "secretary_dispatched" in values:
        _keep_posting(party_org, today)
    _still_yours(PartyOrganization, party_org, actor, "党组织")
    after = _party_org_snapshot(party_org, today)
    if creating:
        effects.figures_changed()  # after commit: the cockpit warm-up
        audit.record(
            "coverage.party_org.created",
            actor=actor,
            obj=party_org,
            after=after,
            source=source,
            source_detail=source_detail,
        )
        return party_org, "created"
    b, a = audit.changed(before, after)
    if not a:
        return party_org, "unchanged"
    effects.figures_changed()  # after commit: the cockpit warm-up
    audit.record(
        "coverage.party_org.updated",
        actor=actor,
        obj=party_org,
        before=b,
        after=a,
        source=source,
        source_detail=source_detail,
    )
    return party_org, "updated"


def _keep_posting(party_org: PartyOrganization, today: datetime.date) -> None:
    """The form's 派驻书记 mark, kept as a person record (`secretaries.py` records them in full):
    a newly marked (or another) secretary starts a posting today, an unmarked one ends it."""
    current = party_org.dispatched_secretaries.filter(ends_on__isnull=True).first()
    wanted = (party_org.secretary, party_org.secretary_sent_by) if party_org.secretary_dispatched else None
    if current is not None and (current.name, current.sent_by) != wanted:
        if current.starts_on >= today:
            current.delete()
        else:
            current.ends_on = today
            current.save(update_fields=["ends_on"])
        current = None
    if wanted is not None and wanted[0] and current is None:
        DispatchedSecretary.objects.create(
            party_org=party_org, name=wanted[0][:50], sent_by=wanted[1], starts_on=today
        )


@transaction.atomic
def create_party_orgs(
    items: list[tuple[dict[str, Any], list[Organization]]],
    *,
    actor,
    today: datetime.date,
    source: str | None = None,
    source_detail: str = "",
) -> list[PartyOrganization | None]:
    """Create many new party organizations, each covering its organizations from its founding
    (an import's first load): one INSERT per table and one chained insert of the audit records,
    instead of `save_party_org` one by one. The values are already clean (names unique and new,
    choices valid). Returns, per item, the party organization — or None where it would not be
    the actor's to change (it is not kept)."""
    regions: dict[tuple, Region] = {}
    created = []
    for values, orgs in items:
        key = tuple(sorted({(o.county_code, o.township_code, o.city_code) for o in orgs}))
        if key not in regions:
            regions[key] = _default_region(orgs, None, actor)
        party_org = PartyOrganization(recorded_on=today, status=PartyOrgStatus.ACTIVE, **values)
        party_org.region = regions[key]
        party_org.area_id = getattr(actor, "area_id", None)
        party_org.secretary_vacant_since = None if party_org.secretary else party_org.founded_on or today
        party_org.copy_ancestor_codes(party_org.region)
        created.append(party_org)
    PartyOrganization.objects.bulk_create(created, batch_size=500)
    CoverageLink.objects.bulk_create(
        [
            CoverageLink(party_org=p, organization=o)
            for p, (_, orgs) in zip(created, items, strict=True)
            for o in orgs
        ],
        batch_size=1000,
    )
    ids = [p.pk for p in created]
    allowed = set(ids)
    if actor is not None:
        allowed = set(
            PartyOrganization.objects.restrict(actor, CHANGE).filter(pk__in=ids).values_list("pk", flat=True)
        )
        PartyOrganization.objects.filter(pk__in=set(ids) - allowed).delete()
    rows = []
    for party_org, (_, orgs) in zip(created, items, strict=True):
        if party_org.pk in allowed:
            after = audit.snapshot(party_org, list(PARTY_ORG_FIELDS))
            after["organizations"] = sorted(o.credit_code for o in orgs)
            rows.append(
                audit.build(
                    "coverage.party_org.created",
                    actor=actor,
                    obj=party_org,
                    after=after,
                    source=source,
                    source_detail=source_detail,
                )
            )
    effects.figures_changed()  # after commit: the cockpit warm-up
    auditchain.append(rows)
    followups.close_covered(
        {
            o.pk: f"党组织“{p.name}”已覆盖该组织"
            for p, (_, orgs) in zip(created, items, strict=True)
            if p.pk in allowed
            for o in orgs
        },
        outcome=FollowUp.Outcome.PARTY_ORG,
        actor=actor,
    )
    return [p if p.pk in allowed else None for p in created]


def _set_links(party_org, organizations, *, today, start, actor=None) -> None:
    wanted = {o.pk for o in organizations}
    open_links = list(_open_links(party_org, today))
    have = {link.organization_id for link in open_links}
    for link in open_links:
        if link.organization_id not in wanted:
            if link.starts_on and link.starts_on >= today:
                link.delete()
            else:
                link.ends_on = today
                link.save(update_fields=["ends_on"])
    CoverageLink.objects.bulk_create(
        [CoverageLink(party_org=party_org, organization_id=pk, starts_on=start) for pk in wanted - have]
    )
    if party_org.status == PartyOrgStatus.ACTIVE:
        followups.close_covered(
            dict.fromkeys(wanted - have, f"党组织“{party_org.name}”已覆盖该组织"),
            outcome=FollowUp.Outcome.PARTY_ORG,
            actor=actor,
        )


# ----------------------------------------------------------------------------- instructors


def _instructor_snapshot(instructor: Instructor, today: datetime.date) -> dict[str, Any]:
    data = audit.snapshot(instructor, list(INSTRUCTOR_FIELDS))
    open_ids = (
        instructor.assignments.exclude(ends_on__lte=today).values_list("organization_id", flat=True)
        if instructor.pk
        else []
    )
    data["organizations"] = _codes(open_ids)
    return data


@transaction.atomic
def save_instructor(
    instructor: Instructor | None,
    *,
    actor,
    today: datetime.date,
    organizations: list[Organization] | None = None,
    starts_on: datetime.date | None = None,
    source: str | None = None,
    source_detail: str = "",
    **values: Any,
) -> tuple[Instructor, str]:
    """Create or update an instructor; ``organizations`` (when given) is the full list assigned
    from ``starts_on`` (default today): assignments not in it end today."""
    creating = instructor is None
    instructor = Instructor() if creating else _locked(Instructor, instructor, actor)
    before = {} if creating else _instructor_snapshot(instructor, today)
    for key, value in values.items():
        if key not in INSTRUCTOR_FIELDS:
            raise TypeError(f"unknown instructor field {key!r}")
        setattr(instructor, key, value)
    if values.get("region") is None and (creating or organizations is not None):
        instructor.region = _default_region(organizations or [], None, actor)
    instructor.copy_ancestor_codes(instructor.region)
    instructor.full_clean(exclude=["organizations"])
    instructor.save()
    _still_yours(Instructor, instructor, actor, "指导员")
    if organizations is not None:
        wanted = {o.pk for o in organizations}
        open_rows = list(instructor.assignments.exclude(ends_on__lte=today))
        have = {a.organization_id for a in open_rows}
        for row in open_rows:
            if row.organization_id not in wanted:
                if row.starts_on >= today:
                    row.delete()
                else:
                    row.ends_on = today
                    row.save(update_fields=["ends_on"])
        Assignment.objects.bulk_create(
            [
                Assignment(instructor=instructor, organization_id=pk, starts_on=starts_on or today)
                for pk in wanted - have
            ]
        )
        followups.close_covered(
            dict.fromkeys(wanted - have, f"已选派党建指导员“{instructor.name}”"),
            outcome=FollowUp.Outcome.INSTRUCTOR,
            actor=actor,
        )
    after = _instructor_snapshot(instructor, today)
    action, b, a = "coverage.instructor.created", {}, after
    if not creating:
        b, a = audit.changed(before, after)
        if not a:
            return instructor, "unchanged"
        action = "coverage.instructor.updated"
    effects.figures_changed()  # after commit: the cockpit warm-up
    audit.record(
        action,
        actor=actor,
        obj=instructor,
        before=b or None,
        after=a,
        source=source,
        source_detail=source_detail,
    )
    return instructor, "created" if creating else "updated"


@transaction.atomic
def create_instructors(
    items: list[tuple[dict[str, Any], list[tuple[Organization, datetime.date]]]],
    *,
    actor,
    today: datetime.date,
    source: str | None = None,
    source_detail: str = "",
) -> list[Instructor | None]:
    """Create many new instructors with their assignments ((organization, starts_on) pairs) at
    once, as `create_party_orgs` does for party organizations. Returns, per item, the
    instructor — or None where it would not be the actor's to change (it is not kept)."""
    created = []
    for values, assignments in items:
        instructor = Instructor(**values)
        instructor.region = _default_region([o for o, _ in assignments], None, actor)
        instructor.copy_ancestor_codes(instructor.region)
        created.append(instructor)
    Instructor.objects.bulk_create(created, batch_size=500)
    Assignment.objects.bulk_create(
        [
            Assignment(instructor=i, organization=o, starts_on=start)
            for i, (_, assignments) in zip(created, items, strict=True)
            for o, start in assignments
        ],
        batch_size=1000,
    )
    ids = [i.pk for i in created]
    allowed = set(ids)
    if actor is not None:
        allowed = set(
            Instructor.objects.restrict(actor, CHANGE).filter(pk__in=ids).values_list("pk", flat=True)
        )
        Instructor.objects.filter(pk__in=set(ids) - allowed).delete()
    rows = []
    for instructor, (_, assignments) in zip(created, items, strict=True):
        if instructor.pk in allowed:
            after = audit.snapshot(instructor, list(INSTRUCTOR_FIELDS))
            after["organizations"] = sorted(o.credit_code for o, _ in assignments)
            rows.append(
                audit.build(
                    "coverage.instructor.created",
                    actor=actor,
                    obj=instructor,
                    after=after,
                    source=source,
                    source_detail=source_detail,
                )
            )
    effects.figures_changed()  # after commit: the cockpit warm-up
    auditchain.append(rows)
    followups.close_covered(
        {
            o.pk: f"已选派党建指导员“{i.name}”"
            for i, (_, assignments) in zip(created, items, strict=True)
            if i.pk in allowed
            for o, _ in assignments
        },
        outcome=FollowUp.Outcome.INSTRUCTOR,
        actor=actor,
    )
    return [i if i.pk in allowed else None for i in created]


# ----------------------------------------------------------------------------- inspections


@transaction.atomic
def record_inspection(
    party_org: PartyOrganization,
    *,
    actor,
    inspected_on: datetime.date,
    rating: str,
    meetings_held: bool = False,
    secretary_in_post: bool = False,
    organizations_registered: bool = True,
    life_meeting_held: bool | None = None,
    dues_collected: bool | None = None,
    venue_in_place: bool | None = None,
    members_contacted: bool | None = None,
    problems: str = "",
    actions: str = "",
    inspector: str = "",
) -> BranchInspection:
    party_org = _locked(PartyOrganization, party_org, actor)
    if party_org.formation != Formation.JOINT:
        raise ValidationError(
            {"party_org": f"“{party_org.name}”不是联合党支部，常态化排查只针对联合组建的党组织"}
        )
    inspection = BranchInspection(
        party_org=party_org,
        inspected_on=inspected_on,
        rating=rating,
        meetings_held=meetings_held,
        secretary_in_post=secretary_in_post,
        organizations_registered=organizations_registered,
        life_meeting_held=life_meeting_held,
        dues_collected=dues_collected,
        venue_in_place=venue_in_place,
        members_contacted=members_contacted,
        problems=problems,
        actions=actions,
        inspector=inspector,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    inspection.full_clean()
    inspection.save()
    effects.figures_changed()  # after commit: the cockpit warm-up
    audit.record("coverage.inspection.created", actor=actor, obj=inspection, after=audit.snapshot(inspection))
    return inspection
