"""Blind spots (盲区) and the health list of joint branches. Statuses come from the engine; the
limits are settings with the defaults of domain.md §4."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from liangxin.coverage import engine
from liangxin.coverage.models import BranchInspection, CoverageLink, Formation, Instructor, PartyOrganization
from liangxin.registry.models import CLOSED_STATUSES

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
    return int(getattr(settings, "LIANGXIN_INSTRUCTOR_MAX_ORGS", 10))


def joint_limits() -> tuple[int, int]:
    """(organizations, members) a joint branch should not exceed."""
    return (
        int(getattr(settings, "LIANGXIN_JOINT_MAX_ORGS", 5)),
        int(getattr(settings, "LIANGXIN_JOINT_MAX_MEMBERS", 50)),
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
    running = engine.link_dates_q(as_of, "links__")
    return (
        PartyOrganization.objects.filter(pk__in=visible_party_orgs.values("pk"))
        .filter(engine.party_org_active_q(as_of), formation=Formation.JOINT)
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


@dataclass(frozen=True)
class Flag:
    key: str
    label: str


FLAGS = (
    Flag("no_inspection", "本季度未排查"),
    Flag("secretary_vacant", "书记空缺超过3个月"),
    Flag("term_overdue", "超期未换届"),
    Flag("closed_org", "所覆盖组织已注销/吊销"),
)


def health(visible_party_orgs: QuerySet, *, as_of: datetime.date, flagged_only: bool = False) -> QuerySet:
    """Joint branches with the four flags as boolean annotations; the list does not judge.
    A secretary is flagged once vacant for more than 3 months (vacant since before the same day
    3 months earlier; an unknown start counts as long ago)."""
    inspected = BranchInspection.objects.filter(
        party_org=OuterRef("pk"), inspected_on__gte=quarter_start(as_of), inspected_on__lte=as_of
    )
    closed = CoverageLink.objects.filter(
        engine.link_dates_q(as_of), party_org=OuterRef("pk"), organization__status__in=CLOSED_STATUSES
    )
    last = BranchInspection.objects.filter(party_org=OuterRef("pk"), inspected_on__lte=as_of).order_by(
        "-inspected_on"
    )
    vacant_limit = months_before(as_of, 3)
    rows = joint_branches(visible_party_orgs, as_of=as_of).annotate(
        no_inspection=~Exists(inspected),
        closed_org=Exists(closed),
        last_inspected_on=last.values("inspected_on")[:1],
        last_rating=last.values("rating")[:1],
    )
    rows = rows.annotate(
        secretary_vacant=Q(secretary="")
        & (Q(secretary_vacant_since__isnull=True) | Q(secretary_vacant_since__lt=vacant_limit)),
        term_overdue=Q(term_ends_on__lt=as_of),
    )
    if flagged_only:
        rows = rows.filter(
            Q(no_inspection=True) | Q(closed_org=True) | Q(secretary_vacant=True) | Q(term_overdue=True)
        )
    return rows.order_by("county_code", "name")
