"""The inspections sheet of `liangxin import_data` (常态化排查记录): 党组织名称, 排查日期, 排查人,
评定等次, 三会一课, 存在问题, 整改措施, 整改时限, and optionally the other findings (组织生活会,
党费收缴, 活动阵地, 党员联系; blank: not checked). A row is refused when what decides a flag is
wrong (the branch, the date, the rating, 三会一课 or another finding, the due date); a problem
without a due date (or a due date without a problem) is kept on the inspection with a warning, no
整改 is opened."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from liangxin.core.importing import Problem, RowReader, SheetImporter
from liangxin.core.scoping import CHANGE
from liangxin.core.tabular import Column, SheetSpec, ValueProblem, parse_date, parse_text
from liangxin.coverage import rectification
from liangxin.coverage.models import FINDINGS, Formation, PartyOrganization, Rating

INSPECTION_SPEC = SheetSpec(
    type="inspections",
    label="联合党支部排查",
    columns=[
        Column("party_org", "党组织名称", ("联合党支部", "联合党支部名称", "支部名称"), required=True),
        Column("inspected_on", "排查日期", ("排查时间", "检查日期"), required=True),
        Column("inspector", "排查人", ("检查人", "排查人员")),
        Column("rating", "评定等次", ("评定等级", "排查等次", "等次"), required=True),
        Column("meetings_held", "三会一课", ("三会一课开展情况", "是否开展三会一课")),
        # optional: blank means not checked
        Column("life_meeting_held", "组织生活会", ("组织生活会召开情况", "是否召开组织生活会")),
        Column("dues_collected", "党费收缴", ("党费", "是否按时收缴党费")),
        Column("venue_in_place", "活动阵地", ("阵地", "阵地建设")),
        Column("members_contacted", "党员联系", ("联系党员", "党员联系管理")),
        Column("problems", "存在问题", ("主要问题", "发现问题")),
        Column("measure", "整改措施", ("整改举措",)),
        Column("due_on", "整改时限", ("整改期限", "整改完成时限")),
    ],
)

FINDING_KEYS = tuple(field for field, _ in FINDINGS)
RATINGS = {label: value for value, label in Rating.choices}
HELD = {
    "是",
    "已开展",
    "开展",
    "按要求开展",
    "正常开展",
    "有",
    "√",
    "✓",
    "y",
    "yes",
    "1",
    "已落实",
    "落实",
    "到位",
}
NOT_HELD = {"否", "未开展", "没有开展", "未按要求开展", "无", "×", "✗", "n", "no", "0", "未落实", "不到位"}


def parse_rating(value: Any) -> str:
    text = (parse_text(value, nfkc=True) or "").replace("等", "").replace("次", "")
    if text in RATINGS:
        return RATINGS[text]
    raise ValueProblem(f"无法识别的评定等次“{parse_text(value)}”，应为好、较好、一般、差之一")


def parse_meetings(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = (parse_text(value, nfkc=True) or "").lower()
    if text in HELD:
        return True
    if text in NOT_HELD:
        return False
    raise ValueProblem(f"无法识别“{parse_text(value)}”，请填写“是”（已按要求开展）或“否”（未开展）")


class InspectionImporter(SheetImporter):
    spec = INSPECTION_SPEC
    order = 40  # after the party organizations sheet (20), which it refers to

    def start(self) -> None:
        self.today = timezone.localdate()
        actor = self.ctx.actor
        self.authenticated = getattr(actor, "is_authenticated", False)
        self.seen: dict[tuple[str, Any], int] = {}

    def parse(self, r: RowReader):
        rec: dict[str, Any] = {
            "party_org": r.get("party_org", parse_text, required=True),
            "inspected_on": r.get("inspected_on", parse_date, required=True),
            "rating": r.get("rating", parse_rating, required=True),
        }
        if r.has("meetings_held"):
            rec["meetings_held"] = r.get("meetings_held", parse_meetings)
            if rec["meetings_held"] is None:
                r.problem("meetings_held", "“三会一课”不能为空，请填写“是”或“否”（它决定健康清单的提示）")
        for key in FINDING_KEYS:
            if r.has(key):
                found = r.get(key, parse_meetings)
                if found is not None:
                    rec[key] = found
        for key in ("inspector", "problems", "measure"):
            if r.has(key):
                rec[key] = r.get(key, parse_text) or ""
        rec["due_on"] = r.get("due_on", parse_date) if r.has("due_on") else None
        day = rec["inspected_on"]
        if day and day > self.today:
            r.problem("inspected_on", f"排查日期{day:%Y-%m-%d}晚于今天，请核对")
        if day and rec["due_on"] and rec["due_on"] < day:
            r.problem("due_on", f"整改时限{rec['due_on']:%Y-%m-%d}早于排查日期{day:%Y-%m-%d}，请核对")
        if rec["due_on"] and not rec.get("problems"):
            r.warn("due_on", "填写了整改时限但未填写存在问题，未生成整改事项")
        elif rec.get("problems") and not rec["due_on"]:
            r.warn(
                "due_on", "填写了存在问题但没有整改时限，问题已记入排查记录，未生成整改事项（请补填整改时限）"
            )
        key = (rec["party_org"], day)
        if all(key) and key in self.seen:
            r.problem("inspected_on", f"与第 {self.seen[key]} 行是同一党组织同一天的排查，本行未导入")
        elif all(key):
            self.seen[key] = r.row.number
        return rec

    def _reject(self, row, key: str, message: str) -> None:
        header = self.match.headers.get(key) or self.spec.column(key).label
        self.report.reject(row, [Problem(row.number, header, message)])

    def write(self, records) -> None:
        names = {rec["party_org"] for _, rec in records}
        existing = {p.name: p for p in PartyOrganization.objects.filter(name__in=names)}
        writable = (
            set(
                PartyOrganization.objects.restrict(self.ctx.actor, CHANGE)
                .filter(name__in=names)
                .values_list("pk", flat=True)
            )
            if self.authenticated
            else {p.pk for p in existing.values()}
        )
        for row, rec in records:
            party_org = existing.get(rec["party_org"])
            if party_org is None or party_org.pk not in writable:
                self._reject(
                    row, "party_org",
                    f"党组织“{rec['party_org']}”不在系统中（或不在您的管辖范围内），请先导入该党组织或核对名称",
                )  # fmt: skip
                continue
            if party_org.formation != Formation.JOINT:
                self._reject(
                    row, "party_org", f"“{party_org.name}”不是联合党支部，常态化排查只针对联合组建的党组织"
                )
                continue
            start = party_org.covers_from
            if start and rec["inspected_on"] < start:
                self._reject(
                    row, "inspected_on",
                    f"排查日期{rec['inspected_on']:%Y-%m-%d}早于该党组织的成立日期（{start:%Y-%m-%d}），请核对",
                )  # fmt: skip
                continue
            values = {
                k: rec[k]
                for k in ("rating", "meetings_held", "inspector", "problems", *FINDING_KEYS)
                if k in rec
            }
            if rec.get("meetings_held") is None:
                values.pop("meetings_held", None)
            if "measure" in rec:
                values["actions"] = rec["measure"]
            fix = None
            if rec.get("problems") and rec["due_on"]:
                fix = {"problem": rec["problems"], "measure": rec.get("measure", ""), "due_on": rec["due_on"]}
            try:
                outcome = rectification.save_imported_inspection(
                    party_org,
                    actor=self.ctx.actor,
                    inspected_on=rec["inspected_on"],
                    values=values,
                    rectification=fix,
                    source=self.ctx.source,
                    source_detail=self.ctx.filename,
                )
            except ValidationError as exc:
                self._reject(row, "party_org", "；".join(exc.messages))
                continue
            setattr(self.report, outcome, getattr(self.report, outcome) + 1)
