"""Every change to reference data: installation setup, functional areas, member units.

Plain functions, atomic, with an explicit actor; each writes its audit record in the same
transaction.
"""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import dataclass, field
from importlib import resources

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from liangxin.core import audit, effects
from liangxin.core.models import (
    Area,
    AuditLog,
    Industry,
    Installation,
    MemberUnit,
    MemberUnitKind,
    Region,
    RegionLevel,
)
from liangxin.core.roles import Role


class SetupError(Exception):
    """A setup problem with a Chinese message for the person running it."""


@dataclass
class SetupReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, created: int = 0, updated: int = 0) -> None:
        self.created[kind] = self.created.get(kind, 0) + created
        self.updated[kind] = self.updated.get(kind, 0) + updated

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values())


def _data_rows(*parts: str) -> list[dict[str, str]]:
    path = resources.files("liangxin.data").joinpath(*parts)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def normalize_city_code(code: str) -> str:
    """Accept 360800, 3608 or 360800000000 and return the 4-digit prefix (3608)."""
    code = (code or "").strip()
    if not code.isdigit():
        raise SetupError(f"城市代码“{code}”应为数字，例如吉安市为 360800")
    if len(code) == 4:
        return code
    if len(code) in (6, 12) and code[4:] == "0" * (len(code) - 4) and code[2:4] != "00":
        return code[:4]
    raise SetupError(f"城市代码“{code}”不是地级市的行政区划代码，应为 6 位且以 00 结尾，例如吉安市为 360800")


def _region_rows(city4: str) -> list[dict]:
    """The city, its counties and townships, with ancestor codes, parents before children."""
    cities = {row["code"]: row for row in _data_rows("division", "cities.csv")}
    if city4 not in cities:
        raise SetupError(
            f"未找到城市代码 {city4}00，请核对《统计用区划代码》中的地级市代码（例如吉安市为 360800）"
        )
    city = cities[city4]
    province_code = city["provinceCode"]
    provinces = {row["code"]: row["name"] for row in _data_rows("division", "provinces.csv")}
    p6, c6 = f"{province_code}0000", f"{city4}00"
    rows = [
        {
            "code": p6,
            "name": provinces[province_code],
            "level": RegionLevel.PROVINCE,
            "parent": None,
            "province_code": p6,
            "city_code": "",
            "county_code": "",
            "township_code": "",
        },
        {
            "code": c6,
            "name": city["name"],
            "level": RegionLevel.CITY,
            "parent": p6,
            "province_code": p6,
            "city_code": c6,
            "county_code": "",
            "township_code": "",
        },
    ]
    counties = [row for row in _data_rows("division", "areas.csv") if row["cityCode"] == city4]
    county_codes = {row["code"] for row in counties}
    for row in counties:
        rows.append(
            {
                "code": row["code"],
                "name": row["name"],
                "level": RegionLevel.COUNTY,
                "parent": c6,
                "province_code": p6,
                "city_code": c6,
                "county_code": row["code"],
                "township_code": "",
            }
        )
    for row in _data_rows("division", "streets.csv"):
        if row["cityCode"] == city4 and row["areaCode"] in county_codes:
            rows.append(
                {
                    "code": row["code"],
                    "name": row["name"],
                    "level": RegionLevel.TOWNSHIP,
                    "parent": row["areaCode"],
                    "province_code": p6,
                    "city_code": c6,
                    "county_code": row["areaCode"],
                    "township_code": row["code"],
                }
            )
    return rows


