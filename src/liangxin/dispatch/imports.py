"""Sheets of `liangxin import_data` for the dispatch: the office's task table and reports.

Task table — recognized by 重点任务 + 牵头单位 + 完成时限. The plan year comes from, in order
(domain.md §8): a 年度 column, a year in a title row above the header (“2022年全市基层党建重点
任务清单”), a year in the file name (“2022年重点任务.xlsx”), the ``--year`` or ``--period YYYY-MM``
option. Category rows such as “一、政治统领” and merged category cells carry down to the rows
under them; a category outside the five lines of work is kept as written, with a warning that
it is new. Only the office (or a command without --user) imports tasks.

Reports — recognized by 任务编号/序号 + 进展状态 + 完成进度; the period from a 调度期 column or
``--period``; the unit from 填报单位 or the uploading unit. The office backfills history with
报送时间 and 审核状态 (待审核/已通过/退回); units upload their prefilled workbook back.
"""

from __future__ import annotations

import datetime
import re

from django.utils import timezone

from liangxin.core.importing import Problem, RowReader, SheetImporter
from liangxin.core.roles import Role
from liangxin.core.tabular import (
    Column,
    SheetSpec,
    ValueProblem,
    parse_date,
    parse_decimal_percent,
    parse_text,
)
from liangxin.dispatch import plans, reports
from liangxin.dispatch.models import Category, Period, ProgressStatus, Report, ReportState, Task, TaskUnit
from liangxin.dispatch.periods import DispatchError, open_period, parse_period_key
from liangxin.dispatch.units import UnitNames, acting_unit

TASK_SPEC = SheetSpec(
    type="dispatch_tasks",
    label="重点任务清单",
    columns=[
        Column("code", "序号", ("任务编号", "编号")),
        Column("category", "任务类别", ("类别", "工作类别", "工作板块")),
        Column("title", "重点任务", ("任务名称", "重点任务名称", "工作任务", "任务内容"), required=True),
        Column("requirement", "具体要求", ("工作要求", "目标任务", "具体要求/目标", "目标要求", "具体措施")),
        Column("lead", "牵头单位", ("牵头部门",), required=True),
        Column("units", "责任单位", ("配合单位", "责任单位（配合单位）", "责任部门", "配合部门")),
        Column("start", "开始时间", ("起始时间",)),
        Column("deadline", "完成时限", ("完成时间", "时限要求", "时间节点"), required=True),
        Column("milestones", "阶段目标", ("阶段性目标", "里程碑")),
        Column("year", "年度"),
    ],
)

STATUS_WORDS = {
    "未启动": ProgressStatus.NOT_STARTED,
    "未开始": ProgressStatus.NOT_STARTED,
    "正常推进": ProgressStatus.ON_TRACK,
    "正常": ProgressStatus.ON_TRACK,
    "推进中": ProgressStatus.ON_TRACK,
    "已完成": ProgressStatus.DONE,
    "完成": ProgressStatus.DONE,
    "滞后": ProgressStatus.LAGGING,
    "进度滞后": ProgressStatus.LAGGING,
}
REVIEW_WORDS = {
    "待审核": ReportState.SUBMITTED,
    "已报送": ReportState.SUBMITTED,
    "已通过": ReportState.ACCEPTED,
    "通过": ReportState.ACCEPTED,
    "退回": ReportState.RETURNED,
    "已退回": ReportState.RETURNED,
}

REPORT_SPEC = SheetSpec(
    type="dispatch_reports",
    label="月调度进展报告",
    columns=[
        Column("period", "调度期", ("调度月份", "月份")),
        Column("code", "任务编号", ("序号", "任务序号"), required=True),
        Column("title", "重点任务", ("任务名称",)),
        Column("unit", "填报单位", ("报送单位", "责任单位")),
        Column("status", "进展状态", ("推进状态", "进展情况"), required=True),
        Column("percent", "完成进度", ("完成进度（%）", "进度"), required=True),
        Column("progress", "本月进展", ("工作进展", "进展成效", "本月工作进展")),
        Column("problems", "存在问题", ("问题困难",)),
        Column("next_steps", "下步打算", ("下步计划", "下一步打算", "下一步工作")),
        Column("submitted_at", "报送时间", ("填报时间", "报送日期")),
        Column("review", "审核状态", ("审核结果",)),
        Column("comment", "退回意见", ("审核意见",)),
    ],
)


