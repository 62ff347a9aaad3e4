"""The 五融入五提升 sheet of `liangxin import_data`: one organization and year per row, the five
scores (1–5) and what was done, who assessed and when. Matched on organization + year, so the
same file again changes nothing."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from liangxin.core.importing import Problem, RowReader, SheetImporter
from liangxin.core.scoping import CHANGE
from liangxin.core.tabular import Column, SheetSpec, parse_date, parse_int, parse_text
from liangxin.integration import services
from liangxin.integration.models import DIMENSIONS
from liangxin.registry.models import Organization
from liangxin.registry.rules import parse_credit_code

SHORT_HEADERS = {
    "governance": ("治理结构", "政治功能", "融入治理结构"),
    "business": ("营商环境", "保障功能", "融入营商环境"),
    "operations": ("生产经营", "组织功能", "融入生产经营"),
    "workers": ("职工需求", "服务功能", "融入职工需求"),
    "ideology": ("意识形态", "引导功能", "融入意识形态工作"),
}

SPEC = SheetSpec(
    type="integration",
    label="五融入五提升评估",
    columns=[
        Column("code", "统一社会信用代码", ("信用代码", "社会信用代码"), required=True),
        Column("name", "组织名称", ("单位名称", "企业名称")),
        Column("year", "评估年度", ("年度",), required=True),
        *[
            c
            for key, label in DIMENSIONS
            for c in (
                Column(key, f"{label}（分）", (label, *SHORT_HEADERS[key], f"{SHORT_HEADERS[key][0]}评分")),
                Column(f"{key}_note", f"{SHORT_HEADERS[key][0]}做法", (f"{SHORT_HEADERS[key][0]}情况",)),
            )
        ],
        Column("assessor", "评估人", ("评估单位",), required=True),
        Column("assessed_on", "评估日期", ("评估时间",), required=True),
    ],
    signature=("code", "year", "governance", "assessor"),
)


NOTES = {
    "code": "被评估组织的统一社会信用代码；须已在两新组织台账中，评估日期当天有单独或联合组建的党组织",
    "name": "供核对，不参与匹配",
    "year": "四位年份；同一组织同一年度为同一份评估，重复导入不重复登记",
    **{key: "1 到 5 的整数（也可写“4分”）" for key, _ in DIMENSIONS},
    **{f"{key}_note": "该项的主要做法和成效" for key, _ in DIMENSIONS},
    "assessor": "评估人或评估单位",
    "assessed_on": "日期，如 2022-11-30",
}
TEMPLATE_TITLE = "五融入五提升评估导入模板"


class AssessmentImporter(SheetImporter):
    spec = SPEC
    order = 65  # after the organizations and party organizations sheets
    template = ("integration:import_template", {})

    def start(self) -> None:
        actor = self.ctx.actor
        user = getattr(actor, "is_authenticated", False)
        self.writable = Organization.objects.restrict(actor, CHANGE) if user else Organization.objects.all()
        self.seen: dict[tuple[str, int], int] = {}
        self.this_year = timezone.localdate().year

    def parse(self, r: RowReader):
        record: dict[str, Any] = {
            "code": r.get("code", parse_credit_code, required=True),
            "year": r.get("year", parse_int, required=True, min_value=2000, max_value=2100),
            "assessor": r.get("assessor", parse_text, required=True),
            "assessed_on": r.get("assessed_on", parse_date, required=True),
            "scores": {},
            "notes": {},
        }
        for key, label in DIMENSIONS:
            if not r.has(key):
                r.problem(None, f"缺少“{label}”评分列")
                continue
            record["scores"][key] = r.get(key, parse_int, required=True, min_value=1, max_value=5)
            if r.has(f"{key}_note"):
                record["notes"][key] = r.get(f"{key}_note", parse_text) or ""
        identity = (record["code"], record["year"])
        if all(identity):
            if identity in self.seen:
                r.problem("code", f"与第 {self.seen[identity]} 行是同一组织同一年度，本行未导入")
            else:
                self.seen[identity] = r.row.number
        return record

    def _reject(self, row, key: str, message: str) -> None:
        header = self.match.headers.get(key) or self.spec.column(key).label
        self.report.reject(row, [Problem(row.number, header, message)])

    def write(self, records) -> None:
        codes = {rec["code"] for _, rec in records}
        orgs = {o.credit_code: o for o in self.writable.filter(credit_code__in=codes)}
        for row, rec in records:
            org = orgs.get(rec["code"])
            if org is None:
                self._reject(
                    row, "code", f"统一社会信用代码{rec['code']}不在两新组织台账中（或不在您的管辖范围内）"
                )
                continue
            try:
                _, outcome = services.save_assessment(
                    org,
                    actor=self.ctx.actor,
                    year=rec["year"],
                    scores=rec["scores"],
                    notes=rec["notes"],
                    assessor=rec["assessor"],
                    assessed_on=rec["assessed_on"],
                    source=self.ctx.source,
                )
            except services.AssessmentError as exc:
                self._reject(row, "code" if "党组织" in str(exc) else "assessor", str(exc))
                continue
            except PermissionDenied as exc:
                self._reject(row, "code", str(exc))
                continue
            setattr(self.report, outcome, getattr(self.report, outcome) + 1)


IMPORTERS = [AssessmentImporter]
