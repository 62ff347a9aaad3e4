"""The quality view per county (有效覆盖 at a glance, for a county's own 常态化排查 report) and per
行业（综合）党委 (`by_committee`): joint branches by their latest rating, 超期未换届 party
organizations, 整改 overdue, instructors without recent visits, party organizations with a 派驻书记
in post — each from the one function that decides it (health, terms, rectification, effective,
secretaries)."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from liangxin.core.models import Installation, Region, RegionLevel
from liangxin.coverage import effective, engine, health, rectification, secretaries, terms
from liangxin.coverage.models import Assignment, Formation, Rating
from liangxin.registry.models import Organization

RATING_KEYS = (*Rating.values, "")  # "" : never inspected


@dataclass
class QualityRow:
    code: str
    name: str
    ratings: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RATING_KEYS, 0))
    branches: int = 0
    term_overdue: int = 0
    rectification_open: int = 0
    rectification_overdue: int = 0
    idle_instructors: int = 0
    dispatched: int = 0  # party organizations with a 派驻书记 in post


def quality(
    party_orgs: QuerySet,
    instructors: QuerySet,
    rectifications: QuerySet,
    *,
    as_of: datetime.date,
    regions: QuerySet | None = None,
) -> tuple[list[QualityRow], QualityRow]:
    """(one row per county in code order — the counties among `regions`, default all — then
    市本级 when it has any; the total) of what the querysets hold."""
    city = Installation.current_city()
    counties = (regions if regions is not None else Region.objects.all()).filter(
        parent=city, level=RegionLevel.COUNTY
    ) if city else Region.objects.none()  # fmt: skip
    rows = {c.code: QualityRow(c.code, c.name) for c in counties.order_by("code")}

    def row(code: str | None) -> QualityRow:
        code = code or ""
        if code not in rows:
            rows[code] = QualityRow(code, "市本级")
        return rows[code]

    joint = health.branches(party_orgs, as_of=as_of, formation=Formation.JOINT)
    for p in joint.values("county_code", "last_rating").order_by():
        r = row(p["county_code"])
        r.branches += 1
        r.ratings[p["last_rating"] or ""] += 1
    for code, n in Counter(terms.overdue(party_orgs, as_of).values_list("county_code", flat=True)).items():
        row(code).term_overdue += n
    for c in rectification.county_counts(rectifications, as_of=as_of):
        if c.open or c.overdue or c.code in rows:
            r = row(c.code)
            r.rectification_open, r.rectification_overdue = c.open, c.overdue
    idle = effective.instructors_without_visits(instructors, as_of=as_of).values_list(
        "county_code", flat=True
    )
    for code, n in Counter(idle).items():
        row(code).idle_instructors += n
    for code, n in Counter(_dispatched(party_orgs, as_of).values_list("county_code", flat=True)).items():
        row(code).dispatched += n
    ordered = sorted(rows.values(), key=lambda r: (not r.code, r.code))
    return ordered, _total(ordered)


def _total(rows: list[QualityRow]) -> QualityRow:
    total = QualityRow("", "合计")
    for r in rows:
        total.branches += r.branches
        total.term_overdue += r.term_overdue
        total.rectification_open += r.rectification_open
        total.rectification_overdue += r.rectification_overdue
        total.idle_instructors += r.idle_instructors
        total.dispatched += r.dispatched
        for key in RATING_KEYS:
            total.ratings[key] += r.ratings[key]
    return total


@dataclass(frozen=True)
class Committee:
    """A 行业（综合）党委 as the quality view needs it: its party organization (its branches are
    those whose 上级党组织 it is) and its field (`Q` over organizations: their instructors count)."""

    key: str
    name: str
    party_org_id: int
    field: Q


def _dispatched(party_orgs: QuerySet, as_of: datetime.date) -> QuerySet:
    return secretaries.with_dispatched(party_orgs.filter(engine.party_org_active_q(as_of)), as_of)


def _in_field(instructors: QuerySet, field: Q, as_of: datetime.date) -> QuerySet:
    orgs = Organization.objects.filter(field).values("pk")
    assigned = Assignment.objects.filter(engine.assignment_active_q(as_of), organization_id__in=orgs)
    return instructors.filter(pk__in=assigned.values("instructor_id"))


def by_committee(
    committees: list[Committee],
    party_orgs: QuerySet,
    instructors: QuerySet,
    rectifications: QuerySet,
    *,
    as_of: datetime.date,
) -> tuple[list[QualityRow], QualityRow]:
    """(one row per committee, in the order given; the total) of what the querysets hold: the
    joint branches under each by latest rating, 超期未换届 among the committee and its party
    organizations, their 整改, the instructors of its field without recent visits (the total
    counts an instructor serving two fields once)."""
    rows = []
    for c in committees:
        r = QualityRow(c.key, c.name)
        own = Q(parent_id=c.party_org_id) | Q(pk=c.party_org_id)
        joint = health.branches(
            party_orgs.filter(parent_id=c.party_org_id), as_of=as_of, formation=Formation.JOINT
        )
        for rating in joint.values_list("last_rating", flat=True).order_by():
            r.branches += 1
            r.ratings[rating or ""] += 1
        r.term_overdue = terms.overdue(party_orgs.filter(own), as_of).count()
        r.dispatched = _dispatched(party_orgs.filter(own), as_of).count()
        for counts in rectification.county_counts(
            rectifications.filter(Q(party_org__parent_id=c.party_org_id) | Q(party_org_id=c.party_org_id)),
            as_of=as_of,
        ):
            r.rectification_open += counts.open
            r.rectification_overdue += counts.overdue
        idle = effective.instructors_without_visits(_in_field(instructors, c.field, as_of), as_of=as_of)
        r.idle_instructors = idle.count()
        rows.append(r)
    total = _total(rows)
    fields = Q(pk__in=[])
    for c in committees:
        fields |= c.field
    total.idle_instructors = effective.instructors_without_visits(
        _in_field(instructors, fields, as_of), as_of=as_of
    ).count()
    return rows, total