def parse_year(value) -> int:
    text = (parse_text(value) or "").removesuffix("年").removesuffix("年度")
    if not re.fullmatch(r"20\d{2}", text):
        raise ValueProblem(f"年度“{parse_text(value)}”应为四位年份，如 2022")
    return int(text)


def parse_status(value) -> str:
    text = parse_text(value) or ""
    if text in STATUS_WORDS:
        return STATUS_WORDS[text]
    raise ValueProblem(f"进展状态“{text}”无效，应为：未启动、正常推进、已完成、滞后")


def parse_review(value) -> str:
    text = parse_text(value) or ""
    if text in REVIEW_WORDS:
        return REVIEW_WORDS[text]
    raise ValueProblem(f"审核状态“{text}”无效，应为：待审核、已通过、退回")


def parse_moment(value) -> datetime.datetime:
    """报送时间: a date (taken as 12:00 that day) or a date and time."""
    if isinstance(value, datetime.datetime):
        moment = value
    else:
        text = parse_text(value) or ""
        m = re.match(r"^(.+?)[ T](\d{1,2}):(\d{2})(?::\d{2})?$", text)
        day = parse_date(m[1] if m else value)
        moment = datetime.datetime.combine(
            day, datetime.time(int(m[2]), int(m[3])) if m else datetime.time(12)
        )
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _is_office(actor) -> bool:
    return actor is None or not getattr(actor, "is_authenticated", False) or actor.role == Role.OFFICE


