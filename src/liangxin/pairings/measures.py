"""“结对共建” as a measure a dispatch task can be linked to (dispatch.measures): the unit's
report is prefilled with the pairings it keeps and this year's projects."""

from __future__ import annotations

import datetime

from django.db.models import Q

from liangxin.core.models import MemberUnitKind
from liangxin.dispatch.measures import Measure, MeasureValue
from liangxin.pairings.models import Pairing, active_in_year_q
from liangxin.pairings.totals import pairing_totals


def unit_pairings(unit) -> Q:
    """The pairings a unit answers for: those of the organizations it supervises, and for a
    county's organization department those of its county."""
    q = Q(organization__supervising_unit=unit)
    if unit.kind == MemberUnitKind.COUNTY_ORG and unit.county_code:
        q |= Q(organization__county_code=unit.county_code)
    return q


def pairings_value(parameter: str, unit, as_of: datetime.date) -> MeasureValue:
    pairings = Pairing.objects.filter(unit_pairings(unit), starts_on__lte=as_of)
    totals = pairing_totals(pairings, as_of.year).total
    rows = (
        pairings.filter(active_in_year_q(as_of.year))
        .select_related("organization", "village", "village__parent")
        .order_by("starts_on", "pk")
    )
    lines = [
        f"{p.organization.name} ↔ {p.village.parent.name if p.village.parent else ''}{p.village.name}"
        f"{'（重点帮扶村）' if p.village.key_village else ''}，{p.starts_on:%Y年%m月}起"
        for p in rows
    ]
    return MeasureValue(
        value=f"在结对 {totals.pairings} 对（重点帮扶村 {totals.key_villages} 个），{as_of.year}年共建项目 "
        f"{totals.projects} 个，投入资金 {totals.funds} 万元，受益 {totals.people_helped} 人",
        lines=lines,
    )


PAIRINGS_MEASURE = Measure(key="pairings.signed", label="结对共建", compute=pairings_value)
