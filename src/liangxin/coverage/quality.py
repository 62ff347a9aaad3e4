"""The quality view per county (有效覆盖 at a glance, for a county's own 常态化排查 report): joint
branches by their latest rating, 超期未换届 party organizations, 整改 overdue, instructors without
recent visits — each from the one function that decides it (health, terms, rectification,
effective)."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import QuerySet

from liangxin.core.models import Installation, Region, RegionLevel
from liangxin.coverage import effective, health, rectification, terms
from liangxin.coverage.models import Formation, Rating

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
    ordered = sorted(rows.values(), key=lambda r: (not r.code, r.code))
    total = QualityRow("", "合计")
    for r in ordered:
        total.branches += r.branches
        total.term_overdue += r.term_overdue
        total.rectification_open += r.rectification_open
        total.rectification_overdue += r.rectification_overdue
        total.idle_instructors += r.idle_instructors
        for key in RATING_KEYS:
            total.ratings[key] += r.ratings[key]
    return ordered, total
