"""Plans and tasks: deadline phrases, and every change to a task (through an audited service)."""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from django.db import transaction

from liangxin.core import audit
from liangxin.core.tabular import ValueProblem, parse_date
from liangxin.dispatch.models import Category, Milestone, Plan, Task, TaskUnit

OPEN_ENDED = ("长期", "持续推进", "长期坚持", "常态化", "持续", "长期推进")
_MONTH_END = re.compile(r"^(?:(\d{4})年)?(\d{1,2})月(?:底|末|份)(?:前|以前)?$")
_MONTH_DAY = re.compile(r"^(?:(\d{4})年)?(\d{1,2})月(\d{1,2})[日号]?(?:前|以前)?$")
_YEAR_END = re.compile(r"^(?:(\d{4})年)?(?:年底|年内|年末)(?:前)?$")


def parse_deadline(value, *, year: int) -> datetime.date | None:
    """A deadline as an office writes it, against the plan `year`:
    6月底前 / 6月底 / 6月末 → 30 June; 6月30日前 → 30 June; 2022年6月30日 / 2022-06-30 → that day;
    年底前 → 31 December; 长期 / 持续推进 / empty → None (no deadline).
    Raises ValueProblem (Chinese) for anything else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime.date | int | float) and not isinstance(value, bool):
        return parse_date(value)  # a date cell, an Excel serial or 20220630
    text = re.sub(r"\s+", "", str(value)).translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if text in OPEN_ENDED or text.startswith("长期") or text.startswith("持续"):
        return None
    if m := _MONTH_END.match(text):
        y, month = int(m[1] or year), int(m[2])
        if not 1 <= month <= 12:
            raise ValueProblem(f"完成时限“{value}”中的月份不存在")
        return datetime.date(y, month, calendar.monthrange(y, month)[1])
    if m := _YEAR_END.match(text):
        return datetime.date(int(m[1] or year), 12, 31)
    if m := _MONTH_DAY.match(text):
        try:
            return datetime.date(int(m[1] or year), int(m[2]), int(m[3]))
        except ValueError:
            raise ValueProblem(f"完成时限“{value}”不是有效日期") from None
    try:
        return parse_date(text)
    except ValueProblem:
        raise ValueProblem(
            f"无法识别的完成时限“{value}”，请填写如“6月底前”“2022年6月30日”“12月底”或“长期”"
        ) from None


# 阶段目标 (milestones): “6月底前完成调研；9月底前建成”. Each milestone starts with a time.
_CN_NUMBERS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_CN_MONTH = re.compile(r"(?<![\d一二三四五六七八九十])(十[一二]|十|[一二三四五六七八九])月")
_MS_MONTH = re.compile(
    r"^(?:(\d{4})年)?(\d{1,2})月(?:(\d{1,2})[日号]|(底|末|份|上旬|中旬|下旬|初))?(?:前|以前|之前|内)?"
)
_MS_YEAR_PART = re.compile(
    r"^(?:(\d{4})年)?(?:(年底|年末|年内|下半年)|(上半年)|第?([一二三四1-4])季度(?:末|底)?)(?:前|以前|之前|内)?"
)
_MS_ISO = re.compile(r"^(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?:日)?(?:前|以前|之前)?")
_MS_ENUM = re.compile(r"^(?:\d{1,2}[.．、)]|[（(]\d{1,2}[)）]|[①②③④⑤⑥⑦⑧⑨⑩])\s*")
_MS_SEGMENTS = re.compile(r"[；;。\n]+")
_MS_PIECES = re.compile(r"[，,]")
_PART_DAY = {"上旬": 10, "初": 10, "中旬": 20}


@dataclass
class MilestoneData:
    due: datetime.date
    due_text: str  # the time as written: 6月底前
    text: str  # what is to be done by then: 完成调研

    @property
    def written(self) -> str:
        return f"{self.due_text}{self.text}"


def _cn_months(text: str) -> str:
    def number(m: re.Match) -> str:
        word = m[1]
        value = 10 + _CN_NUMBERS.get(word[1:], 0) if word.startswith("十") else _CN_NUMBERS[word]
        return f"{value}月"

    return _CN_MONTH.sub(number, text)


def _milestone_time(text: str, year: int) -> tuple[datetime.date, str] | None:
    """The time a milestone starts with, and how long that phrase is; None if it starts otherwise."""
    if m := _MS_MONTH.match(text):
        y, month = int(m[1] or year), int(m[2])
        if not 1 <= month <= 12:
            raise ValueProblem(f"阶段目标“{text}”中的月份“{month}月”不存在")
        last = calendar.monthrange(y, month)[1]
        if m[3]:
            day = int(m[3])
            if not 1 <= day <= last:
                raise ValueProblem(f"阶段目标“{text}”中的日期“{month}月{day}日”不存在")
        else:
            day = _PART_DAY.get(m[4] or "", last)
        return datetime.date(y, month, day), m[0]
    if m := _MS_YEAR_PART.match(text):
        y = int(m[1] or year)
        if m[2]:
            return datetime.date(y, 12, 31), m[0]
        if m[3]:
            return datetime.date(y, 6, 30), m[0]
        quarter = {"一": 1, "二": 2, "三": 3, "四": 4}.get(m[4]) or int(m[4])
        month = quarter * 3
        return datetime.date(y, month, calendar.monthrange(y, month)[1]), m[0]
    if m := _MS_ISO.match(text):
        try:
            return datetime.date(int(m[1]), int(m[2]), int(m[3])), m[0]
        except ValueError:
            raise ValueProblem(f"阶段目标“{text}”中的日期不存在") from None
    return None


def parse_milestones(value, *, year: int) -> list[MilestoneData]:
    """阶段目标 as an office writes them, against the plan `year`: “6月底前完成调研；9月底前建成”,
    one per line or separated by ；。, or by ， when the next part starts with a time.
    Times: 6月底前, 6月30日前, 6月中旬, 六月底, 上半年, 三季度末, 年底前, 2022-06-30.
    Raises ValueProblem (Chinese) naming the part that has no time or no content."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return []
    if isinstance(value, datetime.date | int | float) and not isinstance(value, bool):
        raise ValueProblem("阶段目标应写明时间和内容，如“6月底前完成调研；9月底前建成”")
    text = str(value).translate(str.maketrans("０１２３４５６７８９　", "0123456789 "))
    found: list[MilestoneData] = []
    for segment in _MS_SEGMENTS.split(text):
        pieces: list[str] = []
        for piece in _MS_PIECES.split(segment):
            piece = _cn_months(_MS_ENUM.sub("", piece.strip()))
            if not piece:
                continue
            if pieces and _milestone_time(re.sub(r"\s+", "", piece), year) is None:
                pieces[-1] += f"，{piece}"  # “6月底前完成调研，形成报告”: one milestone
            else:
                pieces.append(piece)
        for piece in pieces:
            compact = re.sub(r"\s+", "", piece)
            time = _milestone_time(compact, year)
            if time is None:
                raise ValueProblem(
                    f"无法识别的阶段目标“{piece}”：每项应以时间开头，如“6月底前完成调研；9月底前建成”"
                )
            due, phrase = time
            rest = (
                piece.strip()[len(phrase) :] if piece.strip().startswith(phrase) else compact[len(phrase) :]
            )
            rest = rest.strip(" ，,：:、")
            if not rest:
                raise ValueProblem(f"阶段目标“{piece}”只有时间，请写明到时要完成的内容")
            if due.year != year:
                raise ValueProblem(f"阶段目标“{piece}”的时间 {due} 不在 {year} 年度内")
            found.append(MilestoneData(due=due, due_text=phrase, text=rest[:300]))
    return sorted(found, key=lambda m: m.due)


