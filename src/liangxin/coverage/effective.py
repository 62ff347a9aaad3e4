"""有效工作覆盖 (from 有形覆盖 to 有效覆盖), beside the official 工作覆盖 — never instead of it.

Official (domain.md §4, `engine.py`, unchanged and the default everywhere): 工作覆盖率 =
(single + joint + work) ÷ in scope. Effective: an organization covered only by party work
(status `work`) counts as effectively covered when one of its instructors assigned on D visited
it within `LIANGXIN_VISIT_PERIOD_DAYS` (90) days up to D. 有效工作覆盖率 = (single + joint +
effective work) ÷ in scope, so it is never above the official rate. Statuses come from
`engine.organizations_with_status` (the one place the precedence lives); this module adds only
the visit condition. Reached as `engine.effective_work` / `engine.effective_work_rate`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from liangxin.core.rates import ratio
from liangxin.coverage import engine
from liangxin.coverage.models import Assignment, Instructor, Visit


def visit_period_days() -> int:
    return settings.LIANGXIN_VISIT_PERIOD_DAYS


def recent_visit_q(as_of: datetime.date, prefix: str = "") -> Q:
    """A visit on one of the `visit_period_days` days up to and including `as_of`."""
    start = as_of - datetime.timedelta(days=visit_period_days() - 1)
    return Q(**{f"{prefix}visited_on__gte": start, f"{prefix}visited_on__lte": as_of})


def _effective_assignment(as_of: datetime.date):
    """An assignment of the organization (OuterRef pk) active on `as_of` whose instructor
    visited it recently."""
    visited = Visit.objects.filter(
        recent_visit_q(as_of),
        instructor_id=OuterRef("instructor_id"),
        organization_id=OuterRef("organization_id"),
    )
    return Assignment.objects.filter(
        engine.assignment_active_q(as_of), organization_id=OuterRef("pk")
    ).filter(Exists(visited))


@dataclass
class EffectiveFigures:
    code: str
    name: str
    total: int = 0
    covered: int = 0  # single + joint
    work: int = 0  # official work coverage (no party organization, an instructor assigned)
    effective_work: int = 0  # of those, with a recent visit

    @property
    def work_rate(self) -> Decimal | None:
        """The official 工作覆盖率 (as `engine.Figures.work_rate` counts it)."""
        return ratio(self.covered + self.work, self.total)

    @property
    def effective_work_rate(self) -> Decimal | None:
        return ratio(self.covered + self.effective_work, self.total)


def effective_work(
    visible_orgs: QuerySet, *, as_of: datetime.date, scope: str = "all"
) -> tuple[list[EffectiveFigures], EffectiveFigures]:
    """(one row per county, in code order, then 市本级 if any; the total) of the organizations
    counted under `scope` on `as_of`."""
    from liangxin.core.models import Region

    orgs = engine.organizations_with_status(visible_orgs, as_of=as_of, scope=scope).annotate(
        visited=Exists(_effective_assignment(as_of))
    )
    rows = (
        orgs.order_by()
        .values("county_code")
        .annotate(
            total=Count("pk"),
            covered=Count("pk", filter=Q(coverage__in=(engine.SINGLE, engine.JOINT))),
            work=Count("pk", filter=Q(coverage=engine.WORK)),
            effective_work=Count("pk", filter=Q(coverage=engine.WORK, visited=True)),
        )
    )
    names = dict(Region.objects.filter(code__in=[r["county_code"] for r in rows]).values_list("code", "name"))
    out = []
    total = EffectiveFigures("", "合计")
    for r in sorted(rows, key=lambda r: (not r["county_code"], r["county_code"] or "")):
        code = r["county_code"] or ""
        figures = EffectiveFigures(
            code, names.get(code, engine.CITY_LEVEL), r["total"], r["covered"], r["work"], r["effective_work"]
        )
        out.append(figures)
        for key in ("total", "covered", "work", "effective_work"):
            setattr(total, key, getattr(total, key) + getattr(figures, key))
    return out, total


def instructors_without_visits(visible_instructors: QuerySet, *, as_of: datetime.date) -> QuerySet:
    """Instructors with an assignment on `as_of` and no visit to any organization assigned to
    them on that day within the visit period, with ``load`` and ``last_visit``."""
    from django.db.models import Max

    assigned = Assignment.objects.filter(engine.assignment_active_q(as_of), instructor_id=OuterRef("pk"))
    visited = Visit.objects.filter(
        recent_visit_q(as_of),
        instructor_id=OuterRef("pk"),
        organization_id__in=Assignment.objects.filter(
            engine.assignment_active_q(as_of), instructor_id=OuterRef(OuterRef("pk"))
        ).values("organization_id"),
    )
    return (
        Instructor.objects.filter(pk__in=visible_instructors.values("pk"))
        .filter(Exists(assigned))
        .exclude(Exists(visited))
        .annotate(
            load=Count(
                "assignments", filter=engine.assignment_active_q(as_of, "assignments__"), distinct=True
            ),
            last_visit=Max("visits__visited_on", filter=Q(visits__visited_on__lte=as_of)),
        )
        .select_related("region")
        .order_by("county_code", "name")
    )
