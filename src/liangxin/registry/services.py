"""Every change to the registry: upserting organizations (from an import chunk or the form, the
same code path), and the 三同步 follow-ups they open and close."""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from liangxin.core import audit, auditchain, effects
from liangxin.core.bulk import insert_rows, select_in, update_rows
from liangxin.core.models import AuditLog, ImportBatch
from liangxin.core.roles import Role
from liangxin.core.scoping import CHANGE, Scope, scope_for
from liangxin.registry import followups
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
    return settings.LIANGXIN_FOLLOWUP_DAYS


@dataclass
class ApplyResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[Any, str, str]] = field(default_factory=list)  # (row key, column key, message)
    ids: list[int] = field(default_factory=list)


# Database columns a record may set, as attribute names (ids and ancestor codes included).
COLUMNS = (
    *PLAIN_FIELDS,
    "row_hash",
    "region_id",
    "province_code",
    "city_code",
    "county_code",
    "township_code",
    "area_id",
    "industry_id",
    "industry_section",
    "industry_detail",
    "supervising_unit_id",
)


@functools.lru_cache(maxsize=4096)
def _region_columns_of(pk: int, province: str, city: str, county: str, township: str) -> dict[str, Any]:
    return {
        "region_id": pk,
        "province_code": province,
        "city_code": city,
        "county_code": county,
        "township_code": township,
    }


def _region_columns(region) -> dict[str, Any]:
    return _region_columns_of(
        region.pk, region.province_code, region.city_code, region.county_code, region.township_code
    )


def _values(record: dict[str, Any]) -> dict[str, Any]:
    """Record → model attribute values (ids and ancestor codes)."""
    values = {k: record[k] for k in PLAIN_FIELDS if k in record}
    # The digest of the import row that last wrote the organization; a form edit clears it.
    values["row_hash"] = record.get("row_hash")
    region = record.get("region")
    if region is not None:
        values.update(_region_columns(region))
    if "area" in record:
        values["area_id"] = record["area"].pk if record["area"] else None
    if "industry" in record:
        division, section, detail = record["industry"]
        values.update(industry_id=division, industry_section=section or "", industry_detail=detail or "")
    if "supervising_unit" in record:
        values["supervising_unit_id"] = record["supervising_unit"].pk if record["supervising_unit"] else None
    return values


def _display(row: dict[str, Any], tags: tuple[str, ...]) -> dict[str, Any]:
    """The audited view of an organization row."""
    data = {k: row.get(k) for k in PLAIN_FIELDS}
    data.update(
        region_id=row.get("region_id"),
        area_id=row.get("area_id"),
        industry=row.get("industry_id") or row.get("industry_section"),
        supervising_unit_id=row.get("supervising_unit_id"),
        tags=list(tags),
    )
    return data


def _tag_ids(names: set[str]) -> dict[str, int]:
    if not names:
        return {}
    Tag.objects.bulk_create([Tag(name=n) for n in names], ignore_conflicts=True)
    return dict(Tag.objects.filter(name__in=names).values_list("name", "id"))


# What an actor may write is `restrict(actor, "change")` (liangxin.core.scoping), re-checked here
# inside the write's transaction; a row it would produce must still be the actor's (`admits`).
# A row the actor may not change gets the same message whether or not the actor can see it, so
# an import does not tell a county user that another county's credit code is in the registry.
NOT_YOURS = (
    "不能录入或修改该统一社会信用代码的组织：它不在您的管辖范围内（如确属本辖区，请联系工委办公室核实）"
)


def _write_scope(actor) -> Scope | None:
    """The actor's scope, or None for the server's operator (a command run without --user)."""
    return None if actor is None else scope_for(actor)


def _writable_ids(actor, ids: list[int]) -> set[int]:
    if _write_scope(actor) is None:
        return set(ids)
    return set(Organization.objects.restrict(actor, CHANGE).filter(pk__in=ids).values_list("pk", flat=True))


def _admission_problem(scope: Scope | None, values: dict[str, Any], region) -> tuple[str, str] | None:
    """(column, message) when the row `values` describe (attribute names) would not be the
    actor's to change after the write, else None."""
    if scope is None or scope.admits(Organization, values):
        return None
    if scope.region_code and region is not None:
        return "region", f"“{region.name}”不在您的管辖范围内，不能录入该区划的组织"
    if scope.member_unit_id:
        return "supervising_unit", "成员单位只能录入和修改本单位主管的组织，主管单位不能填写其他单位"
    return "credit_code", NOT_YOURS


