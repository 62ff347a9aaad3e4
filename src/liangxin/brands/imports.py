"""The 品牌/示范点 sheet of `liangxin import_data` (and the import page): one brand per row, as a
unit's 品牌申报表 lists them. Matched on the year's campaign + brand name, so the same file again
changes nothing; every row goes through `services.save_brand` (the page's rules, scope, revisits
and audit)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from liangxin.brands import services
from liangxin.brands.models import Brand, Campaign, Level, Stage
from liangxin.core.importing import Problem, RowReader, SheetImporter
from liangxin.core.models import RegionLevel
from liangxin.core.places import PlaceError, find_place
from liangxin.core.tabular import Column, SheetSpec, choice_parser, parse_date, parse_int, parse_text
from liangxin.core.unitnames import UnitNames
from liangxin.registry.models import Organization
from liangxin.registry.rules import parse_credit_code

SPEC = SheetSpec(
    type="brands",
    label="品牌/示范点",
    columns=[
        Column("year", "申报年度", ("年度",)),
        Column("name", "品牌名称", ("品牌（示范点）名称", "示范点名称", "品牌/示范点名称"), required=True),
        Column("level", "类别", ("品牌类别", "品牌类型"), required=True),
        Column("unit", "申报单位", ("成员单位", "报送单位"), required=True),
        Column("code", "所属组织统一社会信用代码", ("统一社会信用代码", "信用代码")),
        Column("place", "所在区域", ("所在地", "区域")),
        Column("description", "品牌简介", ("简介",)),
        Column("stage", "创建阶段", ("阶段",)),
        Column("named_on", "命名日期", ("命名时间",)),
        Column("evidence", "佐证材料说明", ("佐证材料",)),
    ],
    signature=("name", "level", "unit"),
)
NOTES = {
    "year": "品牌申报的年度；留空为最近一次开启的申报",
    "name": "同一年度内按品牌名称匹配：已登记的品牌按本行修改，重复导入不重复登记",
    "level": "一域一品、一企一品、示范点",
    "unit": "成员单位全称（也可写 市民政局 等常见写法），须是该年度的应申报单位，且由您负责",
    "code": "一企一品填写企业或社会组织的信用代码；不在台账或不在您的管辖范围内时为警告，品牌照常导入",
    "place": "县（市、区）、乡镇（街道）或村（社区）的名称或代码；找不到时为警告",
    "stage": "计划、创建中、已建成、已命名；留空为计划",
    "named_on": "日期；创建阶段为已命名时必填，命名满 6、12 个月时回访",
}
TEMPLATE_TITLE = "品牌与示范点导入模板"
LEVELS = {label: value for value, label in Level.choices}
STAGES = {label: value for value, label in Stage.choices}
PARSE_LEVEL, PARSE_STAGE = choice_parser(LEVELS, "类别"), choice_parser(STAGES, "创建阶段")


class BrandImporter(SheetImporter):
    spec = SPEC
    order = 70  # after the organizations sheet
    template = ("brands:import_template", {})

    def start(self) -> None:
        actor = self.ctx.actor
        user = getattr(actor, "is_authenticated", False)
        self.organizations = Organization.objects.restrict(actor) if user else Organization.objects.all()
        self.units = UnitNames()
        self.campaigns = {c.year: c for c in Campaign.objects.all()}
        self.latest = max(self.campaigns, default=None)
        self.seen: dict[tuple[int, str], int] = {}
        self.today = timezone.localdate()

    def parse(self, r: RowReader):
        year = r.get("year", parse_int, min_value=2000, max_value=2100) if r.has("year") else None
        campaign = self.campaigns.get(year or self.latest) if (year or self.latest) else None
        if campaign is None and not r.problems:
            r.problem("year" if year else None, f"{year or ''}年尚未开启品牌申报，请先由工委办公室开启")
        record: dict[str, Any] = {
            "campaign": campaign,
            "name": r.get("name", parse_text, required=True),
            "level": r.get("level", PARSE_LEVEL, required=True),
            "unit": None,
            "stage": (r.get("stage", PARSE_STAGE) if r.has("stage") else None) or Stage.PLANNED,
            "named_on": r.get("named_on", parse_date) if r.has("named_on") else None,
            "organization": None,
            "region": None,
            **{k: (r.get(k, parse_text) if r.has(k) else "") or "" for k in ("description", "evidence")},
        }
        unit_name = r.get("unit", parse_text, required=True)
        if unit_name:
            try:
                record["unit"] = self.units.one(unit_name)
            except ValueError as exc:
                r.problem("unit", str(exc))
        if record["stage"] == Stage.NAMED and not record["named_on"]:
            r.problem("named_on", "创建阶段为“已命名”时，请填写命名日期")
        if record["stage"] != Stage.NAMED:
            record["named_on"] = None  # only a named brand keeps its date (services.save_brand)
        if record["named_on"] and record["named_on"] > self.today:
            r.problem("named_on", "命名日期不能晚于今天")
        code = r.get("code", parse_credit_code, optional=True) if r.has("code") else None
        if code:
            record["organization"] = self.organizations.filter(credit_code=code).first()
            if record["organization"] is None:
                r.warn(
                    "code", f"统一社会信用代码{code}不在两新组织台账中（或不在您的管辖范围内），未关联组织"
                )
        place = r.get("place", parse_text) if r.has("place") else None
        if place:
            levels = [RegionLevel.COUNTY, RegionLevel.TOWNSHIP, RegionLevel.VILLAGE]
            try:
                record["region"] = find_place(place, levels=levels)
            except PlaceError as exc:
                r.warn("place", f"{exc}，未填入所在区域")
        identity = (campaign.year if campaign else 0, record["name"])
        if record["name"] and identity in self.seen:
            r.problem("name", f"与第 {self.seen[identity]} 行是同一年度的同名品牌，本行未导入")
        elif record["name"]:
            self.seen[identity] = r.row.number
        return record

    def write(self, records) -> None:
        for row, rec in records:
            campaign = rec["campaign"]
            brand = Brand.objects.filter(campaign=campaign, name=rec["name"]).first() or Brand(
                campaign=campaign, name=rec["name"]
            )
            creating = brand.pk is None
            before = _values(brand)
            for f in FIELDS:
                setattr(brand, f, rec[f])
            changed = before != _values(brand)
            try:  # also an unchanged row: the scope and the campaign's units are checked for it
                services.save_brand(brand, actor=self.ctx.actor, source=self.ctx.source)
            except (services.BrandError, PermissionDenied) as exc:
                header = self.match.headers.get("unit") or "申报单位"
                self.report.reject(row, [Problem(row.number, header, str(exc))])
                continue
            outcome = "created" if creating else "updated" if changed else "unchanged"
            setattr(self.report, outcome, getattr(self.report, outcome) + 1)


FIELDS = ("level", "unit", "organization", "region", "description", "stage", "named_on", "evidence")


def _values(brand: Brand) -> list:
    return [getattr(brand, Brand._meta.get_field(f).attname) for f in FIELDS]


IMPORTERS = [BrandImporter]