def milestones_text(items: list[MilestoneData]) -> str:
    """The milestones written back, one per line (what the task form shows)."""
    return "\n".join(m.written for m in items)


CATEGORY_WORDS = {
    Category.POLITICAL: ("政治统领", "政治"),
    Category.COVERAGE: ("两个覆盖", "覆盖"),
    Category.THREE: ("三重",),
    Category.INTEGRATION: ("融入融合", "融合", "融入"),
    Category.BRAND: ("品牌示范", "品牌", "示范"),
}


CATEGORY_MAX = 50
# The numbering an office writes before a heading (一、 （二） 3. 第四部分).
_HEADING_NUMBER = re.compile(
    r"^\s*(?:第?[一二三四五六七八九十]+(?:部分|类)?\s*[、.．:：]?|[（(][一二三四五六七八九十\d]+[)）]|\d+\s*[、.．])\s*"
)


def default_category(value) -> str | None:
    """The line of work a written category names (its label or a known synonym), else None."""
    text = str(value or "").strip()
    for category, words in CATEGORY_WORDS.items():
        if any(word in text for word in words):
            return category
    return None


def parse_category(value) -> tuple[str, bool]:
    """A task's category and whether it is new. Categories are labels (domain.md §8): the five
    lines of work are the defaults and their synonyms map to them; any other category is kept
    as written (without a heading's numbering: “六、队伍建设” → 队伍建设)."""
    text = _HEADING_NUMBER.sub("", str(value or "").strip(), count=1).strip()
    known = default_category(text)
    if known:
        return known, False
    if not text:
        raise ValueProblem("任务类别为空")
    if len(text) > CATEGORY_MAX:
        raise ValueProblem(f"任务类别“{text[:20]}…”过长（{len(text)} 字），最多 {CATEGORY_MAX} 字")
    return text, True