NEW_COLUMNS = ("credit_code", *COLUMNS, "created_at", "updated_at", "import_batch")
ANCESTOR_CODES = ("province_code", "city_code", "county_code", "township_code")
# What an import stages per new organization (`_NewRows`): the ancestor codes are its region's
# (the merge reads them from the region table) and the two timestamps and the batch are the
# same for every row, so none of them is bound a million times.
STAGED_NEW_COLUMNS = tuple(c for c in NEW_COLUMNS[:-3] if c not in ANCESTOR_CODES)
_AFTER_REGION = STAGED_NEW_COLUMNS.index("region_id") + 1
NEW_DEFAULTS = {
    "kind": "",
    "founded_on": None,
    "status": "active",
    "employees": None,
    "party_members": 0,
    "probationary_members": 0,
    "above_scale": False,
    "address": "",
    "contact": "",
    "phone": "",
    "area_id": None,
    "industry_id": None,
    "industry_section": "",
    "industry_detail": "",
    "supervising_unit_id": None,
}


def _new_dict(record: dict[str, Any], unit_default: int | None) -> dict[str, Any]:
    """A new organization's column values (attribute names) from a record."""
    values = _values(record)
    if unit_default and not values.get("supervising_unit_id"):
        values["supervising_unit_id"] = unit_default
    return {**NEW_DEFAULTS, **values, "credit_code": record["credit_code"]}


_ADAPTED_DATES: dict[str, dict[Any, Any]] = {}  # per database kind: date → as the driver takes it


class _NewRows:
    """Records → row tuples in `STAGED_NEW_COLUMNS` order, values already adapted for the
    database: the same values as `_new_dict`, without the intermediate dictionaries (a large
    import creates a million of these; tests hold the two equal). `full` completes a row to
    `NEW_COLUMNS` for a direct INSERT (the form, the API)."""

    def __init__(self, unit_default: int | None, stamp: datetime.datetime, batch_id: int | None):
        ops = connection.ops
        self.unit_default = unit_default
        self.tail = (ops.adapt_datetimefield_value(stamp),) * 2 + (batch_id,)
        self.adapt_date = ops.adapt_datefield_value
        self.dates = _ADAPTED_DATES.setdefault(connection.vendor, {None: None})
        if len(self.dates) > 100_000:
            self.dates.clear()
            self.dates[None] = None
        self.codes: dict[int, tuple] = {}  # region id → its ancestor codes (ANCESTOR_CODES)

    def __call__(self, record: dict[str, Any]) -> tuple:
        get = record.get
        region = record["region"]
        region_id = region.id  # (`.id`, not `.pk`: a property call a million times)
        if region_id not in self.codes:
            self.codes[region_id] = (
                region.province_code, region.city_code, region.county_code, region.township_code
            )  # fmt: skip
        founded = get("founded_on")
        try:
            founded = self.dates[founded]
        except KeyError:
            # (not `founded = self.dates[founded] = …`: that stores the result under itself)
            self.dates[founded] = adapted = self.adapt_date(founded)
            founded = adapted
        area, unit, industry = get("area"), get("supervising_unit"), get("industry")
        division, section, detail = industry if industry is not None else (None, "", "")
        return (
            record["credit_code"], record["name"], get("kind", ""), founded, get("status", "active"),
            get("employees"), get("party_members", 0), get("probationary_members", 0),
            get("above_scale", False), get("address", ""), get("contact", ""), get("phone", ""),
            get("row_hash"), region_id, area.id if area else None, division, section or "",
            detail or "", unit.id if unit else self.unit_default,
        )  # fmt: skip

    def full(self, row: tuple) -> tuple:
        """A row of `__call__` in `NEW_COLUMNS` order: with its region's ancestor codes, the
        timestamps and the batch."""
        at = _AFTER_REGION
        return (*row[:at], *self.codes[row[at - 1]], *row[at:], *self.tail)


