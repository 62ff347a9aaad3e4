"""The 新就业群体站点 and 驿站 sheets of `liangxin import_data` (and the import page), with the
registry's rules (domain.md §8): identity and counts are errors; a credit code that is valid but
not in the registry, an address or a station a 驿站 serves that is not found are warnings."""

from __future__ import annotations

from typing import Any

from liangxin.core.importing import Problem, RowReader, SheetImporter
from liangxin.core.models import RegionLevel
from liangxin.core.tabular import (
    Column,
    SheetSpec,
    ValueProblem,
    parse_date,
    parse_int,
    parse_list,
    parse_text,
)
from liangxin.registry.models import Organization
from liangxin.registry.rules import Lookups, find_region, parse_credit_code
from liangxin.workforce import services
from liangxin.workforce.models import GroupType, PosthouseKind, Station, StationKind

STATION_SPEC = SheetSpec(
    type="workforce_stations",
    label="新就业群体站点",
    columns=[
        Column("platform", "平台/企业名称", ("平台名称", "企业名称", "所属平台", "平台企业"), required=True),
        Column("name", "站点名称", ("网点名称", "站点", "网点"), required=True),
        Column("group_type", "群体类型", ("新就业群体类型", "群体类别"), required=True),
        Column("kind", "站点类型", ("网点类型",)),
        Column(
            "region", "所属乡镇（街道）", ("乡镇（街道）", "所属乡镇", "所在乡镇", "乡镇街道"), required=True
        ),
        Column("address", "地址", ("站点地址", "详细地址")),
        Column("headcount", "从业人数", ("从业人员数", "骑手人数", "人数")),
        Column("members_full", "正式党员数", ("党员数", "正式党员")),
        Column("members_probationary", "预备党员数", ("预备党员",)),
        Column("pioneer_posts", "党员先锋岗数", ("党员先锋岗",)),
        Column("credit_code", "统一社会信用代码", ("信用代码", "社会信用代码")),
        Column("established_on", "设立日期", ("成立日期",)),
        Column("closed_on", "撤销日期", ("撤站日期",)),
    ],
)

POSTHOUSE_SPEC = SheetSpec(
    type="workforce_posthouses",
    label="驿站",
    columns=[
        Column("name", "驿站名称", ("驿站",), required=True),
        Column("kind", "驿站类型", ("驿站类别",)),
        Column("host", "主办单位", ("承办单位", "依托单位")),
        Column("services", "服务内容", ("服务项目",)),
        Column(
            "region", "所属乡镇（街道）", ("乡镇（街道）", "所属乡镇", "所在乡镇", "乡镇街道"), required=True
        ),
        Column("address", "地址", ("驿站地址",)),
        Column("stations", "服务站点", ("服务网点",)),
        Column("opened_on", "启用日期", ("建成日期",)),
    ],
)

GROUP_WORDS = {
    "快递": GroupType.EXPRESS, "快递员": GroupType.EXPRESS, "外卖": GroupType.DELIVERY,
    "外卖配送员": GroupType.DELIVERY, "外卖员": GroupType.DELIVERY, "骑手": GroupType.DELIVERY, "外卖骑手": GroupType.DELIVERY, "网约车": GroupType.RIDE,
    "网约车司机": GroupType.RIDE, "快递小哥": GroupType.EXPRESS, "主播": GroupType.LIVE, "货运": GroupType.FREIGHT, "货车司机": GroupType.FREIGHT,
    "网络直播": GroupType.LIVE, "网络主播": GroupType.LIVE, "直播": GroupType.LIVE, "其他": GroupType.OTHER,
}  # fmt: skip
KIND_WORDS = {label: value for value, label in StationKind.choices} | {"其他": StationKind.OTHER}
POSTHOUSE_WORDS = {label: value for value, label in PosthouseKind.choices} | {"暖心": "warm", "红色": "red"}


def _choice(words: dict[str, str], what: str):
    def parse(value: Any) -> str:
        text = (parse_text(value, nfkc=True) or "").replace(" ", "")
        if text in words:
            return words[text]
        raise ValueProblem(f"无法识别的{what}“{text}”，应为{'、'.join(dict.fromkeys(words))}之一")

    return parse


def _count(value: Any) -> int | None:
    return parse_int(value, min_value=0)


class _Importer(SheetImporter):
    def start(self) -> None:
        self.lookups = Lookups.load()
        self.seen: dict[Any, int] = {}

    def _township(self, r: RowReader):
        return r.get(
            "region", lambda v: find_region(v, self.lookups, level=RegionLevel.TOWNSHIP), required=True
        )

    def _once(self, r: RowReader, key, column: str, what: str) -> None:
        if all(key) and key in self.seen:
            r.problem(column, f"与第 {self.seen[key]} 行的{what}重复，本行未导入")
        elif all(key):
            self.seen[key] = r.row.number

    def _store(self, row, saver, obj, values, warnings, **kw) -> None:
        try:
            _, outcome = saver(obj, values, actor=self.ctx.actor, source=self.ctx.source,
                               source_detail=self.ctx.filename, **kw)  # fmt: skip
        except services.NotYours as exc:
            self.report.reject(row, [Problem(row.number, self.match.headers.get("region", ""), exc.message)])
            return
        setattr(self.report, outcome, getattr(self.report, outcome) + 1)
        if warnings:
            self.report.warn(row, warnings)