def is_heading(value) -> bool:
    """Whether a cell alone on its row reads as a category heading (“一、政治统领”, “（六）队伍建设”)."""
    text = str(value or "").strip()
    return bool(default_category(text)) or bool(_HEADING_NUMBER.match(text) and _HEADING_NUMBER.sub("", text))


def category_choices(year: int | None = None) -> list[tuple[str, str]]:
    """The five lines of work, then the categories the year's tasks added (for lists and forms)."""
    choices = list(Category.choices)
    if year is not None:
        defaults = {value for value, _ in choices}
        added = (
            Task.objects.filter(plan__year=year)
            .exclude(category__in=defaults)
            .values_list("category", flat=True)
            .distinct()
            .order_by("category")
        )
        choices += [(c, c) for c in added]
    return choices


@dataclass
class TaskData:
    code: str
    category: str
    title: str
    requirement: str
    lead: object
    units: list
    start: datetime.date
    deadline: datetime.date | None
    deadline_text: str = ""
    milestones: str = ""
    measure: str | None = None  # None: keep the task's (an imported table does not know it)


@transaction.atomic
def get_or_create_plan(year: int, *, actor, source: str | None = None) -> Plan:
    plan, created = Plan.objects.get_or_create(year=year)
    if created:
        audit.record(
            "dispatch.plan.created", actor=actor, obj=plan, after=audit.snapshot(plan), source=source
        )
    return plan


def _task_snapshot(task: Task) -> dict:
    data = audit.snapshot(
        task,
        ["code", "category", "title", "requirement", "lead", "start", "deadline", "milestones", "measure"],
    )
    data["units"] = [
        a.unit.name for a in task.assignments.select_related("unit").order_by("-is_lead", "unit__sort")
    ]
    return data


@transaction.atomic
def save_task(plan: Plan, data: TaskData, *, actor, task: Task | None = None, source: str | None = None):
    """Create or update a task (by plan and code when `task` is None). Returns (task, created|updated|unchanged)."""
    if task is None:
        task = Task.objects.filter(plan=plan, code=data.code).first()
    created = task is None
    before = None if created else _task_snapshot(task)
    task = task or Task(plan=plan)
    for name in (
        "code",
        "category",
        "title",
        "requirement",
        "lead",
        "start",
        "deadline",
        "deadline_text",
        "milestones",
    ):
        setattr(task, name, getattr(data, name))
    if data.measure is not None:
        task.measure = data.measure
    task.save()
    wanted = {data.lead.pk: True} | {u.pk: False for u in data.units if u.pk != data.lead.pk}
    current = {a.unit_id: a for a in task.assignments.all()}
    for unit_id, assignment in current.items():
        if unit_id not in wanted:
            assignment.delete()
        elif assignment.is_lead != wanted[unit_id]:
            assignment.is_lead = wanted[unit_id]
            assignment.save(update_fields=["is_lead"])
    TaskUnit.objects.bulk_create(
        [TaskUnit(task=task, unit_id=uid, is_lead=lead) for uid, lead in wanted.items() if uid not in current]
    )
    _sync_milestones(task, parse_milestones(data.milestones, year=plan.year))
    after = _task_snapshot(task)
    if created:
        audit.record("dispatch.task.created", actor=actor, obj=task, after=after, source=source)
        return task, "created"
    old, new = audit.changed(before, after)
    if not new:
        return task, "unchanged"
    audit.record("dispatch.task.updated", actor=actor, obj=task, before=old, after=new, source=source)
    return task, "updated"


def _sync_milestones(task: Task, items: list[MilestoneData]) -> None:
    """The task's Milestone rows become `items` (rows are rewritten only when they differ)."""
    have = [(m.due, m.due_text, m.text) for m in task.milestone_items.order_by("due", "id")]
    want = [(m.due, m.due_text, m.text) for m in items]
    if have == want:
        return
    task.milestone_items.all().delete()
    Milestone.objects.bulk_create([Milestone(task=task, due=d, due_text=dt, text=t) for d, dt, t in want])


@transaction.atomic
def update_plan_settings(plan: Plan, *, actor, **values) -> Plan:
    before = audit.snapshot(plan)
    for name, value in values.items():
        setattr(plan, name, value)
    plan.save()
    old, new = audit.changed(before, audit.snapshot(plan))
    if new:
        audit.record("dispatch.plan.updated", actor=actor, obj=plan, before=old, after=new)
    return plan
