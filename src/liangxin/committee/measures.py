"""“行业（综合）党委成立情况” as a measure a dispatch task can be linked to (dispatch.measures):
the unit's report is prefilled with the committees it runs (a county's organization
department: those of its county) existing on the date, and — for a department that supervises
industries or key groups and runs none — the 应成立未成立 finding of `figures.missing`."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q

from liangxin.committee.figures import active_committees, industry_codes, missing
from liangxin.committee.models import IndustryCommittee
from liangxin.core.models import MemberUnitKind
from liangxin.coverage import engine
from liangxin.dispatch.measures import Measure, MeasureValue


def unit_committees(unit) -> Q:
    """The committees a unit answers for: those it runs; a county's organization department
    also those set up in its county."""
    q = Q(party_org__owner_unit=unit)
    if unit.kind == MemberUnitKind.COUNTY_ORG and unit.county_code:
        q |= Q(party_org__county_code=unit.county_code)
    return q


def committees_value(parameter: str, unit, as_of: datetime.date) -> MeasureValue:
    committees = list(
        active_committees(as_of, IndustryCommittee.objects.filter(unit_committees(unit))).annotate(
            branches=Count(
                "party_org__children", filter=engine.party_org_active_q(as_of, "party_org__children__")
            )
        )
    )
    lines = []
    for c in committees:
        founded = c.party_org.founded_on or c.party_org.recorded_on
        served = "、".join([*industry_codes(c), *c.tags]) or "未设定"
        lines.append(
            f"{c.name}（{founded:%Y年%m月}成立，服务行业/群体：{served}，下设党组织 {c.branches} 个）"
        )
    if committees:
        return MeasureValue(value=f"已成立行业（综合）党委 {len(committees)} 个", lines=lines)
    if any(m.unit.pk == unit.pk for m in missing(as_of)):
        return MeasureValue(value="本单位主管的行业或重点群体尚未成立行业（综合）党委（应成立未成立）")
    return MeasureValue(value="本单位没有行业（综合）党委")


COMMITTEES_MEASURE = Measure(
    key="committee.set_up", label="行业（综合）党委成立情况", compute=committees_value
)