@dataclass
class Changes:
    """What some records change in the registry, worked out against it before anything is
    written: an import stages these (`registry.staging`) and merges them at the end; the form
    writes them at once (`write_changes`)."""

    result: ApplyResult = field(default_factory=ApplyResult)
    new_rows: list[tuple] = field(default_factory=list)  # rows in STAGED_NEW_COLUMNS order
    new_row: _NewRows | None = None  # what built them (`full`: the rest of each row)
    new_records: list[dict[str, Any]] = field(default_factory=list)  # the records they come from
    new_tags: dict[str, tuple[str, ...]] = field(default_factory=dict)  # credit code → tags
    # (id, updated_at as read, changed fields, the row after): ("row_hash",) alone = the same
    # values written differently, remembered without touching updated_at
    updates: list[tuple[int, Any, tuple[str, ...], dict[str, Any]]] = field(default_factory=list)
    retag: dict[int, tuple[str, ...]] = field(default_factory=dict)
    closed: list[int] = field(default_factory=list)  # turned 注销/吊销: a follow-up to settle
    audits: list[AuditLog] = field(default_factory=list)
    unit_default: int | None = None
    stamp: datetime.datetime | None = None


def plan_records(
    items: list[tuple[Any, dict[str, Any]]],
    *,
    actor,
    source: str | None = None,
    detail: str = "",
    registry_empty: bool = False,
) -> Changes:
    """Create or update organizations by credit code: what `items` ((key, record) pairs; a record
    holds only the columns its source provides) would change. Reads only. Rows the actor may not
    write come back in `result.rejected` with their key. `registry_empty`: the registry held no
    organization (a first load), so no code is looked up (the merge checks that none appeared)."""
    scope = _write_scope(actor)
    codes = [] if registry_empty else [record["credit_code"] for _, record in items]
    existing = {
        row["credit_code"]: row
        for row in select_in(
            Organization, ("id", "credit_code", "name", "updated_at", *COLUMNS), "credit_code", codes
        )
    }
    allowed = _writable_ids(actor, [row["id"] for row in existing.values()])
    old_tags: dict[int, list[str]] = {}
    for org_id, name in OrganizationTag.objects.filter(organization_id__in=allowed).values_list(
        "organization_id", "tag__name"
    ):
        old_tags.setdefault(org_id, []).append(name)
    tags_of = {k: tuple(sorted(v)) for k, v in old_tags.items()}

    plan = Changes(stamp=timezone.now())
    # A member unit's new rows are supervised by it unless the record names another unit.
    plan.unit_default = scope.member_unit_id if scope is not None and scope.role == Role.MEMBER_UNIT else None
    unit_default = plan.unit_default
    result = plan.result
    # an import gives the batch, the timestamps and the ancestor codes in its merge
    plan.new_row = new_row = _NewRows(plan.unit_default, plan.stamp, None)
    for key, record in items:
        row = existing.get(record["credit_code"])
        tags = record.get("tags")
        if row is None:
            if record.get("region") is None:
                result.rejected.append((key, "region", "新增组织必须有所属区划"))
                continue
            if scope is not None:
                problem = _admission_problem(scope, _new_dict(record, unit_default), record["region"])
                if problem:
                    result.rejected.append((key, *problem))
                    continue
            plan.new_rows.append(new_row(record))
            plan.new_records.append(record)
            plan.new_tags[record["credit_code"]] = tags or ()
            continue
        if row["id"] not in allowed:
            result.rejected.append((key, "credit_code", NOT_YOURS))
            continue
        values = _values(record)
        if unit_default and values.get("supervising_unit_id", unit_default) is None:
            del values["supervising_unit_id"]  # an unknown unit (a warning) leaves it unchanged
        if scope is not None:
            problem = _admission_problem(scope, {**row, **values}, record.get("region"))
            if problem:
                result.rejected.append((key, *problem))
                continue
        dirty = tuple(k for k, v in values.items() if k != "row_hash" and row[k] != v)
        tags_changed = tags is not None and tags != tags_of.get(row["id"], ())
        after_row = {**row, **values}
        if not dirty and not tags_changed:
            if row["row_hash"] != values["row_hash"]:  # same values, written differently
                plan.updates.append((row["id"], row["updated_at"], ("row_hash",), after_row))
            result.unchanged += 1
            result.ids.append(row["id"])
            continue
        before = _display(row, tags_of.get(row["id"], ()))
        if "status" in dirty and values["status"] in CLOSED_STATUSES and row["status"] in COUNTED_STATUSES:
            plan.closed.append(row["id"])
        plan.updates.append((row["id"], row["updated_at"], (*dirty, "row_hash", "updated_at"), after_row))
        if tags_changed:
            plan.retag[row["id"]] = tags
        b, a = audit.changed(
            before, _display(after_row, tags if tags_changed else tags_of.get(row["id"], ()))
        )
        plan.audits.append(
            _audit_row("registry.organization.updated", actor, row["id"], row["name"], b, a, source, detail)
        )
        result.updated += 1
        result.ids.append(row["id"])
    result.created = len(plan.new_rows)
    return plan


