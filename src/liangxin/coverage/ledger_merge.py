"""Changes a combined 摸排表 makes to party organizations and instructors already in the system,
written set-wise (like the organizations' staged merge): what each one becomes is worked out in
Python, staged in TEMP tables (`core.bulk.Staging`: `COPY` on PostgreSQL) and written with one
statement per table — the rows' new values, the links (or assignments) that end, those removed
before they began, the new ones — then the 三同步 follow-ups they close and one audit record each,
chained in one insert. The rules are `services.save_party_org` / `save_instructor`'s: the actor's
`change` scope before and after, links ending on the as-of day, the region recomputed as the
smallest one holding what it covers.

`merge` runs inside the import's write transaction, in a savepoint: when a change would take a
row out of the actor's scope, nothing of it is kept and it answers None, so the caller falls back
to the services one by one (which refuse just that row, with the reason)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from liangxin.core import audit, auditchain, effects
from liangxin.core.bulk import Staging, db_values, staging_columns
from liangxin.core.scoping import CHANGE
from liangxin.coverage import services
from liangxin.coverage.models import Assignment, CoverageLink, Instructor, PartyOrganization, PartyOrgStatus
from liangxin.registry import followups
from liangxin.registry.models import FollowUp, Organization

CODES = ("province_code", "city_code", "county_code", "township_code")
CHUNK = 2000


@dataclass
class Change:
    """What an existing party organization (or instructor) becomes: `values` to set, the
    organizations it covers (is assigned to) from the as-of day, new ones from `starts`
    (default: that day). `token` is the caller's (the rows that asked for it)."""

    obj: Any
    wanted: set[int]
    before: set[int]
    values: dict[str, Any] = field(default_factory=dict)
    starts: dict[int, datetime.date] = field(default_factory=dict)
    token: Any = None


@dataclass(frozen=True)
class Kind:
    model: type
    link: type
    owner: str  # the link's foreign key to the model
    fields: tuple[str, ...]  # audited
    columns: tuple[str, ...]  # written
    related: tuple[str, ...]
    created: str  # the follow-up outcome and reason when a link starts
    outcome: str


PARTY = Kind(
    PartyOrganization, CoverageLink, "party_org", services.PARTY_ORG_FIELDS,
    ("org_type", "formation", "founded_on", "secretary", "secretary_vacant_since", "region", *CODES,
     "updated_at"),
    ("region", "area", "owner_unit", "parent"), "党组织“{}”已覆盖该组织", FollowUp.Outcome.PARTY_ORG,
)  # fmt: skip
INSTRUCTOR = Kind(
    Instructor, Assignment, "instructor", services.INSTRUCTOR_FIELDS, ("region", *CODES),
    ("region", "user"), "已选派党建指导员“{}”", FollowUp.Outcome.INSTRUCTOR,
)  # fmt: skip


class _LeavesScope(Exception):
    pass


def _chunks(items: list):
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def changeable(kind: Kind, ids: list[int], actor) -> set[int]:
    """The ids the actor may change (all of them for the server's operator)."""
    if actor is None:
        return set(ids)
    rows = kind.model.objects.restrict(actor, CHANGE)
    return {pk for part in _chunks(ids) for pk in rows.filter(pk__in=part).values_list("pk", flat=True)}


