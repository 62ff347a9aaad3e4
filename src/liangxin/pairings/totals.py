"""The pairings figures: totals by county, member unit and year, and the 重点帮扶村 without a
pair. The page, the export, `liangxin pairings` and the cockpit all call `pairing_totals`."""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from liangxin.core.models import MemberUnit, Region, RegionLevel
from liangxin.pairings.models import Pairing, PairingProject, active_in_year_q

CITY_LEVEL = "市本级"
NO_UNIT = "未指定主管单位"


@dataclass
class Totals:
    label: str
    pairings: int = 0
    organizations: int = 0
    villages: int = 0
    key_villages: int = 0
    projects: int = 0
    funds: Decimal = Decimal("0")  # 万元
    people_helped: int = 0

    def as_dict(self) -> dict:
        data = asdict(self)
        data["funds"] = str(self.funds)
        return data


@dataclass
class PairingTotals:
    year: int
    total: Totals
    by_county: list[Totals] = field(default_factory=list)
    by_unit: list[Totals] = field(default_factory=list)
    by_year: list[Totals] = field(default_factory=list)
    unpaired_key_villages: list[Region] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "year": self.year,
            **{k: v for k, v in self.total.as_dict().items() if k != "label"},
            "by_county": [t.as_dict() for t in self.by_county],
            "by_unit": [t.as_dict() for t in self.by_unit],
            "by_year": [t.as_dict() for t in self.by_year],
            "key_villages_unpaired": [
                {"code": v.code, "name": v.name, "township": v.parent.name if v.parent else ""}
                for v in self.unpaired_key_villages
            ],
        }


def _fill(row: Totals, pairings: QuerySet, projects: QuerySet) -> Totals:
    counts = pairings.aggregate(
        pairings=Count("pk", distinct=True),
        organizations=Count("organization", distinct=True),
        villages=Count("village", distinct=True),
        key_villages=Count("village", filter=Q(village__key_village=True), distinct=True),
    )
    sums = projects.aggregate(projects=Count("pk"), funds=Sum("funds"), people=Sum("people_helped"))
    row.pairings, row.organizations = counts["pairings"], counts["organizations"]
    row.villages, row.key_villages = counts["villages"], counts["key_villages"]
    row.projects = sums["projects"]
    row.funds = Decimal(sums["funds"] or 0).quantize(Decimal("0.01"))  # SQLite and PostgreSQL alike
    row.people_helped = sums["people"] or 0
    return row


def _projects(pairings: QuerySet, year: int) -> QuerySet:
    return PairingProject.objects.filter(pairing__in=pairings.values("pk"), year=year)


def pairing_totals(
    visible: QuerySet, year: int, *, villages: QuerySet | None = None, as_of: datetime.date | None = None
) -> PairingTotals:
    """Totals of the pairings in `visible` (already restricted to the viewer) running in `year`.
    `villages`: the viewer's visible regions, for the list of key villages without a pair.
    `as_of`: only pairings started by that day (a bulletin's date), for the key villages too."""
    started = Q(starts_on__lte=as_of) if as_of else Q()
    visible = visible.filter(started)
    active = visible.filter(active_in_year_q(year))
    result = PairingTotals(year=year, total=_fill(Totals("合计"), active, _projects(active, year)))
    county_names = dict(Region.objects.filter(level=RegionLevel.COUNTY).values_list("code", "name"))
    for code in sorted(set(active.values_list("organization__county_code", flat=True))):
        part = active.filter(organization__county_code=code)
        label = county_names.get(code, CITY_LEVEL) if code else CITY_LEVEL
        result.by_county.append(_fill(Totals(label), part, _projects(part, year)))
    unit_names = dict(MemberUnit.objects.values_list("pk", "name"))
    for unit_id in sorted(
        set(active.values_list("organization__supervising_unit", flat=True)), key=lambda u: u or 0
    ):
        part = active.filter(organization__supervising_unit=unit_id)
        result.by_unit.append(_fill(Totals(unit_names.get(unit_id, NO_UNIT)), part, _projects(part, year)))
    years = PairingProject.objects.filter(pairing__in=visible.values("pk")).values_list("year", flat=True)
    for y in sorted(set(years) | {year}):
        part = visible.filter(active_in_year_q(y))
        result.by_year.append(_fill(Totals(f"{y}年"), part, _projects(part, y)))
    if villages is not None:
        paired = Pairing.objects.filter(started, active_in_year_q(year)).values("village_id")
        result.unpaired_key_villages = list(
            villages.filter(level=RegionLevel.VILLAGE, key_village=True)
            .exclude(pk__in=paired)
            .select_related("parent")
            .order_by("code")
        )
    return result
