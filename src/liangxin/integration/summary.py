"""Summaries of the assessments — by county, industry section, supervising member unit or
行业（综合）党委 (the organizations in its field): organizations assessed, the average of each
dimension, the weakest dimension, the change from last year. The page, the export, `liangxin
integration` and the dispatch measure call `summarize`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Q, QuerySet

from liangxin.core.models import Industry, MemberUnit, MemberUnitKind, Region, RegionLevel
from liangxin.dispatch.measures import Measure, MeasureValue
from liangxin.integration.models import DIMENSIONS, SHORT, Assessment

BY = {
    "region": "organization__county_code",
    "industry": "organization__industry_section",
    "unit": "organization__supervising_unit",
}
BY_LABELS = {
    "region": "县（市、区）",
    "industry": "行业门类",
    "unit": "主管成员单位",
    "committee": "行业（综合）党委",
}
CITY_LEVEL, NOT_GIVEN = "市本级", "未填写"
TWO = Decimal("0.01")


def _avg(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(TWO, ROUND_HALF_UP)


@dataclass
class Row:
    key: str
    label: str
    assessed: int = 0
    averages: dict[str, Decimal | None] = field(default_factory=dict)  # dimension key -> average
    overall: Decimal | None = None  # the mean of the five averages
    previous_assessed: int | None = None
    previous_overall: Decimal | None = None

    @property
    def average_list(self) -> list[Decimal | None]:
        return [self.averages.get(k) for k, _ in DIMENSIONS]

    @property
    def weakest(self) -> str | None:
        """The dimension with the lowest average (the first in the speech's order on a tie)."""
        present = [
            (v, i, k) for i, (k, _) in enumerate(DIMENSIONS) if (v := self.averages.get(k)) is not None
        ]
        return min(present)[2] if present else None

    @property
    def weakest_label(self) -> str:
        return SHORT.get(self.weakest or "", "—")

    @property
    def change(self) -> Decimal | None:
        if self.overall is None or self.previous_overall is None:
            return None
        return self.overall - self.previous_overall

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "name": self.label,
            "assessed": self.assessed,
            "averages": {SHORT[k]: (str(v) if v is not None else None) for k, v in self.averages.items()},
            "overall": str(self.overall) if self.overall is not None else None,
            "weakest": SHORT.get(self.weakest or "") if self.weakest else None,
            "previous_assessed": self.previous_assessed,
            "change": str(self.change) if self.change is not None else None,
        }


@dataclass
class Summary:
    year: int
    by: str
    total: Row
    rows: list[Row]

    def as_json(self) -> dict:
        return {
            "year": self.year,
            "by": self.by,
            "total": self.total.as_dict(),
            "rows": [r.as_dict() for r in self.rows],
        }


def _aggregate(queryset: QuerySet, group: str | None) -> dict:
    aggregates = {"assessed": Count("pk"), **{k: Avg(k) for k, _ in DIMENSIONS}}
    if group is None:
        return {"": queryset.aggregate(**aggregates)}
    return {
        ("" if row[group] is None else str(row[group])): row
        for row in queryset.values(group).order_by(group).annotate(**aggregates)
    }


def _fill(row: Row, data: dict | None, previous: dict | None) -> Row:
    if data and data["assessed"]:
        row.assessed = data["assessed"]
        row.averages = {k: _avg(data[k]) for k, _ in DIMENSIONS}
        row.overall = _avg(sum(Decimal(str(data[k])) for k, _ in DIMENSIONS) / 5)
    else:
        row.averages = {k: None for k, _ in DIMENSIONS}
    if previous and previous["assessed"]:
        row.previous_assessed = previous["assessed"]
        row.previous_overall = _avg(sum(Decimal(str(previous[k])) for k, _ in DIMENSIONS) / 5)
    return row