class TaskImporter(SheetImporter):
    spec = TASK_SPEC
    order = 50

    def start(self) -> None:
        self.names = UnitNames()
        self.allowed = _is_office(self.ctx.actor)
        self.category: str | None = None
        self.seen: dict[str, int] = {}
        self.counter = 0
        self.new_categories: set[str] = set()
        self.year = self._year()
        self.plan = None

    def _year(self) -> int | None:
        """The plan's year when a row has no 年度: from the title, the file name, the options."""
        m = re.search(r"(20\d{2})\s*年", self.match.title_text)
        if m:
            return int(m[1])
        m = re.search(r"(20\d{2})", self.ctx.filename or "")
        if m:
            return int(m[1])
        opts = self.ctx.options
        if opts.get("year"):
            return int(opts["year"])
        if opts.get("period"):
            try:
                return parse_period_key(opts["period"]).year
            except DispatchError:
                return None
        return None

    def parse(self, r: RowReader):
        if not self.allowed:
            r.problem(None, "只有工委办公室可以导入重点任务清单")
            return None
        title = r.get("title", parse_text)
        code_text = r.get("code", parse_text) if r.has("code") else None
        category_text = r.get("category", parse_text) if r.has("category") else None
        if not title and r.raw("lead") in (None, ""):
            # A category heading row (“一、政治统领”): it applies to the rows below it.
            heading = code_text or category_text or ""
            if plans.is_heading(heading):
                self._set_category(r, "code" if code_text else "category", heading)
                return _Skip
        if category_text:
            self._set_category(r, "category", category_text)
        if self.category is None:
            r.problem(
                "category",
                "未填写任务类别，请填写任务类别（如五项工作之一：政治统领、巩固“两个覆盖”、破解“三重”、"
                "融入融合、品牌示范），或在任务上方加一行类别标题",
            )
        if not title:
            r.problem("title", "“重点任务”不能为空，请填写")
        self.counter += 1
        code = (code_text or str(self.counter)).rstrip("、.．")
        if code in self.seen:
            r.problem("code", f"序号“{code}”与第 {self.seen[code]} 行重复")
        self.seen[code] = r.row.number
        year = r.get("year", parse_year) if r.has("year") else None
        year = year or self.year
        if year is None:
            r.problem(
                None,
                "无法确定任务所属年度：请加“年度”列，或在表头上方的标题中写明年份（如“2022年重点任务清单”），"
                "或在文件名中写明年份，或在导入时指定 --year YYYY",
            )
            return None
        lead = units = None
        extra: list = []
        lead_text = r.get("lead", parse_text, required=True)
        if lead_text:
            try:
                found = self.names.many(lead_text)
            except ValueError as exc:
                r.problem("lead", str(exc))
                found = []
            if found:
                lead, extra = found[0], found[1:]
            elif not r.problems:
                r.problem("lead", f"牵头单位“{lead_text}”无法识别")
        units_text = r.get("units", parse_text) if r.has("units") else None
        if units_text:
            try:
                units = self.names.many(units_text)
            except ValueError as exc:
                r.problem("units", str(exc))
        deadline_raw = r.raw("deadline")
        try:
            deadline = plans.parse_deadline(deadline_raw, year=year)
        except ValueProblem as exc:
            r.problem("deadline", exc.message)
            deadline = None
        start = r.get("start", parse_date) if r.has("start") else None
        start = start or datetime.date(year, 1, 1)
        if deadline and deadline < start:
            r.problem("deadline", f"完成时限 {deadline} 早于开始时间 {start}")
        milestones = (r.get("milestones", parse_text) or "") if r.has("milestones") else ""
        try:
            plans.parse_milestones(milestones, year=year)
        except ValueProblem as exc:
            r.problem("milestones", exc.message)
        if r.problems:
            return None
        return year, plans.TaskData(
            code=code,
            category=self.category,
            title=title,
            requirement=r.get("requirement", parse_text) or "" if r.has("requirement") else "",
            lead=lead,
            units=extra + (units or []),
            start=start,
            deadline=deadline,
            deadline_text=(parse_text(deadline_raw) or "长期")[:50],
            milestones=milestones,
        )

    def _set_category(self, r: RowReader, key: str, text: str) -> None:
        try:
            category, new = plans.parse_category(text)
        except ValueProblem as exc:
            r.problem(key, exc.message)
            return
        self.category = category
        if new and category not in self.new_categories:
            self.new_categories.add(category)
            r.warn(
                key,
                f"任务类别“{category}”不是五项工作（{'、'.join(label for _, label in Category.choices)}）"
                "之一，已作为新类别导入",
            )

    def run(self) -> None:  # category rows are skipped, not rejected
        self.start()
        chunk = []
        for row in self.match.data_rows():
            reader = RowReader(row, self.match)
            record = self.parse(reader)
            if record is not _Skip and (reader.problems or record is None):
                self.report.reject(row, reader.problems or [Problem(row.number, "", "该行无法导入")])
                if reader.warnings:
                    self.report.warn(row, reader.warnings, imported=False)
                continue
            if reader.warnings:
                self.report.warn(row, reader.warnings)
            if record is not _Skip:
                chunk.append((row, record))
        if chunk:
            self.write(chunk)

    def write(self, records) -> None:
        for _, (year, data) in records:
            plan = plans.get_or_create_plan(year, actor=self.ctx.actor, source=self.ctx.source)
            _, outcome = plans.save_task(plan, data, actor=self.ctx.actor, source=self.ctx.source)
            setattr(self.report, outcome, getattr(self.report, outcome) + 1)


_Skip = object()