def _village_rows(city4: str, townships: set[str]) -> list[dict]:
    """The 村/社区 of the city's townships, from the shipped `villages.csv.gz` (code, name)."""
    path = resources.files("liangxin.data").joinpath("division", "villages.csv.gz")
    rows = []
    with path.open("rb") as raw, io.TextIOWrapper(gzip.GzipFile(fileobj=raw), encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code = row["code"]
            if code.startswith(city4) and code[:9] in townships:
                rows.append({"code": code, "name": row["name"]})
    return rows


def load_villages(city: Region, report: SetupReport) -> None:
    """Villages and communities in bulk (about 3,000 for a city): one query to read, one to add."""
    townships = {r.code: r for r in Region.objects.filter(city_code=city.code, level=RegionLevel.TOWNSHIP)}
    rows = _village_rows(city.code[:4], set(townships))
    existing = {r.code: r for r in Region.objects.filter(city_code=city.code, level=RegionLevel.VILLAGE)}
    new, renamed = [], []
    for row in rows:
        village = existing.get(row["code"])
        if village is not None:
            if village.name != row["name"]:
                village.name = row["name"]
                renamed.append(village)
            continue
        township = townships[row["code"][:9]]
        village = Region(code=row["code"], name=row["name"], level=RegionLevel.VILLAGE, parent=township)
        village.copy_ancestor_codes(township)
        new.append(village)
    Region.objects.bulk_create(new, batch_size=500)
    Region.objects.bulk_update(renamed, ["name"], batch_size=500)
    report.add("村（社区）", len(new), len(renamed))


def load_regions(city4: str, rows: list[dict], report: SetupReport) -> Region:
    existing = {r.code: r for r in Region.objects.all()}
    by_code: dict[str, Region] = {}
    created = updated = 0
    for row in rows:
        parent = by_code.get(row.pop("parent") or "")
        region = existing.get(row["code"])
        if region is None:
            region = Region.objects.create(parent=parent, **row)
            created += 1
        else:
            dirty = [k for k, v in row.items() if getattr(region, k) != v]
            if region.parent_id != (parent.pk if parent else None):
                region.parent = parent
                dirty.append("parent")
            if dirty:
                for k in dirty:
                    if k != "parent":
                        setattr(region, k, row[k])
                region.save(update_fields=dirty)
                updated += 1
        by_code[region.code] = region
    report.add("行政区划", created, updated)
    return by_code[f"{city4}00"]


def load_industries(report: SetupReport) -> None:
    existing = {i.code: i for i in Industry.objects.all()}
    created = updated = 0
    for row in _data_rows("industries.csv"):
        industry = existing.get(row["code"])
        if industry is None:
            Industry.objects.create(code=row["code"], name=row["name"], section=row["section"])
            created += 1
        elif (industry.name, industry.section) != (row["name"], row["section"]):
            industry.name, industry.section = row["name"], row["section"]
            industry.save()
            updated += 1
    report.add("国民经济行业", created, updated)


# The committee named in the speech, with the industries (GB/T 4754 codes) and key groups
# each supervises by default. An administrator edits them afterwards; setup never overwrites.
DEFAULT_MEMBER_UNITS: list[tuple[str, list[str], list[str]]] = [
    ("市场监管局", [], ["个体私营企业"]),
    ("民政局", [], ["社会组织", "行业协会商会"]),
    ("交通运输局", ["53", "54", "55", "56", "57", "58"], ["网约车", "货运"]),
    ("邮政管理局", ["60"], ["快递"]),
    ("司法局", [], ["律师事务所"]),
    ("财政局", [], ["会计师事务所", "资产评估机构"]),
    ("税务局", [], ["税务师事务所"]),
    ("工商联", [], ["规上民营企业"]),
    ("商务局", ["51", "52", "61", "62"], ["外卖", "商圈市场"]),
    ("工信局", [f"{n:02d}" for n in range(13, 44)], ["产业链头部企业", "专精特新“小巨人”"]),
    ("科技局", ["73", "74", "75"], ["科技领航企业"]),
    ("网信办", ["64"], ["网络直播平台"]),
]


def county_org_unit_name(county: Region) -> str:
    return f"{county.name}委组织部"


def load_member_units(city: Region, report: SetupReport) -> None:
    names = set(MemberUnit.objects.values_list("name", flat=True))
    industries = {i.code: i for i in Industry.objects.all()}
    created = 0
    for sort, (name, industry_codes, tags) in enumerate(DEFAULT_MEMBER_UNITS, start=1):
        if name in names:
            continue
        unit = MemberUnit(name=name, kind=MemberUnitKind.DEPARTMENT, tags=tags, sort=sort * 10)
        unit.copy_ancestor_codes(city)
        unit.region = city
        unit.save()
        unit.industries.set([industries[c] for c in industry_codes if c in industries])
        created += 1
    counties = Region.objects.filter(parent=city, level=RegionLevel.COUNTY).order_by("code")
    for sort, county in enumerate(counties, start=1):
        name = county_org_unit_name(county)
        if name in names:
            continue
        unit = MemberUnit(name=name, kind=MemberUnitKind.COUNTY_ORG, region=county, sort=1000 + sort)
        unit.copy_ancestor_codes(county)
        unit.save()
        created += 1
    report.add("成员单位", created, 0)


@transaction.atomic
def setup_installation(city_code: str, *, actor=None, source: str = "command") -> tuple[Region, SetupReport]:
    """Load the city's region tree, the industry table and the default committee. Idempotent."""
    city4 = normalize_city_code(city_code)
    region_rows = _region_rows(city4)  # fails first on a code that is not in the table
    current = Installation.current_city()
    if current is not None and current.code != f"{city4}00":
        raise SetupError(
            f"本系统已为{current.name}（{current.code}）安装，不能改为其他城市；如需更换，请使用新的数据库"
        )
    report = SetupReport()
    city = load_regions(city4, region_rows, report)
    load_villages(city, report)
    load_industries(report)
    if current is None:
        Installation.objects.create(city=city)
        report.add("安装信息", 1, 0)
    load_member_units(city, report)
    if report.changed:
        effects.figures_changed()  # after commit: the cockpit warm-up
        audit.record(
            "core.installation.setup",
            actor=actor,
            obj=city,
            source=source,
            after={"created": report.created, "updated": report.updated},
        )
    return city, report


def _check_area_region(region: Region) -> None:
    if region.level not in (RegionLevel.COUNTY, RegionLevel.TOWNSHIP, RegionLevel.CITY):
        raise ValidationError({"region": "功能区只能设在市、县（市、区）或乡镇（街道）下"})


@transaction.atomic
def create_area(*, actor, name: str, kind: str, region: Region, note: str = "") -> Area:
    _check_area_region(region)
    area = Area(name=name, kind=kind, region=region, note=note)
    area.copy_ancestor_codes(region)
    area.full_clean()
    area.save()
    effects.figures_changed()  # after commit: the cockpit warm-up
    audit.record("core.area.created", actor=actor, obj=area, after=audit.snapshot(area))
    return area


@transaction.atomic
def update_area(area: Area, *, actor, **changes) -> Area:
    before = audit.snapshot(Area.objects.get(pk=area.pk))  # a bound form may have changed `area`
    for key, value in changes.items():
        setattr(area, key, value)
    _check_area_region(area.region)
    area.copy_ancestor_codes(area.region)
    area.full_clean()
    area.save()
    b, a = audit.changed(before, audit.snapshot(area))
    if a:
        effects.figures_changed()  # after commit: the cockpit warm-up
        audit.record("core.area.updated", actor=actor, obj=area, before=b, after=a)
    return area


@transaction.atomic
def delete_area(area: Area, *, actor) -> None:
    before = audit.snapshot(area)
    effects.figures_changed()  # after commit: the cockpit warm-up
    audit.record("core.area.deleted", actor=actor, obj=area, before=before)
    area.delete()


def _unit_snapshot(unit: MemberUnit) -> dict:
    data = audit.snapshot(unit)
    data["industries"] = sorted(unit.industries.values_list("code", flat=True)) if unit.pk else []
    return data


# What a member unit's users see beyond their own rows (core/scoping.py): only the office (or
# a command on the server) changes it. The system administrator configures, it does not widen
# anyone's jurisdiction (三员分立).
# Its kind and region decide it too: a county sees the tasks and reports of the units in its
# region (dispatch's `unit__<level>_code` rules), and a county 组织部's field is its county.
UNIT_SCOPE_FIELDS = ("industries", "tags", "kind", "region")
UNIT_SCOPE_EDITORS = frozenset({Role.OFFICE})
UNIT_SCOPE_REFUSED = (
    "主管行业、重点群体标签、单位类型和所在区划决定谁能看到哪些组织和任务，只能由工委办公室修改（三员分立）"
)


def _unit_scope(unit: MemberUnit | None, industries=None) -> dict:
    """What of `unit` decides a scope; a unit not yet saved decides nothing (a department with
    no region, industries or tags)."""
    if unit is None:
        return {"industries": [], "tags": [], "kind": MemberUnitKind.DEPARTMENT, "region": None}
    return {
        "industries": sorted(i.code for i in industries)
        if industries is not None
        else (sorted(unit.industries.values_list("code", flat=True)) if unit.pk else []),
        "tags": sorted(unit.tags or []),
        "kind": unit.kind,
        "region": unit.region_id,
    }


def save_member_unit(unit: MemberUnit, *, actor, industries=None) -> MemberUnit:
    """Create or update a member unit (the form has set its fields). A change of what decides
    its users' scope by anyone but the office is refused and audited."""
    if actor is not None and getattr(actor, "role", None) not in UNIT_SCOPE_EDITORS:
        stored = MemberUnit.objects.filter(pk=unit.pk).first() if unit.pk else None
        before = _unit_scope(stored)
        after = (
            _unit_scope(unit, industries)
            if industries is not None
            else _unit_scope(unit) | {"industries": before["industries"]}
        )
        if before != after:
            audit.record(
                "core.member_unit.change_refused",
                actor=actor,
                obj=stored,
                object_type="core.memberunit",
                object_repr=unit.name,
                before=before,
                after=after,
                result=AuditLog.Result.FAILURE,
                message=UNIT_SCOPE_REFUSED,
            )
            raise PermissionDenied(UNIT_SCOPE_REFUSED)
    return _save_member_unit(unit, actor=actor, industries=industries)


@transaction.atomic
def _save_member_unit(unit: MemberUnit, *, actor, industries=None) -> MemberUnit:
    creating = unit.pk is None
    before = {} if creating else _unit_snapshot(MemberUnit.objects.get(pk=unit.pk))
    unit.copy_ancestor_codes(unit.region)
    unit.full_clean()
    unit.save()
    if industries is not None:
        unit.industries.set(industries)
    b, a = audit.changed(before, _unit_snapshot(unit))
    if creating:
        audit.record("core.member_unit.created", actor=actor, obj=unit, after=a)
    elif a:
        audit.record("core.member_unit.updated", actor=actor, obj=unit, before=b, after=a)
    return unit
