"""Every change to the registry: upserting organizations (from an import chunk or the form, the
same code path), and the 三同步 follow-ups they open and close."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from liangxin.core import audit
from liangxin.core.models import AuditLog, ImportBatch
from liangxin.core.scoping import scope_for
from liangxin.registry.models import (
    CLOSED_STATUSES,
    COUNTED_STATUSES,
    FollowUp,
    Organization,
    OrganizationTag,
    Tag,
)

# Model fields a record may set, in the order they are compared.
PLAIN_FIELDS = (
    "name",
    "kind",
    "founded_on",
    "status",
    "employees",
    "party_members",
    "probationary_members",
    "above_scale",
    "address",
    "contact",
    "phone",
)
AUDIT_FIELDS = (*PLAIN_FIELDS, "region", "area", "industry", "supervising_unit", "tags")


def followup_days() -> int:
    return int(getattr(settings, "LIANGXIN_FOLLOWUP_DAYS", 30))


@dataclass
class ApplyResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[Any, str, str]] = field(default_factory=list)  # (row key, column key, message)
    organizations: list[Organization] = field(default_factory=list)


def _values(record: dict[str, Any]) -> dict[str, Any]:
    """Record → model attribute values (ids and ancestor codes)."""
    values = {k: record[k] for k in PLAIN_FIELDS if k in record}
    if "region" in record and record["region"] is not None:
        region = record["region"]
        values["region_id"] = region.pk
        for level in ("province", "city", "county", "township"):
            values[f"{level}_code"] = getattr(region, f"{level}_code")
    if "area" in record:
        values["area_id"] = record["area"].pk if record["area"] else None
    if "industry" in record:
        division, section, detail = record["industry"]
        values.update(industry_id=division, industry_section=section or "", industry_detail=detail or "")
    if "supervising_unit" in record:
        values["supervising_unit_id"] = record["supervising_unit"].pk if record["supervising_unit"] else None
    return values


def _display(org: Organization, tags: tuple[str, ...]) -> dict[str, Any]:
    data = audit.snapshot(org, list(PLAIN_FIELDS))
    data.update(
        region_id=org.region_id,
        area_id=org.area_id,
        industry=org.industry_id or org.industry_section,
        supervising_unit_id=org.supervising_unit_id,
        tags=list(tags),
    )
    return data


def _tag_ids(names: set[str]) -> dict[str, int]:
    if not names:
        return {}
    Tag.objects.bulk_create([Tag(name=n) for n in names], ignore_conflicts=True)
    return dict(Tag.objects.filter(name__in=names).values_list("name", "id"))


class Jurisdiction:
    """What an actor may write: the office (or a command without a user) anything; a county or
    township user only rows in its region; a member unit only rows it supervises."""

    def __init__(self, actor):
        self.actor = actor
        self.scope = scope_for(actor) if actor is not None and actor.is_authenticated else None

    @property
    def unrestricted(self) -> bool:
        return self.scope is None or self.scope.role in Organization.scope_all_roles

    def region_problem(self, region) -> str | None:
        if self.unrestricted or region is None:
            return None
        if (
            self.scope.region_code
            and getattr(region, f"{self.scope.region_level}_code") == self.scope.region_code
        ):
            return None
        if self.scope.member_unit_id and not self.scope.region_code:
            return None
        return f"“{region.name}”不在您的管辖范围内，不能录入该区划的组织"

    def visible_ids(self, ids: list[int]) -> set[int]:
        if self.unrestricted:
            return set(ids)
        return set(
            Organization.objects.visible_to(self.actor).filter(pk__in=ids).values_list("pk", flat=True)
        )


def apply_records(
    items: list[tuple[Any, dict[str, Any]]],
    *,
    actor,
    batch: ImportBatch | None = None,
    source: str | None = None,
    today: datetime.date,
) -> ApplyResult:
    """Create or update organizations by credit code. `items` are (key, record) pairs; a record
    holds only the columns its source provides. Rows the actor may not write come back in
    `rejected` with their key. Runs inside the caller's transaction (atomic here for the form)."""
    result = ApplyResult()
    jurisdiction = Jurisdiction(actor)
    codes = [record["credit_code"] for _, record in items]
    existing = {o.credit_code: o for o in Organization.objects.filter(credit_code__in=codes)}
    allowed = jurisdiction.visible_ids([o.pk for o in existing.values()])
    old_tags: dict[int, tuple[str, ...]] = {}
    for org_id, name in OrganizationTag.objects.filter(organization__in=existing.values()).values_list(
        "organization_id", "tag__name"
    ):
        old_tags[org_id] = (*old_tags.get(org_id, ()), name)
    old_tags = {k: tuple(sorted(v)) for k, v in old_tags.items()}

    new_orgs: list[tuple[Organization, tuple[str, ...]]] = []
    changed: list[tuple[Organization, list[str], dict, tuple | None]] = []
    audits: list[AuditLog] = []
    followups: list[FollowUp] = []
    due = today + datetime.timedelta(days=followup_days())
    unit_default = (
        jurisdiction.scope.member_unit_id if jurisdiction.scope and not jurisdiction.unrestricted else None
    )

    for key, record in items:
        org = existing.get(record["credit_code"])
        region_problem = jurisdiction.region_problem(record.get("region"))
        if region_problem:
            result.rejected.append((key, "region", region_problem))
            continue
        values = _values(record)
        tags = record.get("tags")
        if org is None:
            if "region_id" not in values:
                result.rejected.append((key, "region", "新增组织必须有所属区划"))
                continue
            if unit_default and not values.get("supervising_unit_id"):
                values["supervising_unit_id"] = unit_default
            org = Organization(credit_code=record["credit_code"], import_batch=batch, **values)
            new_orgs.append((org, tags or ()))
            continue
        if org.pk not in allowed:
            result.rejected.append(
                (key, "credit_code", "该信用代码的组织已在台账中，但不在您的管辖范围内，不能修改")
            )
            continue
        dirty = [k for k, v in values.items() if getattr(org, k) != v]
        tags_changed = tags is not None and tags != old_tags.get(org.pk, ())
        if not dirty and not tags_changed:
            result.unchanged += 1
            result.organizations.append(org)
            continue
        before = _display(org, old_tags.get(org.pk, ()))
        was_counted = org.status in COUNTED_STATUSES
        for k in dirty:
            setattr(org, k, values[k])
        changed.append((org, dirty, before, tags if tags_changed else None))
        if org.status in CLOSED_STATUSES and "status" in dirty and was_counted:
            followups.append(FollowUp(organization=org, kind=FollowUp.Kind.CLOSED, due_on=due))

    if new_orgs:
        Organization.objects.bulk_create([o for o, _ in new_orgs], batch_size=500)
        result.created = len(new_orgs)
        tag_ids = _tag_ids({t for _, tags in new_orgs for t in tags})
        OrganizationTag.objects.bulk_create(
            [OrganizationTag(organization_id=o.pk, tag_id=tag_ids[t]) for o, tags in new_orgs for t in tags],
            batch_size=2000,
        )
        for org, tags in new_orgs:
            result.organizations.append(org)
            if org.status in COUNTED_STATUSES:
                followups.append(FollowUp(organization=org, kind=FollowUp.Kind.NEW, due_on=due))
            if batch is None:
                audits.append(
                    _audit_row(
                        "registry.organization.created",
                        actor,
                        org,
                        None,
                        _display(org, tuple(sorted(tags))),
                        source,
                    )
                )

    if changed:
        fields = sorted({k for _, dirty, _, _ in changed for k in dirty} | {"updated_at"})
        now = timezone.now()
        for org, _, _, _ in changed:
            org.updated_at = now
        Organization.objects.bulk_update([o for o, _, _, _ in changed], fields, batch_size=500)
        retag = [(o, t) for o, _, _, t in changed if t is not None]
        if retag:
            OrganizationTag.objects.filter(organization__in=[o for o, _ in retag]).delete()
            tag_ids = _tag_ids({t for _, tags in retag for t in tags})
            OrganizationTag.objects.bulk_create(
                [OrganizationTag(organization_id=o.pk, tag_id=tag_ids[t]) for o, tags in retag for t in tags]
            )
        for org, _, before, new_tags in changed:
            after = _display(org, new_tags if new_tags is not None else old_tags.get(org.pk, ()))
            b, a = audit.changed(before, after)
            audits.append(
                _audit_row(
                    "registry.organization.updated", actor, org, b, a, source, batch.filename if batch else ""
                )
            )
            result.organizations.append(org)
        result.updated = len(changed)

    if followups:
        FollowUp.objects.bulk_create(followups, ignore_conflicts=True)
    if audits:
        AuditLog.objects.bulk_create(audits, batch_size=1000)
    return result


def _audit_row(action, actor, org, before, after, source, detail="") -> AuditLog:
    return audit.build(
        action,
        actor=actor,
        obj=org,
        object_type="registry.organization",
        before=before,
        after=after,
        source=source,
        source_detail=detail,
    )


@transaction.atomic
def save_organization(record: dict[str, Any], *, actor, today: datetime.date) -> Organization:
    """The form's save: the same upsert as an import row."""
    result = apply_records([(0, record)], actor=actor, source=None, today=today)
    if result.rejected:
        message = result.rejected[0][2]
        raise PermissionError(message)
    return result.organizations[0]


@transaction.atomic
def close_followup(followup: FollowUp, *, actor, outcome: str, note: str) -> FollowUp:
    if followup.status == FollowUp.Status.DONE:
        return followup
    followup.status = FollowUp.Status.DONE
    followup.outcome = outcome
    followup.note = note
    followup.closed_at = timezone.now()
    followup.closed_by = actor
    followup.save()
    audit.record(
        "registry.followup.closed",
        actor=actor,
        obj=followup,
        after={"outcome": followup.get_outcome_display(), "note": note},
    )
    return followup