class StationImporter(_Importer):
    spec = STATION_SPEC
    order = 60  # after the organizations sheet: a station links to its organization

    def parse(self, r: RowReader):
        record: dict[str, Any] = {
            "platform": r.get("platform", parse_text, required=True),
            "name": r.get("name", parse_text, required=True),
            "group_type": r.get("group_type", _choice(GROUP_WORDS, "群体类型"), required=True),
            "region": self._township(r),
        }
        if r.has("kind"):
            record["kind"] = r.get("kind", _choice(KIND_WORDS, "站点类型")) or StationKind.OTHER
        for key in ("headcount", "members_full", "members_probationary", "pioneer_posts"):
            if r.has(key):
                record[key] = r.get(key, _count) or 0
        for key in ("established_on", "closed_on"):
            if r.has(key):
                record[key] = r.get(key, parse_date)
        if r.has("address"):
            record["address"] = r.get("address", parse_text, optional=True) or ""
        if r.has("credit_code"):
            record["credit_code"] = r.get("credit_code", parse_credit_code)
        if (
            record.get("members_full", 0) + record.get("members_probationary", 0)
            > record.get("headcount", 0)
            > 0
        ):
            r.problem("members_full", "正式党员数与预备党员数之和大于从业人数，请核对")
        self._once(r, (record["platform"], record["name"]), "name", "站点（平台和站点名称相同）")
        return record

    def write(self, records) -> None:
        codes = {rec["credit_code"] for _, rec in records if rec.get("credit_code")}
        orgs = {o.credit_code: o for o in Organization.objects.filter(credit_code__in=codes)}
        keys = {(rec["platform"], rec["name"]) for _, rec in records}
        existing = {
            (s.platform, s.name): s
            for s in Station.objects.filter(name__in={k[1] for k in keys})
            if (s.platform, s.name) in keys
        }
        for row, rec in records:
            warnings = []
            values = {k: v for k, v in rec.items() if k != "credit_code"}
            if "credit_code" in rec:
                org = orgs.get(rec["credit_code"]) if rec["credit_code"] else None
                if rec["credit_code"] and org is None:
                    header = self.match.headers.get("credit_code", "统一社会信用代码")
                    warnings.append(Problem(row.number, header, f"统一社会信用代码{rec['credit_code']}不在两新组织台账中，"
                                            "本站点暂不关联登记组织（该项未导入，其余内容照常导入）"))  # fmt: skip
                    values.pop("organization", None)
                else:
                    values["organization"] = org
            self._store(
                row, services.save_station, existing.get((rec["platform"], rec["name"])), values, warnings
            )


class PosthouseImporter(_Importer):
    spec = POSTHOUSE_SPEC
    order = 61

    def parse(self, r: RowReader):
        record: dict[str, Any] = {
            "name": r.get("name", parse_text, required=True),
            "region": self._township(r),
        }
        if r.has("kind"):
            record["kind"] = r.get("kind", _choice(POSTHOUSE_WORDS, "驿站类型")) or PosthouseKind.WARM
        for key in ("host", "services", "address"):
            if r.has(key):
                record[key] = r.get(key, parse_text, optional=True) or ""
        if r.has("opened_on"):
            record["opened_on"] = r.get("opened_on", parse_date)
        if r.has("stations"):
            record["stations"] = r.get("stations", parse_list, optional=True) or []
        self._once(r, (record["name"],), "name", "驿站名称")
        return record

    def write(self, records) -> None:
        from liangxin.workforce.models import Posthouse

        existing = {p.name: p for p in Posthouse.objects.filter(name__in={rec["name"] for _, rec in records})}
        for row, rec in records:
            warnings = []
            stations = None
            if "stations" in rec:
                stations = []
                for written in rec["stations"]:
                    platform, _, name = written.rpartition("·")
                    found = Station.objects.filter(name=name, **({"platform": platform} if platform else {}))
                    if found.count() == 1:
                        stations.append(found.get())
                    else:
                        header = self.match.headers.get("stations", "服务站点")
                        reason = "找不到" if not found.exists() else "有多个同名站点（请写成“平台·站点名称”）"
                        warnings.append(Problem(row.number, header, f"服务站点“{written}”{reason}，未关联"))
            values = {k: v for k, v in rec.items() if k != "stations"}
            self._store(
                row, services.save_posthouse, existing.get(rec["name"]), values, warnings, stations=stations
            )


IMPORTERS = [StationImporter, PosthouseImporter]
