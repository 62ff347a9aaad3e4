"""Blind spots (盲区); the health list of joint branches is in `health.py`. Statuses come from the engine; the
limits are settings with the defaults of domain.md §4."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Case, CharField, Count, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from liangxin.coverage import engine
from liangxin.coverage.models import Formation, Instructor, PartyOrganization

ORG_LISTS = {
    "should_build": "应建未建组织",
    "uncovered": "未覆盖组织",
    "above_scale": "规上企业未单独建立党组织",
}
LISTS = {
    **ORG_LISTS,
    "overloaded": "超负荷党建指导员",
    "oversized": "超出规模的联合党支部",
}


def instructor_max_orgs() -> int:
    return settings.LIANGXIN_INSTRUCTOR_MAX_ORGS


def joint_limits() -> tuple[int, int]:
    """(organizations, members) a joint branch should not exceed."""
    return (
        settings.LIANGXIN_JOINT_MAX_ORGS,
        settings.LIANGXIN_JOINT_MAX_MEMBERS,
    )


def organizations(kind: str, visible_orgs: QuerySet, *, as_of: datetime.date, scope: str = "all") -> QuerySet:
    """应建未建 / uncovered (status none) / 规上 without its own branch, with ``coverage``, among
    the organizations counted under `scope` on `as_of`."""
    orgs = engine.organizations_with_status(visible_orgs, as_of=as_of, scope=scope)
    if kind == "should_build":
        orgs = orgs.filter(engine.should_build_q())
    elif kind == "uncovered":
        orgs = orgs.filter(coverage=engine.NONE)
    elif kind == "above_scale":
        orgs = orgs.filter(above_scale=True).exclude(coverage=engine.SINGLE)
    else:
        raise ValueError(kind)
    return orgs.select_related("region", "area").order_by("county_code", "township_code", "name")


CHANGES = {"became": "新增的未覆盖组织", "stopped": "不再未覆盖的组织"}
OUT_OF_SCOPE = "out"  # a former blind spot no longer counted (status or kind changed)
CHANGED_STATUS_LABELS = {**engine.STATUS_LABELS, OUT_OF_SCOPE: "不再计入统计"}


def changes_since(day: datetime.date) -> datetime.date:
    """The day blind-spot changes are counted from: the end of the month before `day` (the
    dispatch's and the bulletin's rhythm, the same for everyone in a unit, reproducible)."""
    return engine.end_of_previous_month(day)


def changed(kind: str, visible_orgs: QuerySet, *, since: datetime.date, as_of: datetime.date) -> QuerySet:
    """The organizations of `visible_orgs` that ``became`` a blind spot (uncovered: no party
    organization, no party work — the engine's status `none`) between `since` and `as_of`, or
    that ``stopped`` being one, each with ``coverage`` on `as_of` (`OUT_OF_SCOPE` for one no
    longer counted). On `since` only the organizations already registered by then count, so
    an organization registered this month without coverage is a new blind spot."""
    registered_by = timezone.make_aware(
        datetime.datetime.combine(since + datetime.timedelta(days=1), datetime.time.min)
    )
    then = organizations("uncovered", visible_orgs.filter(created_at__lt=registered_by), as_of=since)
    now = organizations("uncovered", visible_orgs, as_of=as_of)
    if kind == "became":
        rows = now.exclude(pk__in=then.values("pk"))
    elif kind == "stopped":
        rows = (
            visible_orgs.filter(pk__in=then.values("pk"))
            .exclude(pk__in=now.values("pk"))
            .annotate(
                coverage=Case(
                    When(engine.in_scope_q(as_of), then=engine.status_expression(as_of)),
                    default=Value(OUT_OF_SCOPE),
                    output_field=CharField(),
                )
            )
        )
    else:
        raise ValueError(kind)
    return rows.select_related("region", "area").order_by("county_code", "township_code", "name")


def overloaded_instructors(visible_instructors: QuerySet, *, as_of: datetime.date) -> QuerySet:
    return (
        # A fresh queryset: a scope filter through `assignments` must not narrow the count.
        Instructor.objects.filter(pk__in=visible_instructors.values("pk"))
        .annotate(load=Count("assignments", filter=engine.assignment_active_q(as_of, "assignments__")))
        .filter(load__gt=instructor_max_orgs())
        .select_related("region")
        .order_by("-load", "name")
    )


def joint_branches(visible_party_orgs: QuerySet, *, as_of: datetime.date) -> QuerySet:
    """The joint party organizations existing on `as_of`, with ``org_count`` and ``member_count``
    (正式 + 预备党员 of the organizations they cover on that day)."""
    return existing_party_orgs(visible_party_orgs, as_of=as_of, formation=Formation.JOINT)


def existing_party_orgs(
    visible_party_orgs: QuerySet, *, as_of: datetime.date, formation: str = ""
) -> QuerySet:
    """The party organizations (of `formation`; "": every one) existing on `as_of`, with
    ``org_count`` and ``member_count`` as `joint_branches` gives them."""
    running = engine.link_dates_q(as_of, "links__")
    rows = PartyOrganization.objects.filter(pk__in=visible_party_orgs.values("pk"))
    if formation:
        rows = rows.filter(formation=formation)
    return (
        rows.filter(engine.party_org_active_q(as_of))
        .annotate(
            org_count=Count("links", filter=running),
            member_count=Coalesce(
                Sum(
                    F("links__organization__party_members") + F("links__organization__probationary_members"),
                    filter=running,
                ),
                Value(0),
            ),
        )
        .select_related("region")
    )


def oversized_branches(visible_party_orgs: QuerySet, *, as_of: datetime.date) -> QuerySet:
    max_orgs, max_members = joint_limits()
    return (
        joint_branches(visible_party_orgs, as_of=as_of)
        .filter(Q(org_count__gt=max_orgs) | Q(member_count__gt=max_members))
        .order_by("-org_count", "name")
    )


# ----------------------------------------------------------------------------- health


def quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def months_before(day: datetime.date, months: int) -> datetime.date:
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for d in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, d))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def as_json(
    visible_orgs: QuerySet,
    visible_instructors: QuerySet,
    visible_party_orgs: QuerySet,
    *,
    as_of: datetime.date,
) -> dict[str, list[dict]]:
    """Every blind-spot list as JSON: `liangxin blindspots --json` and the API both print this."""
    result: dict[str, list[dict]] = {}
    for kind in ORG_LISTS:
        rows = organizations(kind, visible_orgs, as_of=as_of)
        result[kind] = [
            {
                "credit_code": o.credit_code,
                "name": o.name,
                "region": o.region.name,
                "party_members": o.party_members,
                "status": o.coverage,
            }
            for o in rows.iterator(chunk_size=2000)
        ]
    result["overloaded"] = [
        {"name": i.name, "region": i.region.name, "load": i.load}
        for i in overloaded_instructors(visible_instructors, as_of=as_of)
    ]
    result["oversized"] = [
        {"name": p.name, "region": p.region.name, "organizations": p.org_count, "members": p.member_count}
        for p in oversized_branches(visible_party_orgs, as_of=as_of)
    ]
    return result