def _labels(by: str) -> dict[str, str]:
    if by == "region":
        return dict(Region.objects.filter(level=RegionLevel.COUNTY).values_list("code", "name"))
    if by == "industry":
        return dict(Industry.objects.filter(code__regex=r"^[A-T]$").values_list("code", "name"))
    return {str(pk): name for pk, name in MemberUnit.objects.values_list("pk", "name")}


def summarize(
    visible: QuerySet, year: int, by: str = "region", *, as_of: datetime.date | None = None
) -> Summary:
    """`visible`: the assessments the viewer may see (restricted already); with `as_of`, only
    those made by that day (the bulletin's figures for its month)."""
    if by not in BY_LABELS:
        raise ValueError(
            f"分组方式“{by}”无效，应为 region（县区）、industry（行业）、unit（成员单位）或 committee（行业党委）"
        )
    if as_of is not None:
        visible = visible.filter(assessed_on__lte=as_of)
    current, previous = visible.filter(year=year), visible.filter(year=year - 1)
    total = _fill(Row("", "合计"), _aggregate(current, None)[""], _aggregate(previous, None)[""])
    if by == "committee":
        end = datetime.date(year, 12, 31)
        day = min(as_of, end) if as_of else end
        return Summary(year=year, by=by, total=total, rows=_committee_rows(current, previous, day))
    now, before = _aggregate(current, BY[by]), _aggregate(previous, BY[by])
    labels = _labels(by)
    empty = CITY_LEVEL if by == "region" else NOT_GIVEN
    rows = [
        _fill(Row(key, labels.get(key, empty) if key else empty), now.get(key), before.get(key))
        for key in sorted(set(now) | set(before), key=lambda k: (k == "", k.zfill(12)))
    ]
    return Summary(year=year, by=by, total=total, rows=rows)


def _committee_rows(current: QuerySet, previous: QuerySet, day: datetime.date) -> list[Row]:
    """A row per 行业（综合）党委 existing on `day`: the assessments of the organizations in its
    field (its industries or groups, within its areas — `committee.figures.committee_field_q`,
    the rule its own page counts by). An organization in two committees' fields is in both rows;
    the total counts it once. Committees without an assessment this year or last are left out."""
    from liangxin.committee.figures import active_committees, committee_field_q
    from liangxin.registry.models import Organization

    rows = []
    for committee in active_committees(day):
        field_orgs = Organization.objects.filter(committee_field_q(committee)).values("pk")
        now = _aggregate(current.filter(organization__in=field_orgs), None)[""]
        before = _aggregate(previous.filter(organization__in=field_orgs), None)[""]
        if now["assessed"] or before["assessed"]:
            rows.append(_fill(Row(str(committee.pk), committee.name), now, before))
    return rows


def unit_assessments(unit) -> Q:
    """The assessments a unit answers for: of the organizations it supervises; a county's
    organization department also those of its county (the linked task's measure, 年度考核)."""
    q = Q(organization__supervising_unit=unit)
    if unit.kind == MemberUnitKind.COUNTY_ORG and unit.county_code:
        q |= Q(organization__county_code=unit.county_code)
    return q


def assessed_value(parameter: str, unit, as_of) -> MeasureValue:
    """The measure behind a linked task: the organizations the unit answers for (those it
    supervises; a county's organization department: its county) assessed this year."""
    visible = Assessment.objects.filter(unit_assessments(unit), assessed_on__lte=as_of)
    summary = summarize(visible, as_of.year, "region")
    t = summary.total
    rows = visible.filter(year=as_of.year).select_related("organization").order_by("organization__name")
    lines = [
        f"{a.organization.name}：{'、'.join(str(s) for s in a.scores)}（合计 {a.total} 分）" for a in rows
    ]
    weakest = f"，最薄弱的是{t.weakest_label}" if t.weakest else ""
    return MeasureValue(
        value=f"{as_of.year}年已评估 {t.assessed} 个组织，五项平均 {t.overall or '—'} 分{weakest}",
        lines=lines,
    )


ASSESSED_MEASURE = Measure(key="integration.assessed", label="五融入五提升评估", compute=assessed_value)
