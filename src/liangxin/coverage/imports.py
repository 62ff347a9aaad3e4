"""The party organizations and instructors sheets of `liangxin import_data` (after the
organizations sheet, so a workbook may carry all three). Unknown credit codes reject the row; an
unknown 上级党组织 is kept by name as a parent outside the system, with a warning (domain.md §8)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from liangxin.core.importing import Problem, RowReader, SheetImporter
from liangxin.core.scoping import CHANGE
from liangxin.core.tabular import (
    Column,
    SheetSpec,
    ValueProblem,
    credit_code_problem,
    normalize_credit_code,
    parse_date,
    parse_list,
    parse_phone,
    parse_text,
)
from liangxin.core.unitnames import UnitNames
from liangxin.coverage import services
from liangxin.coverage.models import Formation, Instructor, PartyOrganization, PartyOrgStatus, PartyOrgType
from liangxin.registry.models import Organization

PARTY_ORG_SPEC = SheetSpec(
    type="party_organizations",
    label="党组织",
    columns=[
        Column("name", "党组织名称", ("党组织全称",), required=True),
        Column("org_type", "党组织类别", ("党组织类型",)),
        Column("formation", "组建方式", ("组建形式", "组建类型"), required=True),
        Column("codes", "覆盖组织统一社会信用代码", ("覆盖组织", "覆盖组织信用代码", "覆盖组织社会信用代码")),
        Column("parent", "上级党组织", ("上级党组织名称",)),
        Column("secretary", "书记姓名", ("书记",)),
        Column("founded_on", "成立日期", ("成立时间", "组建日期")),
        Column("status", "状态", ("党组织状态",)),
        Column("dissolved_on", "撤销日期", ("撤销时间",)),
        Column("term_ends_on", "任期届满日期", ("届满日期", "换届日期")),
        Column("owner_unit", "所属成员单位", ("行业党委主管单位",)),
    ],
)

INSTRUCTOR_SPEC = SheetSpec(
    type="instructors",
    label="党建指导员",
    columns=[
        Column("name", "指导员姓名", ("党建指导员姓名", "党建指导员"), required=True),
        Column("phone", "联系电话", ("手机号码", "手机"), required=True),
        Column("workplace", "工作单位", ("单位",)),
        Column("codes", "指导组织统一社会信用代码", ("指导组织", "指导组织信用代码", "联系组织")),
        Column("starts_on", "派驻日期", ("选派日期", "派驻时间")),
    ],
)

TYPES = {"党委": PartyOrgType.COMMITTEE, "党总支": PartyOrgType.GENERAL_BRANCH, "党支部": PartyOrgType.BRANCH}
FORMATIONS = {
    "单独组建": Formation.SINGLE,
    "单独": Formation.SINGLE,
    "联合组建": Formation.JOINT,
    "联合": Formation.JOINT,
    "行业党委": Formation.INDUSTRY,
    "综合党委": Formation.INDUSTRY,
    "行业（综合）党委": Formation.INDUSTRY,
    "行业(综合)党委": Formation.INDUSTRY,
}
STATUSES = {
    "正常": PartyOrgStatus.ACTIVE,
    "撤销": PartyOrgStatus.DISSOLVED,
    "已撤销": PartyOrgStatus.DISSOLVED,
}


def _choice(options: dict[str, str], what: str):
    def parse(value: Any) -> str:
        text = parse_text(value) or ""
        if text in options:
            return options[text]
        if what == "党组织类别":
            for label, key in options.items():  # 联合党支部, 行业党委 …
                if text.endswith(label):
                    return key
        raise ValueProblem(f"无法识别的{what}“{text}”，应为{'、'.join(dict.fromkeys(options))}之一")

    return parse


def parse_codes(value: Any) -> list[str]:
    codes = []
    for item in parse_list(value) or []:
        code = normalize_credit_code(item)
        problem = credit_code_problem(code)
        if problem:
            raise ValueProblem(f"“{item}”：{problem}")
        codes.append(code)
    return codes


class _CoverageImporter(SheetImporter):
    def start(self) -> None:
        self.today = timezone.localdate()
        actor = self.ctx.actor
        self.authenticated = getattr(actor, "is_authenticated", False)
        self.visible_orgs = (
            Organization.objects.restrict(actor) if self.authenticated else Organization.objects.all()
        )

    def _organizations(self, codes: set[str]) -> dict[str, Organization]:
        return {o.credit_code: o for o in self.visible_orgs.filter(credit_code__in=codes)}

    def _reject(self, row, key: str, message: str) -> None:
        header = self.match.headers.get(key) or self.spec.column(key).label
        self.report.reject(row, [Problem(row.number, header, message)])

    def _missing(self, row, codes: list[str], found: dict) -> bool:
        missing = [c for c in codes if c not in found]
        if missing:
            self._reject(
                row,
                "codes",
                f"统一社会信用代码{'、'.join(missing)}不在两新组织台账中（或不在您的管辖范围内），"
                "请先导入该组织或核对代码",
            )
        return bool(missing)

    def _count(self, outcome: str) -> None:
        setattr(self.report, outcome, getattr(self.report, outcome) + 1)


class PartyOrganizationImporter(_CoverageImporter):
    spec = PARTY_ORG_SPEC
    order = 20  # after the organizations sheet (10)
    template = ("coverage:import_template", {"kind": "party-organizations"})

    def start(self) -> None:
        super().start()
        self.seen: dict[str, int] = {}
        self.unit_names = UnitNames()
        self.unit_objects = {u.pk: u for u in self.unit_names.units}

    def parse(self, r: RowReader):
        record: dict[str, Any] = {"name": r.get("name", parse_text, required=True)}
        record["formation"] = r.get("formation", _choice(FORMATIONS, "组建方式"), required=True)
        if r.has("org_type"):
            record["org_type"] = r.get("org_type", _choice(TYPES, "党组织类别")) or PartyOrgType.BRANCH
        for key in ("founded_on", "dissolved_on", "term_ends_on"):
            if r.has(key):
                record[key] = r.get(key, parse_date)
        if r.has("secretary"):
            record["secretary"] = r.get("secretary", parse_text) or ""
        if r.has("status"):
            record["status"] = r.get("status", _choice(STATUSES, "状态")) or PartyOrgStatus.ACTIVE
        if r.has("codes"):
            record["codes"] = r.get("codes", parse_codes) or []
        if r.has("parent"):
            record["parent"] = r.get("parent", parse_text)
        if r.has("owner_unit") and (unit := r.get("owner_unit", parse_text)):
            try:
                record["owner_unit"] = self.unit_names.one(unit).pk
            except ValueError as exc:  # it decides who may see the party organization
                r.problem("owner_unit", str(exc))
        if record.get("dissolved_on") and record.get("status") != PartyOrgStatus.DISSOLVED:
            r.problem("dissolved_on", "填写了撤销日期，但状态不是“撤销”，请核对")
        if "dissolved_on" in record and record["dissolved_on"] is None:
            del record["dissolved_on"]  # keep the date recorded when it was dissolved
        name = record["name"]
        if name and name in self.seen:
            r.problem("name", f"与第 {self.seen[name]} 行的党组织名称重复，本行未导入")
        if name and record.get("parent") == name:
            r.problem("parent", "上级党组织不能是它自己")
        if name:
            self.seen.setdefault(name, r.row.number)
        return record

    def write(self, records) -> None:
        codes = {c for _, rec in records for c in rec.get("codes", [])}
        found = self._organizations(codes)
        names = {rec["name"] for _, rec in records} | {
            rec["parent"] for _, rec in records if rec.get("parent")
        }
        existing = {p.name: p for p in PartyOrganization.objects.filter(name__in=names)}
        writable = set(
            PartyOrganization.objects.restrict(self.ctx.actor, CHANGE)
            .filter(name__in=names)
            .values_list("pk", flat=True)
            if self.authenticated
            else [p.pk for p in existing.values()]
        )
        for row, rec in records:
            if "codes" in rec and self._missing(row, rec["codes"], found):
                continue
            party_org = existing.get(rec["name"])
            if party_org is not None and party_org.pk not in writable:
                self._reject(row, "name", f"党组织“{rec['name']}”不在您的管辖范围内，不能录入或修改")
                continue
            values = {k: v for k, v in rec.items() if k not in ("codes", "parent", "owner_unit")}
            warning = None
            if rec.get("parent"):
                parent = (
                    existing.get(rec["parent"])
                    or PartyOrganization.objects.filter(name=rec["parent"]).first()
                )
                # A parent outside the system (a township 党委, the 两新工委) is kept by name.
                values["parent"] = parent
                values["external_parent_name"] = "" if parent else rec["parent"]
                if parent is None:
                    warning = Problem(
                        row.number,
                        self.match.headers.get("parent") or self.spec.column("parent").label,
                        f"上级党组织“{rec['parent']}”不在本系统中，已按名称记为系统外的上级党组织"
                        "（如它也应在本系统登记，请先导入它，或把它放在本行之前）",
                    )
            elif "parent" in rec:
                values["parent"] = None
                values["external_parent_name"] = ""
            if "owner_unit" in rec:
                values["owner_unit"] = self.unit_objects.get(rec["owner_unit"])
            orgs = [found[c] for c in rec["codes"]] if "codes" in rec else None
            try:
                party_org, outcome = services.save_party_org(
                    party_org,
                    actor=self.ctx.actor,
                    today=self.today,
                    organizations=orgs,
                    source=self.ctx.source,
                    source_detail=self.ctx.filename,
                    **values,
                )
            except ValidationError as exc:
                self._reject(row, "name", "；".join(exc.messages))
                continue
            existing[party_org.name] = party_org
            writable.add(party_org.pk)
            self._count(outcome)
            if warning is not None:
                self.report.warn(row, [warning])


class InstructorImporter(_CoverageImporter):
    spec = INSTRUCTOR_SPEC
    order = 30
    template = ("coverage:import_template", {"kind": "instructors"})

    def start(self) -> None:
        super().start()
        self.seen: dict[tuple[str, str], int] = {}

    def parse(self, r: RowReader):
        record: dict[str, Any] = {
            "name": r.get("name", parse_text, required=True),
            "phone": r.get("phone", parse_phone, required=True),
        }
        if r.has("workplace"):
            record["workplace"] = r.get("workplace", parse_text) or ""
        if r.has("codes"):
            record["codes"] = r.get("codes", parse_codes) or []
        record["starts_on"] = r.get("starts_on", parse_date) if r.has("starts_on") else None
        key = (record["name"], record["phone"])
        if all(key) and key in self.seen:
            r.problem("name", f"与第 {self.seen[key]} 行的指导员（姓名和电话相同）重复，本行未导入")
        elif all(key):
            self.seen[key] = r.row.number
        return record

    def write(self, records) -> None:
        codes = {c for _, rec in records for c in rec.get("codes", [])}
        found = self._organizations(codes)
        writable = (
            Instructor.objects.restrict(self.ctx.actor, CHANGE)
            if self.authenticated
            else Instructor.objects.all()
        )
        for row, rec in records:
            if "codes" in rec and self._missing(row, rec["codes"], found):
                continue
            instructor = Instructor.objects.filter(name=rec["name"], phone=rec["phone"]).first()
            if instructor is not None and not writable.filter(pk=instructor.pk).exists():
                self._reject(row, "name", f"指导员“{rec['name']}”不在您的管辖范围内，不能录入或修改")
                continue
            values = {k: rec[k] for k in ("name", "phone", "workplace") if k in rec}
            orgs = [found[c] for c in rec["codes"]] if "codes" in rec else None
            try:
                _, outcome = services.save_instructor(
                    instructor,
                    actor=self.ctx.actor,
                    today=self.today,
                    organizations=orgs,
                    starts_on=rec["starts_on"],
                    source=self.ctx.source,
                    source_detail=self.ctx.filename,
                    **values,
                )
            except ValidationError as exc:
                self._reject(row, "name", "；".join(exc.messages))
                continue
            self._count(outcome)


from liangxin.coverage.inspection_import import InspectionImporter  # noqa: E402 (its own module)
from liangxin.coverage.ledger import LedgerImporter  # noqa: E402 (the combined 摸排表)

IMPORTERS = [LedgerImporter, PartyOrganizationImporter, InstructorImporter, InspectionImporter]
