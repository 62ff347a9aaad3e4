"""The one definition of a valid organization row, shared by the import and the edit form.

`COLUMNS` declares the importable columns with their accepted header variants; `parse_row`
turns one row (read through a `RowReader`, or the form's equivalent) into a record dict holding
only the columns the row provides, so that a file without an 地址 column leaves addresses alone.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from liangxin.core.models import Area, Industry, Installation, MemberUnit, Region, RegionLevel
from liangxin.core.places import PlaceError, find_place
from liangxin.core.tabular import (
    Column,
    SheetSpec,
    ValueProblem,
    clean_credit_codes,
    credit_code_division,
    credit_code_kind,
    credit_code_problem,
    is_empty,
    normalize_credit_code,
    parse_bool,
    parse_date,
    parse_int,
    parse_list,
    parse_phone,
    parse_text,
    plain_mobiles,
    plain_text_column,
)
from liangxin.core.unitnames import UnitNames
from liangxin.registry.models import OrgKind, RegStatus

COLUMNS = [
    Column("credit_code", "统一社会信用代码", ("信用代码", "社会信用代码", "统一信用代码"), required=True),
    Column("name", "组织名称", ("单位名称", "企业名称", "机构名称", "组织全称"), required=True),
    Column("kind", "组织类别", ("组织类型", "类别", "单位类型")),
    Column("region", "所属区划", ("所属区域", "所在地区", "区划", "区划代码")),
    Column("county", "区县", ("县（市、区）", "所属区县", "县市区", "县区")),
    Column("township", "乡镇（街道）", ("乡镇", "街道", "所属乡镇", "乡镇街道")),
    Column("area", "所属园区", ("园区", "楼宇", "功能区", "所属功能区", "商圈市场")),
    Column("industry", "所属行业", ("行业", "行业代码", "行业门类", "国民经济行业")),
    Column("founded_on", "成立日期", ("成立时间", "注册日期", "登记日期")),
    Column("status", "登记状态", ("经营状态", "状态")),
    Column("employees", "从业人员数", ("从业人员", "职工人数", "员工人数", "职工数")),
    Column("party_members", "正式党员数", ("党员数", "党员人数", "正式党员")),
    Column("probationary_members", "预备党员数", ("预备党员",)),
    Column("above_scale", "是否规上", ("是否规上企业", "规上企业", "规上")),
    Column("tags", "重点标签", ("标签", "重点类别")),
    Column("supervising_unit", "主管单位", ("行业主管部门", "业务主管单位", "主管部门")),
    Column("address", "地址", ("住所", "注册地址", "经营地址")),
    Column("contact", "联系人", ("负责人",)),
    Column("phone", "联系电话", ("电话", "手机")),
]

COLUMN_NOTES = {
    "credit_code": "18 位统一社会信用代码；全角、小写、空格会自动纠正；同一文件内重复的以先出现的为准",
    "name": "组织全称",
    "kind": "非公企业 或 社会组织；留空时由信用代码第 1–2 位判断（91 企业；51/52/53/59 社会组织；31 律师事务所）。"
    "个体工商户（92）、农民专业合作社（93）、国有/集体企业不纳入",
    "region": "本市县（市、区）或乡镇（街道）的名称或代码；也可分别填写“区县”“乡镇（街道）”两列；"
    "市本级登记的组织填“市本级”；都不填时按信用代码第 3–8 位的登记机关确定（本市代码即市本级）",
    "county": "县（市、区）名称或代码",
    "township": "乡镇（街道）名称或代码",
    "area": "已在系统中登记的园区、商务楼宇或商圈市场名称；找不到时该项不导入并给出警告",
    "industry": "国民经济行业分类代码，如 C、C39、3911，或门类名称如“制造业”",
    "founded_on": "如 2019-03-05、2019/3/5、2019.03.05、2019年3月5日、20190305",
    "status": "存续、在业、迁出、注销、吊销；留空为存续",
    "employees": "整数，可带千分位或“人”",
    "party_members": "整数，不能为负数",
    "probationary_members": "整数，不能为负数",
    "above_scale": "是/否、√/×、Y/N、1/0",
    "tags": "多个用顿号、逗号或分号分隔，如 专精特新“小巨人”、产业链头部企业",
    "supervising_unit": "“两新”工委成员单位名称，如 市场监管局、民政局（也可写 市市场监管局）；"
    "找不到时该项不导入并给出警告",
    "address": "最多 255 字",
    "contact": "最多 50 字",
    "phone": "11 位手机号或带区号的固定电话；导出文件中打了星号的号码重新导入时保持不变；"
    "无法识别的号码不导入并给出警告，该组织其余内容照常导入",
}

# Fields that decide no figure: a bad value is a warning and the row is imported without it.
WARN_ONLY = frozenset({"area", "supervising_unit", "address", "contact", "phone"})

SPEC = SheetSpec(type="organizations", label="两新组织", columns=COLUMNS, signature=("credit_code", "name"))

STATUS_WORDS = {
    "存续": RegStatus.ACTIVE,
    "在营": RegStatus.ACTIVE,
    "在册": RegStatus.ACTIVE,
    "正常": RegStatus.ACTIVE,
    "在业": RegStatus.OPERATING,
    "开业": RegStatus.OPERATING,
    "营业": RegStatus.OPERATING,
    "迁出": RegStatus.MOVED_OUT,
    "注销": RegStatus.CANCELLED,
    "撤销": RegStatus.CANCELLED,
    "吊销": RegStatus.REVOKED,
}
SOCIAL_WORDS = (
    "社会组织",
    "社会团体",
    "民办非企业",
    "社会服务机构",
    "基金会",
    "律师事务所",
    "行业协会",
    "商会",
)
ENTERPRISE_WORDS = (
    "非公企业",
    "民营企业",
    "私营企业",
    "有限责任公司",
    "股份有限公司",
    "外资企业",
    "合伙企业",
    "个人独资企业",
    "港澳台",
)
OUT_OF_SCOPE_WORDS = {
    "国有": "国有企业",
    "国企": "国有企业",
    "集体": "集体企业",
    "个体": "个体工商户",
    "合作社": "农民专业合作社",
}


@dataclass(eq=False)  # hashed by identity: parsers take it as an argument and are memoized
class Lookups:
    """Reference tables loaded once per import or form: names and codes to ids."""

    city: Region
    regions_by_code: dict[str, Region] = field(default_factory=dict)
    regions_by_name: dict[str, list[Region]] = field(default_factory=dict)
    areas: dict[str, Area] = field(default_factory=dict)
    industries: dict[str, Industry] = field(default_factory=dict)
    industry_names: dict[str, str] = field(default_factory=dict)
    units: dict[str, MemberUnit] = field(default_factory=dict)  # by name (what a forked reader sends)
    unit_names: UnitNames | None = None

    @classmethod
    def load(cls) -> Lookups:
        city = Installation.current_city()
        if city is None:
            raise ValueProblem("系统尚未初始化城市，请先运行 liangxin setup --city 城市代码")
        lookups = cls(city=city)
        for region in (
            Region.objects.filter(city_code=city.code)
            .exclude(level__in=[RegionLevel.CITY, RegionLevel.VILLAGE])
            .select_related("parent")
        ):
            lookups.regions_by_code[region.code] = region
            lookups.regions_by_name.setdefault(region.name, []).append(region)
            if region.level == RegionLevel.TOWNSHIP:
                county = region.parent
                lookups.regions_by_name.setdefault(f"{county.name}{region.name}", []).append(region)
        lookups.areas = {a.name: a for a in Area.objects.filter(city_code=city.code).select_related("region")}
        for industry in Industry.objects.all():
            lookups.industries[industry.code] = industry
            lookups.industry_names[industry.name] = industry.code
        lookups.unit_names = UnitNames()
        lookups.units = {unit.name: unit for unit in lookups.unit_names.units}
        return lookups


def parse_credit_code(value: Any) -> str:
    code = normalize_credit_code(parse_text(value) or "")
    problem = credit_code_problem(code)
    if problem:
        raise ValueProblem(problem)
    return code


def derive_kind(code: str, written: str | None) -> str:
    """非公企业 or 社会组织 from the code (domain.md §5); the 组织类别 column decides only when the
    code does not, and marks state-owned or collective enterprises, which are out of scope."""
    words = (written or "").strip()
    for word, label in OUT_OF_SCOPE_WORDS.items():
        if word in words and "非公" not in words and "民营" not in words:
            raise ValueProblem(f"{label}不属于“两新”组织，不纳入台账")
    kind = credit_code_kind(code)
    if kind == "individual":
        raise ValueProblem("信用代码第 1–2 位为 92（个体工商户），个体工商户不属于“两新”组织，不纳入台账")
    if kind == "coop" and not settings.LIANGXIN_INCLUDE_COOPERATIVES:
        raise ValueProblem("信用代码第 1–2 位为 93（农民专业合作社），不属于“两新”组织，不纳入台账")
    if kind == "enterprise":
        return OrgKind.ENTERPRISE
    if kind == "social":
        return OrgKind.SOCIAL
    if any(w in words for w in SOCIAL_WORDS):
        return OrgKind.SOCIAL
    if any(w in words for w in ENTERPRISE_WORDS) or words == "企业":
        return OrgKind.ENTERPRISE
    raise ValueProblem(
        f"无法从信用代码（第 1–2 位为 {code[:2]}）判断组织类别，请在“组织类别”列填写“非公企业”或“社会组织”"
    )


def city_level_names(city: Region) -> set[str]:
    """How a ledger writes the city itself (市本级, domain.md §8)."""
    return {"市本级", "市直", f"{city.name}本级", f"{city.name}市直", city.name, city.code}


def find_region(
    value: Any, lookups: Lookups, *, level: str | None = None, within: Region | None = None
) -> Region:
    text = re.sub(r"\s+", "", parse_text(value) or "")
    if level is None and within is None and text in city_level_names(lookups.city):
        return lookups.city  # registered at the city level: the city's own organizations
    if text.isdigit():
        text = text[:9] if len(text) == 12 and text.endswith("000") else text
        region = lookups.regions_by_code.get(text) or _village_township(text, lookups, level)
        if region is None:
            raise ValueProblem(
                f"区划代码“{text}”不在{lookups.city.name}，请填写本市的县（市、区）或乡镇（街道）代码"
            )
        candidates = [region]
    else:
        candidates = lookups.regions_by_name.get(text, [])
        if not candidates and not text.startswith(lookups.city.name):
            candidates = lookups.regions_by_name.get(text.removeprefix(lookups.city.name), [])
        if not candidates and (township := _village_township(text, lookups, level, within)):
            candidates = [township]
    if level:
        candidates = [r for r in candidates if r.level == level]
    if within is not None:
        candidates = [r for r in candidates if r.county_code == within.code]
    if not candidates:
        raise ValueProblem(
            f"在{lookups.city.name}找不到区划“{text}”，请填写本市的县（市、区）或乡镇（街道）名称或代码"
        )
    if len(candidates) > 1:
        raise ValueProblem(f"区划名称“{text}”在本市有多个，请填写区划代码，或写成“县（市、区）名称+乡镇名称”")
    return candidates[0]


def _village_township(text: str, lookups: Lookups, level: str | None, within: Region | None = None):
    """A village or community written where the registry asks for a place: the organization is
    filed under the village's township (the registry's finest level); None when it is no village."""
    if level not in (None, RegionLevel.TOWNSHIP):
        return None
    try:
        village = find_place(text, levels=[RegionLevel.VILLAGE], within=within, city=lookups.city)
    except PlaceError:
        return None
    return lookups.regions_by_code.get(village.township_code)


def parse_industry(value: Any, lookups: Lookups) -> tuple[str | None, str, str]:
    """(大类 code or None, 门类 letter, the code as written) from `C`, `C39`, `39`, `3911`, `C3911`
    or a name such as 制造业."""
    text = re.sub(r"\s+", "", parse_text(value) or "").upper()
    name_code = lookups.industry_names.get(text)
    if name_code:
        text = name_code
    match = re.fullmatch(r"([A-T])?(\d{2,4})?", text)
    if not match or not text:
        raise ValueProblem(
            f"无法识别的行业“{text}”，请填写国民经济行业分类（GB/T 4754-2017）代码如 C39，或门类名称如“制造业”"
        )
    letter, digits = match.groups()
    division = digits[:2] if digits else None
    if division:
        industry = lookups.industries.get(division)
        if industry is None:
            raise ValueProblem(f"行业代码“{text}”中的大类“{division}”不存在，请核对 GB/T 4754-2017")
        if letter and industry.section != letter:
            raise ValueProblem(
                f"行业代码“{text}”的门类与大类不符：大类 {division} 属于门类 {industry.section}"
            )
        return division, industry.section, digits
    return None, letter, letter


def parse_status(value: Any) -> str:
    text = parse_text(value) or ""
    for word, status in STATUS_WORDS.items():
        if word in text:
            return status
    raise ValueProblem(f"无法识别的登记状态“{text}”，请填写 存续、在业、迁出、注销 或 吊销")


def find_unit(value: Any, lookups: Lookups) -> MemberUnit:
    try:
        return lookups.unit_names.one(parse_text(value) or "")
    except ValueError as exc:
        raise ValueProblem(str(exc)) from None


def find_area(value: Any, lookups: Lookups) -> Area:
    text = parse_text(value) or ""
    area = lookups.areas.get(text)
    if area is None:
        raise ValueProblem(f"找不到功能区“{text}”，请先在“行政区划与功能区”中添加该园区、楼宇或市场")
    return area


def _masked(raw: Any) -> bool:
    """A masked value (138****5678, 张**, from an export or a form) means “unchanged”."""
    return "*" in str(raw or "")


def _cut(limit: int, what: str = "内容"):
    def check(text: str) -> str:
        if len(text) > limit:
            raise ValueProblem(f"{what}过长（{len(text)} 字），最多 {limit} 字")
        return text

    return check


NAME_MAX, ADDRESS_MAX = 200, 255
_check_name = _cut(NAME_MAX, "组织名称")
_check_address = _cut(ADDRESS_MAX)
_check_contact = _cut(50)
_MEMO_LIMIT = 100_000
_EMPTY = object()


class RowParser:
    """The rules of a valid organization row, applied to a block of rows column by column.

    Each column's cells are parsed once per distinct value (a file repeats the same regions,
    industries, dates and counts on row after row), so validating a million rows costs a few
    dictionary lookups per cell; cross-column rules (kind from the code, township within county,
    area within region) follow per row. `parse_row` runs the same code over one row, which is
    how the edit form validates. Problems are (row index, column key, message), in the order a
    reader of the row meets them."""

    def __init__(self, lookups: Lookups, *, today: datetime.date):
        self.lookups = lookups
        self.today = today
        self.memo: dict[Any, dict] = {}

    # -- per-column parsers: raw cell → value, or ValueProblem ---------------------------------

    def _date(self, raw: Any) -> datetime.date | None:
        founded = parse_date(raw)
        if founded and founded > self.today:
            raise ValueProblem(f"成立日期 {founded:%Y-%m-%d} 晚于今天，请核对")
        return founded

    def _tags(self, raw: Any) -> tuple[str, ...]:
        tags = parse_list(raw) or []
        too_long = [t for t in tags if len(t) > 50]
        if too_long:
            raise ValueProblem(f"标签“{too_long[0][:20]}…”过长（最多 50 字），多个标签请用顿号分隔")
        return tuple(sorted(tags))

    def _column(
        self, values: list, problems: list, key: str, parse, *, required=False, memo=True, fast=None
    ) -> list:
        """Parse one column of the block. Empty cells give None (a problem if required).
        `fast(values)`: the whole column at once when every cell is clean (the same values as
        `parse` cell by cell), else None."""
        if fast is not None and (out := fast(values)) is not None:
            return out
        one = self._parse_one
        if memo:
            table = self.memo.setdefault(key, {})
            if len(table) >= _MEMO_LIMIT:
                table.clear()
            if set(map(type, values)) == {str}:  # text only (a CSV column without gaps): its own keys
                keys = values
            else:
                keys = [v if v.__class__ is str else (v.__class__, v) for v in values]  # 1, 1.0, True differ
            for k in set(keys).difference(table):
                table[k] = one(k if k.__class__ is str else k[1], parse)
            out = list(map(table.__getitem__, keys))
        else:
            out = [one(v, parse) for v in values]
        kinds = set(map(type, out))
        if type(None) not in kinds and ValueProblem not in kinds:
            return out  # every cell gave a value
        for i in [i for i, v in enumerate(out) if v is None or v.__class__ is ValueProblem]:
            hit = out[i]
            if hit is None:
                if required:
                    problems.append((i, key, None))  # “不能为空”, worded by the caller with the header
            else:
                problems.append((i, key, hit.message))
                out[i] = None
        return out

    @staticmethod
    def _parse_one(raw: Any, parse) -> Any:
        if is_empty(raw):
            return None
        try:
            return parse(raw)
        except ValueProblem as exc:
            return exc

    def _memo(self, name: str, key: Any, compute) -> Any:
        table = self.memo.setdefault(("cross", name), {})
        try:
            return table[key]
        except KeyError:
            try:
                value = compute()
            except ValueProblem as exc:
                value = exc
            table[key] = value
            return value

    # -- the block -------------------------------------------------------------------------------

    def parse_block(
        self, columns: dict[str, list]
    ) -> tuple[list[dict | None], list[list[tuple[str, str | None]]], list[list[tuple[str, str]]]]:
        """`columns`: {key: cells of the block} for the columns present. Returns one record per
        row (None when it has problems), each row's problems as (key, message) — message None
        means the required cell is empty — and each row's warnings as (key, message).

        A problem refuses the row: its identity (code, name, kind) or a value that decides a
        figure (region, industry, dates, status, counts, flags, tags) is wrong. A warning is a
        bad value in a field that decides nothing (`WARN_ONLY`: phone, address, contact, a
        supervising unit or park that is not found): the row is imported without that field
        (domain.md §8) — a new organization has it empty, an existing one keeps its value."""
        n = len(next(iter(columns.values()))) if columns else 0
        found: list[tuple[int, str, str | None]] = []
        soft: list[tuple[int, str, str | None]] = []
        lookups = self.lookups
        has = columns.__contains__

        def column(key, parse, **kw):
            return self._column(columns[key], soft if key in WARN_ONLY else found, key, parse, **kw)

        codes = (
            column("credit_code", parse_credit_code, required=True, memo=False, fast=clean_credit_codes)
            if has("credit_code")
            else [None] * n
        )
        names = (
            column(
                "name",
                lambda v: _check_name(parse_text(v)),
                required=True,
                memo=False,
                fast=lambda values: plain_text_column(values, NAME_MAX),
            )
            if has("name")
            else [None] * n
        )
        written_kinds = column("kind", parse_text) if has("kind") else [None] * n
        kinds: list[str | None] = [None] * n
        known_kinds = self.memo.setdefault(("cross", "kind"), {})
        for i, code in enumerate(codes):
            if code:
                key = (code[:2], written_kinds[i])
                kind = known_kinds.get(key)
                if kind is None:
                    kind = self._memo("kind", key, lambda c=code, w=written_kinds[i]: derive_kind(c, w))
                if type(kind) is ValueProblem:
                    where = "kind" if has("kind") and columns["kind"][i] else "credit_code"
                    found.append((i, where, kind.message))
                else:
                    kinds[i] = kind

        counties = (
            column("county", lambda v: find_region(v, lookups, level=RegionLevel.COUNTY))
            if has("county")
            else [None] * n
        )
        regions: list[Region | None] = [None] * n
        township_cells = columns.get("township") or [None] * n
        region_cells = columns.get("region") or [None] * n
        # (township as written, its county) → the township, for the rows that found one: most
        # rows repeat a few hundred pairs
        known_townships = self.memo.setdefault(("cross", "township-found"), {})
        for i in range(n):
            township_raw = township_cells[i]
            region_raw = region_cells[i]
            county = counties[i]
            if township_raw:
                pair = (township_raw, id(county)) if township_raw.__class__ is str else None
                region = known_townships.get(pair)
                if region is None:
                    region = self._region(
                        "township", township_raw, found, i, level=RegionLevel.TOWNSHIP, within=county
                    )
                    if region is not None and pair is not None:
                        known_townships[pair] = region
            elif region_raw:
                region = self._region("region", region_raw, found, i)
                if region is not None and county is not None and region.county_code != county.code:
                    found.append((i, "region", f"所属区划“{region.name}”不在{county.name}内，请核对"))
            else:
                region = county
            code = codes[i]
            if (
                region is None
                and code
                and not (has("county") and columns["county"][i])
                and not township_raw
                and not region_raw
            ):
                division = credit_code_division(code)
                region = (
                    lookups.city if division == lookups.city.code else lookups.regions_by_code.get(division)
                )
                if region is None or region.level not in (RegionLevel.COUNTY, RegionLevel.CITY):
                    found.append(
                        (
                            i,
                            "region",
                            f"未填写所属区划，信用代码中的登记机关代码（{division}）也不在{lookups.city.name}，"
                            "请填写所属县（市、区）或乡镇（街道）（市本级登记的填“市本级”）",
                        )
                    )
                    region = None
            regions[i] = region

        areas = column("area", lambda v: find_area(v, lookups)) if has("area") else None
        if areas is not None:
            for i, area in enumerate(areas):
                region = regions[i]
                if area is not None and region is not None and area.county_code != region.county_code:
                    soft.append(
                        (
                            i,
                            "area",
                            f"功能区“{area.name}”在{area.region.name}，与所属区划“{region.name}”不一致",
                        )
                    )
        optional = {}
        if has("industry"):
            optional["industry"] = [
                v or (None, "", "") for v in column("industry", lambda v: parse_industry(v, lookups))
            ]
        if has("founded_on"):
            optional["founded_on"] = column("founded_on", self._date)
        if has("status"):
            optional["status"] = [v or RegStatus.ACTIVE for v in column("status", parse_status)]
        for key in ("employees", "party_members", "probationary_members"):
            if has(key):
                values = column(key, _parse_count)
                optional[key] = values if key == "employees" else [v or 0 for v in values]
        if has("above_scale"):
            optional["above_scale"] = [bool(v) for v in column("above_scale", parse_bool)]
        if has("tags"):
            optional["tags"] = [v or () for v in column("tags", self._tags)]
        if has("supervising_unit"):
            optional["supervising_unit"] = column("supervising_unit", lambda v: find_unit(v, lookups))
        if has("address"):
            optional["address"] = [
                v or ""
                for v in column(
                    "address",
                    lambda v: _check_address(parse_text(v)),
                    memo=False,
                    fast=lambda values: plain_text_column(values, ADDRESS_MAX),
                )
            ]
        contacts_masked = None
        if has("contact"):
            optional["contact"] = [
                v or "" for v in column("contact", lambda v: _check_contact(parse_text(v)))
            ]
            contacts_masked = [_masked(v) for v in columns["contact"]]  # 张** from an export
        phones = None
        if has("phone"):
            phones = [
                v or ""
                for v in column(
                    "phone", lambda v: None if _masked(v) else parse_phone(v), memo=False, fast=plain_mobiles
                )
            ]
            try:
                starred = "*" in "".join(columns["phone"])  # a text-only column: one scan
            except TypeError:
                starred = True
            masked = [_masked(v) for v in columns["phone"]] if starred else None

        problems: list[list[tuple[str, str | None]]] = [[] for _ in range(n)]
        for i, key, message in found:
            problems[i].append((key, message))
        warnings: list[list[tuple[str, str]]] = [[] for _ in range(n)]
        for i, key, message in soft:
            warnings[i].append((key, message or ""))
        records: list[dict | None] = []
        keys = ["credit_code", "name", "region", *(["area"] if areas is not None else []), *optional]
        cells = zip(
            codes, names, regions, *([areas] if areas is not None else []), *optional.values(), strict=True
        )
        for i, row in enumerate(cells):
            if problems[i]:
                records.append(None)
                continue
            record = dict(zip(keys, row, strict=False))  # the same length by construction
            if kinds[i] is not None:
                record["kind"] = kinds[i]
            if phones is not None and not (masked and masked[i]):
                record["phone"] = phones[i]
            if contacts_masked is not None and contacts_masked[i]:
                record.pop("contact", None)  # masked: unchanged
            for key, _ in warnings[i]:
                record.pop(key, None)  # not imported: a new organization has it empty
            records.append(record)
        return records, problems, warnings

    def _region(self, key, raw, found, i, **kw) -> Region | None:
        if is_empty(raw):
            return None
        within = kw.get("within")
        region = self._memo(
            key,
            (raw if type(raw) is str else (type(raw), raw), within.pk if within else None, kw.get("level")),
            lambda: find_region(raw, self.lookups, **kw),
        )
        if type(region) is ValueProblem:
            found.append((i, key, region.message))
            return None
        return region


def _parse_count(value: Any) -> int | None:
    return parse_int(value, min_value=0, max_value=10_000_000)


def parse_row(r, lookups: Lookups, *, today: datetime.date) -> dict[str, Any] | None:
    """One organization row → a record of the provided columns, or None with problems on `r`
    (a `RowReader` or the form's equivalent). The same rules as an import block."""
    keys = [c.key for c in COLUMNS if r.has(c.key)]
    records, problems, warnings = RowParser(lookups, today=today).parse_block({k: [r.raw(k)] for k in keys})
    for key, message in problems[0] + warnings[0]:  # a form asks again rather than leave a field out
        r.problem(key, message or f"“{r.header(key)}”不能为空，请填写")
    return None if r.problems else records[0]