def write_changes(plan: Changes, *, actor, source: str | None, today: datetime.date) -> ApplyResult:
    """Write a plan at once (the form: a few rows, inside the caller's transaction): the new
    rows with their tags, follow-ups and audit records, then the updates."""
    result = plan.result
    if plan.new_rows:
        full = plan.new_row.full
        insert_rows(Organization, NEW_COLUMNS, [full(row) for row in plan.new_rows], adapted=True)
        ids = {
            row["credit_code"]: row["id"]
            for row in select_in(
                Organization,
                ("credit_code", "id"),
                "credit_code",
                [r["credit_code"] for r in plan.new_records],
            )
        }
        tag_ids = _tag_ids({t for tags in plan.new_tags.values() for t in tags})
        insert_rows(
            OrganizationTag,
            ("organization", "tag"),
            ((ids[code], tag_ids[t]) for code, tags in plan.new_tags.items() for t in tags),
        )
        open_followups_for([ids[r["credit_code"]] for r in plan.new_records], today=today)
        for record in plan.new_records:
            r = _new_dict(record, plan.unit_default)
            org_id = ids[r["credit_code"]]
            result.ids.append(org_id)
            plan.audits.append(
                _audit_row(
                    "registry.organization.created",
                    actor,
                    org_id,
                    r["name"],
                    None,
                    _display(r, tuple(sorted(plan.new_tags[r["credit_code"]]))),
                    source,
                )
            )
    groups: dict[tuple[str, ...], list[tuple]] = {}
    for org_id, _, fields, after in plan.updates:
        values = [plan.stamp if f == "updated_at" else after[f] for f in fields]
        groups.setdefault(fields, []).append((*values, org_id))
    for fields, rows in groups.items():
        update_rows(Organization, fields, rows)
    if plan.retag:
        OrganizationTag.objects.filter(organization_id__in=list(plan.retag)).delete()
        tag_ids = _tag_ids({t for tags in plan.retag.values() for t in tags})
        insert_rows(
            OrganizationTag,
            ("organization", "tag"),
            ((org_id, tag_ids[t]) for org_id, tags in plan.retag.items() for t in tags),
        )
    if plan.closed:
        due = today + datetime.timedelta(days=followup_days())
        FollowUp.objects.bulk_create(
            [FollowUp(organization_id=i, kind=FollowUp.Kind.CLOSED, due_on=due) for i in plan.closed],
            ignore_conflicts=True,
        )
        followups.route_open()
    if plan.audits:
        # Several rows go in as one bulk insert: the side effects are requested here, not
        # inferred from saved audit rows.
        effects.figures_changed()
        auditchain.append(plan.audits)
    return result


def apply_records(
    items: list[tuple[Any, dict[str, Any]]], *, actor, source: str | None = None, today: datetime.date
) -> ApplyResult:
    """Create or update organizations by credit code, now (the form's path; an import plans
    with `plan_records` and merges at the end, `registry.staging`). Runs inside the caller's
    transaction."""
    plan = plan_records(items, actor=actor, source=source)
    return write_changes(plan, actor=actor, source=source, today=today)


def open_followups_for_batch(batch: ImportBatch, *, today: datetime.date) -> int:
    """The 三同步 follow-ups of the in-scope organizations an import created, in one statement."""
    column = connection.ops.quote_name(Organization._meta.get_field("import_batch").column)
    return _open_new_followups(f"{column} = %s", [batch.pk], today=today)


def open_followups_for(org_ids: list[int], *, today: datetime.date) -> int:
    """The same for organizations just created by the form (or a small batch of records)."""
    pk = connection.ops.quote_name(Organization._meta.pk.column)
    opened = 0
    for start in range(0, len(org_ids), 500):
        chunk = org_ids[start : start + 500]
        opened += _open_new_followups(f"{pk} IN ({', '.join(['%s'] * len(chunk))})", chunk, today=today)
    return opened