def merge(
    kind: Kind, changes: list[Change], *, actor, today: datetime.date, source: str | None, source_detail: str
) -> set[int] | None:
    """Write `changes` (all of them the actor's to change: `changeable`). Returns the ids that
    changed; None when a change would leave the actor's scope (nothing written)."""
    if not changes:
        return set()
    ids = [c.obj.pk for c in changes]
    fresh = {
        o.pk: o
        for part in _chunks(ids)
        # locked as the services lock them: an edit on a page meanwhile waits for the import
        for o in kind.model.objects.filter(pk__in=part)
        .select_related(*kind.related)
        .select_for_update(of=("self",))
    }
    org_ids = sorted({pk for c in changes for pk in c.before | c.wanted})
    orgs = {
        o.pk: o
        for part in _chunks(org_ids)
        for o in Organization.objects.filter(pk__in=part).only("pk", "credit_code", *CODES)
    }
    links: dict[int, list[tuple[int, int, datetime.date | None]]] = defaultdict(list)
    for part in _chunks(ids):
        for link_id, owner_id, org_id, starts_on in (
            kind.link.objects.filter(**{f"{kind.owner}_id__in": part})
            .exclude(ends_on__lte=today)
            .values_list("pk", f"{kind.owner}_id", "organization_id", "starts_on")
        ):
            links[owner_id].append((link_id, org_id, starts_on))
    regions: dict[tuple, Any] = {}
    written, audits, ends, removed, new, closing = [], [], [], [], [], {}
    for change in changes:
        obj = fresh[change.obj.pk]
        before = audit.snapshot(obj, list(kind.fields)) | {"organizations": _codes(change.before, orgs)}
        for key, value in change.values.items():
            setattr(obj, key, value)
        if kind is PARTY and obj.secretary:
            obj.secretary_vacant_since = None
        if change.wanted != change.before:
            covered = [orgs[pk] for pk in change.wanted]
            parent = getattr(obj, "parent", None)
            key = (
                tuple(sorted({tuple(getattr(o, c) for c in CODES) for o in covered})),
                getattr(parent, "pk", None),
            )
            if key not in regions:
                regions[key] = services._default_region(covered, parent, actor)
            obj.region = regions[key]
            obj.copy_ancestor_codes(obj.region)
        after = audit.snapshot(obj, list(kind.fields)) | {"organizations": _codes(change.wanted, orgs)}
        b, a = audit.changed(before, after)
        if not a:
            continue
        written.append(obj)
        for link_id, org_id, starts_on in links[obj.pk]:
            if org_id not in change.wanted:
                (removed if starts_on is not None and starts_on >= today else ends).append((link_id,))
        added = change.wanted - change.before
        new += [(obj.pk, pk, change.starts.get(pk, today)) for pk in added]
        if kind is INSTRUCTOR or obj.status == PartyOrgStatus.ACTIVE:
            closing |= dict.fromkeys(added, kind.created.format(obj.name))
        action = f"coverage.{'party_org' if kind is PARTY else 'instructor'}.updated"
        audits.append(
            audit.build(
                action, actor=actor, obj=obj, before=b, after=a, source=source, source_detail=source_detail
            )
        )
    if not written:
        return set()
    try:
        with transaction.atomic():  # a savepoint: rolled back whole if a row leaves the actor's scope
            _write(kind, written, ends, removed, new, today)
            done = [o.pk for o in written]
            if actor is not None and len(changeable(kind, done, actor)) != len(done):
                raise _LeavesScope
            followups.close_covered(closing, outcome=kind.outcome, actor=actor)
            auditchain.append(audits)
            effects.figures_changed()  # after commit: the cockpit warm-up
    except _LeavesScope:
        return None
    return {o.pk for o in written}


def _codes(ids: set[int], orgs: dict[int, Organization]) -> list[str]:
    return sorted(orgs[pk].credit_code for pk in ids)


def _write(kind: Kind, objs: list, ends: list, removed: list, new: list, today: datetime.date) -> None:
    model, link = kind.model, kind.link
    q = connection.ops.quote_name
    table, link_table = q(model._meta.db_table), q(link._meta.db_table)
    link_id = staging_columns(link, ["id"])
    columns = ["id", *kind.columns]
    stages = [
        Staging(f"cov_{kind.owner}_rows", staging_columns(model, columns)),
        Staging(f"cov_{kind.owner}_ends", link_id),
        Staging(f"cov_{kind.owner}_removed", link_id),
        Staging(f"cov_{kind.owner}_new", staging_columns(link, [kind.owner, "organization", "starts_on"])),
    ]
    rows, ending, removing, adding = (s.create() for s in stages)
    try:
        rows.add(db_values(objs, columns))
        ending.add(ends)
        removing.add(removed)
        adding.add([(owner, org, connection.ops.adapt_datefield_value(start)) for owner, org, start in new])
        with connection.cursor() as cursor:
            sets = ", ".join(f"{c} = s.{c}" for c in rows.columns[1:])
            pk = q("id")
            cursor.execute(f"UPDATE {table} SET {sets} FROM {rows.table} s WHERE {table}.{pk} = s.{pk}")  # noqa: S608 (quoted names)
            if ending.rows:
                cursor.execute(
                    f"UPDATE {link_table} SET {q('ends_on')} = %s WHERE {pk} IN (SELECT {pk} FROM {ending.table})",  # noqa: S608
                    [connection.ops.adapt_datefield_value(today)],
                )
            if removing.rows:
                cursor.execute(f"DELETE FROM {link_table} WHERE {pk} IN (SELECT {pk} FROM {removing.table})")  # noqa: S608
            if adding.rows:
                names = ", ".join(adding.columns)
                cursor.execute(f"INSERT INTO {link_table} ({names}) SELECT {names} FROM {adding.table}")  # noqa: S608
    finally:
        for stage in stages:
            stage.drop()
