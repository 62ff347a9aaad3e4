"""The meeting sheet of `liangxin import_data` (and the import page): one row per 议定事项.

Recognized by 会议名称 + 会议日期 + 议定事项 + 牵头单位; also 会议类型 (全体会议/联席会议/专题会议,
empty = 全体会议), 责任单位, 完成时限 (the dispatch's deadline phrases, read against the meeting's
year) and 纳入调度 (是/否, empty = 是). Rows of the same 会议名称 and 会议日期 are one meeting; the
lead and responsible units named are recorded as attending. A decision marked 纳入调度 becomes a
task of its year's plan at once (`services.dispatch_decision`), reported from the next month.
Re-importing the same sheet changes nothing. Only the office (or a command without --user)."""

from __future__ import annotations

from liangxin.committee import services
from liangxin.committee.models import Meeting, MeetingKind
from liangxin.core.importing import RowReader, SheetImporter
from liangxin.core.roles import Role
from liangxin.core.tabular import Column, SheetSpec, ValueProblem, parse_bool, parse_date, parse_text
from liangxin.core.unitnames import UnitNames
from liangxin.dispatch.plans import parse_deadline

MEETING_SPEC = SheetSpec(
    type="committee_meetings",
    label="工委会议议定事项",
    columns=[
        Column("name", "会议名称", ("会议",), required=True),
        Column("date", "会议日期", ("召开日期", "会议时间"), required=True),
        Column("kind", "会议类型", ("会议类别",)),
        Column("title", "议定事项", ("议定事项内容", "会议议定事项"), required=True),
        Column("lead", "牵头单位", ("牵头部门",), required=True),
        Column("units", "责任单位", ("配合单位", "责任部门")),
        Column("deadline", "完成时限", ("完成时间", "时限要求")),
        Column("dispatch", "纳入调度", ("是否纳入调度", "纳入月调度")),
    ],
)

KINDS = {label: value for value, label in MeetingKind.choices} | {
    "全体": "plenary",
    "联席": "joint",
    "专题": "topic",
}


def parse_kind(value) -> str:
    text = parse_text(value) or ""
    if text in KINDS:
        return KINDS[text]
    raise ValueProblem(f"会议类型“{text}”无效，应为：全体会议、联席会议、专题会议")


class MeetingImporter(SheetImporter):
    spec = MEETING_SPEC
    order = 70  # after the plan's tasks

    def start(self) -> None:
        self.names = UnitNames()
        actor = self.ctx.actor
        self.allowed = (
            actor is None or not getattr(actor, "is_authenticated", False) or actor.role == Role.OFFICE
        )
        self.seen: dict[tuple, int] = {}

    def parse(self, r: RowReader):
        if not self.allowed:
            r.problem(None, "只有工委办公室可以导入工委会议")
            return None
        name = r.get("name", parse_text, required=True)
        day = r.get("date", parse_date, required=True)
        kind = (r.get("kind", parse_kind) if r.has("kind") else None) or MeetingKind.PLENARY
        title = r.get("title", parse_text, required=True)
        lead = None
        lead_text = r.get("lead", parse_text, required=True)
        if lead_text:
            try:
                lead = self.names.one(lead_text)
            except ValueError as exc:
                r.problem("lead", str(exc))
        units = []
        units_text = r.get("units", parse_text) if r.has("units") else None
        if units_text:
            try:
                units = [u for u in self.names.many(units_text) if lead is None or u.pk != lead.pk]
            except ValueError as exc:
                r.problem("units", str(exc))
        deadline = None
        deadline_text = (parse_text(r.raw("deadline")) or "长期") if r.has("deadline") else "长期"
        if day is not None and r.has("deadline"):
            try:
                deadline = parse_deadline(r.raw("deadline"), year=day.year)
            except ValueProblem as exc:
                r.problem("deadline", exc.message)
            if deadline is not None and deadline < day:
                r.problem("deadline", f"完成时限 {deadline} 早于会议日期 {day}")
        enters = r.get("dispatch", parse_bool) if r.has("dispatch") else None
        key = (name, day, title)
        if key in self.seen:
            r.problem("title", f"议定事项与第 {self.seen[key]} 行重复")
        self.seen[key] = r.row.number
        if r.problems:
            return None
        return (
            (name, day, kind),
            services.DecisionData(
                title=title[:300],
                lead=lead,
                units=units,
                deadline=deadline,
                deadline_text=deadline_text[:50],
                enters_dispatch=True if enters is None else enters,
            ),
        )

    def write(self, records) -> None:
        actor, source = self.ctx.actor, self.ctx.source
        for _, ((name, day, kind), data) in records:
            meeting = Meeting.objects.filter(name=name, date=day).first()
            if meeting is None:
                meeting = services.save_meeting(Meeting(name=name, date=day, kind=kind), [], actor=actor)
            existing = meeting.decisions.filter(title=data.title).first()
            if existing is not None and _decision_state(existing) == _wanted(data):
                self.report.unchanged += 1
                continue
            decision = services.add_decision(meeting, data, actor=actor, source=source)
            meeting.attendees.add(data.lead, *data.units)
            if decision.enters_dispatch:
                services.dispatch_decision(decision, actor=actor, source=source)
            outcome = "created" if existing is None else "updated"
            setattr(self.report, outcome, getattr(self.report, outcome) + 1)


def _decision_state(decision) -> tuple:
    return (
        decision.lead_id,
        tuple(sorted(decision.units.values_list("pk", flat=True))),
        decision.deadline,
        decision.deadline_text,
        decision.enters_dispatch,
    )


def _wanted(data: services.DecisionData) -> tuple:
    return (
        data.lead.pk,
        tuple(sorted(u.pk for u in data.units)),
        data.deadline,
        data.deadline_text,
        data.enters_dispatch,
    )


IMPORTERS = [MeetingImporter]
