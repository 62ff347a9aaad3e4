"""An industry's 组织覆盖率 as a measure a dispatch task can be linked to (dispatch.measures):
the report of the unit that supervises the industry is prefilled with the figure from the
coverage engine (the one place coverage is counted), by county."""

from __future__ import annotations

import datetime

from django.db.models import Q

from liangxin.core.models import Industry
from liangxin.coverage import engine
from liangxin.dispatch.measures import Measure, MeasureValue
from liangxin.registry.models import Organization


def org_rate_value(section: str, unit, as_of: datetime.date) -> MeasureValue:
    industry = Industry.objects.filter(code=section).first()
    if industry is None:
        return MeasureValue(value=f"行业门类“{section}”不存在")
    table = engine.coverage(
        Organization.objects.all(), as_of=as_of, by="county", filters=Q(industry_section=section)
    )
    t = table.total
    lines = [
        f"{row.name}：{row.total} 家，组织覆盖率 {row.pct(row.covered)}%" for row in table.rows if row.total
    ]
    return MeasureValue(
        value=f"{industry.name}在册 {t.total} 家，单独组建 {t.single} 家、联合组建 {t.joint} 家，"
        f"组织覆盖率 {t.pct(t.covered)}%，应建未建 {t.should_build} 家",
        lines=lines,
    )


def _sections() -> list[tuple[str, str]]:
    return [
        (i.code, f"{i.code} {i.name}")
        for i in Industry.objects.filter(code__regex=r"^[A-T]$").order_by("code")
    ]


ORG_RATE_MEASURE = Measure(
    key="coverage.org_rate", label="行业组织覆盖率", compute=org_rate_value, parameters=_sections
)