def _open_new_followups(where: str, params: list, *, today: datetime.date) -> int:
    """The one statement of the rule: a new organization counted as 存续/在业 (COUNTED_STATUSES)
    opens a NEW follow-up due in `followup_days()`, given at once to the gatekeeping unit of the
    organization's kind and announced. `where` selects the organizations (quoted names and
    placeholders only; values in `params`)."""
    quote = connection.ops.quote_name
    followup, org = FollowUp._meta, Organization._meta
    columns = ", ".join(
        quote(followup.get_field(f).column)
        for f in ("organization", "kind", "status", "due_on", "opened_at", "outcome", "note", "unit")
    )
    unit, unit_params = followups.unit_for_kind_sql(quote(org.get_field("kind").column))
    due = today + datetime.timedelta(days=followup_days())
    sql = (
        f"INSERT INTO {quote(followup.db_table)} ({columns}) "  # noqa: S608 (quoted names, parameters)
        f"SELECT {quote(org.pk.column)}, %s, %s, %s, %s, '', '', {unit} FROM {quote(org.db_table)} "
        f"WHERE {where} "
        f"AND {quote(org.get_field('status').column)} IN ({', '.join(['%s'] * len(COUNTED_STATUSES))})"
    )
    params = [
        FollowUp.Kind.NEW.value,
        FollowUp.Status.OPEN.value,
        connection.ops.adapt_datefield_value(due),
        connection.ops.adapt_datetimefield_value(timezone.now()),
        *unit_params,
        *params,
        *(s.value for s in COUNTED_STATUSES),
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # One writer (this transaction) and AUTOINCREMENT: the rows of one INSERT take the ids
            # right after the last one ever used, so they are announced as that range, without
            # handing a million ids back to Python.
            cursor.execute(sql, params)
            count = cursor.rowcount
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [followup.db_table])
            last = cursor.fetchone()[0] if count else 0
            followups.announce_opened_between(last - count, last)
        else:
            pk, unit_column = quote(followup.pk.column), quote(followup.get_field("unit").column)
            cursor.execute(f"{sql} RETURNING {pk}, {unit_column}", params)
            opened = cursor.fetchall()
            count = len(opened)
            followups.announce_opened(sorted(pk for pk, unit_id in opened if unit_id is not None))
    followups.route_open()  # any other open follow-up still without its unit
    return count


def _audit_row(action, actor, org_id, name, before, after, source, detail="") -> AuditLog:
    return audit.build(
        action,
        actor=actor,
        object_type="registry.organization",
        object_id=str(org_id),
        object_repr=name,
        before=before,
        after=after,
        source=source,
        source_detail=detail,
    )


@transaction.atomic
def save_organization(record: dict[str, Any], *, actor, today: datetime.date) -> Organization:
    """The form's save: the same upsert as an import row (the row locked while it is checked)."""
    list(Organization.objects.select_for_update().filter(credit_code=record["credit_code"]).values("pk"))
    result = apply_records([(0, record)], actor=actor, source=None, today=today)
    if result.rejected:
        message = result.rejected[0][2]
        raise PermissionError(message)
    return Organization.objects.get(pk=result.ids[0])


@transaction.atomic
def close_followup(followup: FollowUp, *, actor, outcome: str, note: str) -> FollowUp:
    rows = FollowUp.objects.select_for_update(of=("self",))
    if actor is not None:  # re-checked inside the transaction; None: the server's operator
        rows = rows.restrict(actor, CHANGE)
    followup = rows.filter(pk=followup.pk).first()
    if followup is None:
        raise PermissionError("该跟进事项不在您的管辖范围内，不能办结")
    if followup.status == FollowUp.Status.DONE:
        return followup
    followup.status = FollowUp.Status.DONE
    followup.outcome = outcome
    followup.note = note
    followup.closed_at = timezone.now()
    followup.closed_by = actor
    followup.save()
    effects.figures_changed()  # after commit: the cockpit warm-up
    audit.record(
        "registry.followup.closed",
        actor=actor,
        obj=followup,
        after={"outcome": followup.get_outcome_display(), "note": note},
    )
    return followup
