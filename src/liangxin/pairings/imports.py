"""Two sheets of `liangxin import_data` (and the import page): 结对共建 (a pairing per row, with
an optional project of a year on the same row) and 重点帮扶村 (the office's flag).

A village is named as offices write it — its 12-digit code, its name, or its name under the
township (a 所属乡镇（街道） column, or “乡镇 村” in one cell): `core.places.find_place`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from liangxin.core.importing import Problem, RowReader, SheetImporter
from liangxin.core.models import RegionLevel
from liangxin.core.places import PlaceError, find_place
from liangxin.core.scoping import CHANGE
from liangxin.core.tabular import (
    Column,
    SheetSpec,
    choice_parser,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_int,
    parse_text,
)
from liangxin.pairings import services
from liangxin.pairings.models import Pairing, ProjectKind, ProjectStatus
from liangxin.registry.models import Organization
from liangxin.registry.rules import parse_credit_code

PAIRING_SPEC = SheetSpec(
    type="pairings",
    label="结对共建",
    columns=[
        Column("code", "统一社会信用代码", ("信用代码", "社会信用代码"), required=True),
        Column("name", "组织名称", ("结对组织", "单位名称", "企业名称")),
        Column("village", "结对村（社区）", ("结对村", "结对村社区", "村（社区）", "帮扶村"), required=True),
        Column("township", "所属乡镇（街道）", ("乡镇（街道）", "所属乡镇", "乡镇")),
        Column("starts_on", "结对开始日期", ("开始日期", "结对时间", "结对日期"), required=True),
        Column("ends_on", "结对结束日期", ("结束日期",)),
        Column("note", "结对内容", ("共建内容",)),
        Column("year", "项目年度", ("年度",)),
        Column("title", "项目名称", ("共建项目",)),
        Column("kind", "项目类型", ("项目类别",)),
        Column("funds", "投入资金（万元）", ("投入资金", "资金")),
        Column("people", "受益人数", ("帮扶人数", "惠及人数")),
        Column("status", "项目状态", ()),
        Column("result", "项目成效", ("成效",)),
    ],
    signature=("code", "village", "starts_on"),
)

KEY_VILLAGE_SPEC = SheetSpec(
    type="key_villages",
    label="重点帮扶村",
    columns=[
        Column("village", "村（社区）", ("村名称", "村（社区）名称", "区划代码", "村代码"), required=True),
        Column("township", "所属乡镇（街道）", ("乡镇（街道）", "所属乡镇", "乡镇")),
        Column("flag", "是否重点帮扶村", ("重点帮扶村", "乡村振兴重点帮扶村"), required=True),
    ],
)

PAIRING_NOTES = {
    "code": "结对组织的统一社会信用代码；须已在两新组织台账中，且在您的管辖范围内",
    "name": "供核对，不参与匹配",
    "village": "村（社区）的 12 位区划代码或名称（如 桃树下社区、横塘村）；也可写成“乡镇 村”",
    "township": "村名在全市重名时填写，用于区分",
    "starts_on": "日期，如 2022-03-01；同一组织、同一村、同一开始日期为同一结对，重复导入不重复登记",
    "ends_on": "日期，不早于开始日期；仍在结对的留空",
    "year": "项目所属年度，留空取开始日期的年度；须在结对期间内",
    "title": "填写项目名称时，同一行登记该年度的一个共建项目",
    "kind": "产业、就业、消费、公益、教育、其他",
    "funds": "数字，单位万元，最多两位小数",
    "people": "整数",
    "status": "计划、实施中、已完成",
}
KEY_VILLAGE_NOTES = {
    "village": "村（社区）的 12 位区划代码或名称",
    "township": "村名在全市重名时填写，用于区分",
    "flag": "是/否（也可写 √/×）；只有工委办公室可以导入",
}
TEMPLATES = {
    "pairings": ("结对共建导入模板", PAIRING_SPEC, PAIRING_NOTES),
    "key-villages": ("重点帮扶村导入模板", KEY_VILLAGE_SPEC, KEY_VILLAGE_NOTES),
}

KINDS = {label: value for value, label in ProjectKind.choices}
STATUSES = {label: value for value, label in ProjectStatus.choices} | {"进行中": ProjectStatus.RUNNING}
PARSE_KIND, PARSE_STATUS = choice_parser(KINDS, "项目类型"), choice_parser(STATUSES, "项目状态")


def _village(r: RowReader) -> Any:
    text = r.get("village", parse_text, required=True)
    if not text:
        return None
    township_text = r.get("township", parse_text) if r.has("township") else None
    try:
        township = None
        if township_text:
            township = find_place(township_text, levels=[RegionLevel.TOWNSHIP])
        return find_place(text, levels=[RegionLevel.VILLAGE], within=township)
    except PlaceError as exc:
        r.problem("township" if township_text and township is None else "village", str(exc))
        return None


class PairingImporter(SheetImporter):
    spec = PAIRING_SPEC
    order = 60  # after the organizations sheet
    template = ("pairings:import_template", {"kind": "pairings"})

    def start(self) -> None:
        actor = self.ctx.actor
        self.user = getattr(actor, "is_authenticated", False)
        self.writable = (
            Organization.objects.restrict(actor, CHANGE) if self.user else Organization.objects.all()
        )
        self.this_year = timezone.localdate().year

    def parse(self, r: RowReader):
        record: dict[str, Any] = {
            "code": r.get("code", parse_credit_code, required=True),
            "village": _village(r),
            "starts_on": r.get("starts_on", parse_date, required=True),
            "ends_on": r.get("ends_on", parse_date) if r.has("ends_on") else None,
            "note": (r.get("note", parse_text) if r.has("note") else "") or "",
        }
        if record["ends_on"] and record["starts_on"] and record["ends_on"] < record["starts_on"]:
            r.problem("ends_on", "结束日期早于开始日期，请核对")
        title = r.get("title", parse_text) if r.has("title") else None
        if title:
            year = r.get("year", parse_int, min_value=2000, max_value=2100) if r.has("year") else None
            record["project"] = {
                "title": title,
                "year": year or (record["starts_on"].year if record["starts_on"] else self.this_year),
                "kind": r.get("kind", PARSE_KIND) if r.has("kind") else None,
                "funds": r.get("funds", parse_decimal, places=2) if r.has("funds") else None,
                "people_helped": r.get("people", parse_int) if r.has("people") else None,
                "status": r.get("status", PARSE_STATUS) if r.has("status") else None,
                "result": (r.get("result", parse_text) if r.has("result") else "") or "",
            }
        return record

    def _reject(self, row, key: str, message: str) -> None:
        header = self.match.headers.get(key) or self.spec.column(key).label
        self.report.reject(row, [Problem(row.number, header, message)])

    def write(self, records) -> None:
        codes = {rec["code"] for _, rec in records}
        orgs = {o.credit_code: o for o in Organization.objects.filter(credit_code__in=codes)}
        writable = set(self.writable.filter(credit_code__in=codes).values_list("credit_code", flat=True))
        for row, rec in records:
            org = orgs.get(rec["code"])
            if org is None or rec["code"] not in writable:
                self._reject(
                    row, "code", f"统一社会信用代码{rec['code']}不在两新组织台账中（或不在您的管辖范围内）"
                )
                continue
            pairing = Pairing.objects.filter(
                organization=org, village=rec["village"], starts_on=rec["starts_on"]
            ).first()
            try:
                pairing, outcome = services.save_pairing(
                    pairing,
                    actor=self.ctx.actor,
                    organization=org,
                    village=rec["village"],
                    starts_on=rec["starts_on"],
                    ends_on=rec["ends_on"],
                    note=rec["note"] or (pairing.note if pairing else ""),
                    source=self.ctx.source,
                )
                project = rec.get("project")
                if project:
                    _, project_outcome = services.save_project(
                        pairing,
                        actor=self.ctx.actor,
                        year=project["year"],
                        title=project["title"],
                        kind=project["kind"] or ProjectKind.OTHER,
                        funds=project["funds"] or 0,
                        people_helped=project["people_helped"] or 0,
                        status=project["status"] or ProjectStatus.PLANNED,
                        result=project["result"],
                        source=self.ctx.source,
                    )
                    if outcome == "unchanged" and project_outcome != "unchanged":
                        outcome = "updated"
            except services.PairingError as exc:
                self._reject(
                    row, "year" if "年度" in str(exc) or "年不在" in str(exc) else "ends_on", str(exc)
                )
                continue
            except PermissionDenied as exc:
                self._reject(row, "code", str(exc))
                continue
            setattr(self.report, outcome, getattr(self.report, outcome) + 1)


class KeyVillageImporter(SheetImporter):
    spec = KEY_VILLAGE_SPEC
    order = 55
    template = ("pairings:import_template", {"kind": "key-villages"})

    def parse(self, r: RowReader):
        flag = r.get("flag", parse_bool, required=True)
        return {"village": _village(r), "flag": flag}

    def write(self, records) -> None:
        for row, rec in records:
            try:
                changed = services.set_key_village(
                    rec["village"], bool(rec["flag"]), actor=self.ctx.actor, source=self.ctx.source
                )
            except PermissionDenied as exc:
                header = self.match.headers.get("flag") or "是否重点帮扶村"
                self.report.reject(row, [Problem(row.number, header, str(exc))])
                continue
            if changed:
                self.report.updated += 1
            else:
                self.report.unchanged += 1


IMPORTERS = [KeyVillageImporter, PairingImporter]