class ReportImporter(SheetImporter):
    spec = REPORT_SPEC
    order = 60

    def start(self) -> None:
        self.names = UnitNames()
        self.office = _is_office(self.ctx.actor)
        self.own_unit = None if self.office else acting_unit(self.ctx.actor)
        self.periods: dict[str, Period] = {}
        self.tasks: dict[tuple[int, str], Task] = {}
        self.reporters = set(TaskUnit.objects.values_list("task_id", "unit_id"))
        self.seen: dict[tuple, int] = {}

    def _period(self, key: str) -> Period:
        if key not in self.periods:
            month = parse_period_key(key)
            period, _ = open_period(month, actor=self.ctx.actor, source=self.ctx.source)
            if period is None:
                raise DispatchError(f"{month.year}年没有重点任务清单，请先导入该年度的任务表")
            self.periods[key] = period
        return self.periods[key]

    def parse(self, r: RowReader):
        period_text = (r.get("period", parse_text) if r.has("period") else None) or self.ctx.options.get(
            "period"
        )
        if not period_text:
            r.problem("period", "无法确定调度期：请加“调度期”列（如 2022-05），或导入时指定 --period YYYY-MM")
            return None
        try:
            period = self._period(period_text.replace("年", "-").removesuffix("月").replace("/", "-"))
        except DispatchError as exc:
            r.problem("period", str(exc))
            return None
        unit_text = r.get("unit", parse_text) if r.has("unit") else None
        if self.office:
            if not unit_text:
                r.problem("unit", "请填写“填报单位”")
                return None
            try:
                unit = self.names.one(unit_text)
            except ValueError as exc:
                r.problem("unit", str(exc))
                return None
        else:
            unit = self.own_unit
            if unit is None:
                r.problem(None, "您的账号没有对应的填报单位，不能导入进展报告")
                return None
            if unit_text and unit not in self.names.candidates(unit_text):  # 市交通局 is 交通运输局
                r.problem("unit", f"只能导入本单位（{unit.name}）的报告，本行填报单位为“{unit_text}”")
                return None
            for key in ("submitted_at", "review"):
                if r.has(key) and r.raw(key) not in (None, ""):
                    r.problem(key, f"“{r.header(key)}”只能由工委办公室补录历史数据时填写")
        code = (r.get("code", parse_text, required=True) or "").rstrip("、.．")
        task = self.tasks.get((period.plan_id, code))
        if task is None and code:
            task = Task.objects.filter(plan=period.plan, code=code).first()
            if task is None:
                r.problem("code", f"{period.plan.year}年任务清单中没有序号为“{code}”的任务")
                return None
            self.tasks[(period.plan_id, code)] = task
        if task and (task.pk, unit.pk) not in self.reporters:
            r.problem("unit", f"“{unit.name}”不是任务 {code} 的牵头或责任单位")
        key = (period.pk, code, unit.pk)
        if key in self.seen:
            r.problem("code", f"与第 {self.seen[key]} 行是同一单位同一任务同一月份的报告，本行未导入")
        self.seen[key] = r.row.number
        status = r.get("status", parse_status, required=True)
        percent = r.get("percent", parse_decimal_percent, required=True)
        submitted_at = r.get("submitted_at", parse_moment) if r.has("submitted_at") else None
        review = r.get("review", parse_review) if r.has("review") else None
        comment = (r.get("comment", parse_text) if r.has("comment") else None) or ""
        if status == ProgressStatus.DONE and percent is not None and percent != 100:
            r.problem("percent", "进展状态为“已完成”时，完成进度应为 100")
        if review == ReportState.RETURNED and not comment:
            comment = "（历史数据导入：退回）"
        if r.problems:
            return None
        data = {
            "status": status,
            "percent": int(percent),
            "progress": (r.get("progress", parse_text) if r.has("progress") else None) or "",
            "problems": (r.get("problems", parse_text) if r.has("problems") else None) or "",
            "next_steps": (r.get("next_steps", parse_text) if r.has("next_steps") else None) or "",
        }
        return {
            "period": period,
            "task": task,
            "unit": unit,
            "data": data,
            "at": submitted_at,
            "review": review or ReportState.SUBMITTED,
            "comment": comment,
        }

    def write(self, records) -> None:
        for row, rec in records:
            existing = Report.objects.filter(task=rec["task"], unit=rec["unit"], period=rec["period"]).first()
            if existing and existing.state != ReportState.DRAFT:
                same = all(getattr(existing, k) == v for k, v in rec["data"].items())
                if same and existing.state == rec["review"]:
                    self.report.unchanged += 1
                    continue
                if existing.state != ReportState.RETURNED:
                    problem = Problem(row.number, "", f"该报告已{existing.get_state_display()}，不能再修改")
                    self.report.reject(row, [problem])
                    continue
            try:
                report = reports.save_report(
                    actor=self.ctx.actor,
                    task=rec["task"],
                    unit=rec["unit"],
                    period=rec["period"],
                    data=rec["data"],
                    submit=True,
                    at=rec["at"],
                    source=self.ctx.source,
                    check_lock=not self.office,
                )
                if rec["review"] == ReportState.ACCEPTED:
                    reports.accept_report(report, actor=self.ctx.actor, at=rec["at"], source=self.ctx.source)
                elif rec["review"] == ReportState.RETURNED:
                    reports.return_report(
                        report,
                        actor=self.ctx.actor,
                        comment=rec["comment"],
                        at=rec["at"],
                        source=self.ctx.source,
                    )
            except DispatchError as exc:
                self.report.reject(row, [Problem(row.number, "", str(exc))])
                continue
            if existing:
                self.report.updated += 1
            else:
                self.report.created += 1


IMPORTERS = [TaskImporter, ReportImporter]
