"""The monthly dispatch (月调度): plans, tasks, periods, reports, their history and reminders.

Rules on lights, rates and scores live in one place: `dispatch.status` (domain.md §6).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from liangxin.core.dates import month_end
from liangxin.core.roles import Role
from liangxin.core.scoping import ScopedManager


class Category(models.TextChoices):
    POLITICAL = "political", "政治统领"
    COVERAGE = "coverage", "巩固“两个覆盖”"
    THREE = "three", "破解“三重”"
    INTEGRATION = "integration", "融入融合"
    BRAND = "brand", "品牌示范"


class Plan(models.Model):
    """The year's 重点任务清单, with the knobs of its lights and scores."""

    year = models.PositiveIntegerField("年度", unique=True)
    title = models.CharField("名称", max_length=200, blank=True)
    lag_points = models.PositiveIntegerField(
        "滞后判定差值（百分点）", default=20, help_text="完成进度落后于时间进度超过该值即为滞后（黄灯）"
    )
    weight_on_time = models.PositiveIntegerField("得分权重：按时报送", default=70)
    weight_done = models.PositiveIntegerField("得分权重：按期完成", default=30)
    penalty_returned = models.PositiveIntegerField("扣分：每次被退回", default=2)
    late_credit = models.PositiveIntegerField(
        "迟报得分比例（%）",
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text="逾期报送的事项按按时报送得分的该比例计分（介于按时报送和未报送之间）",
    )
    is_draft = models.BooleanField(
        "草稿",
        default=False,
        help_text="新年度清单由上年度结转生成时为草稿：工委办公室确认后才打开调度期",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "年度重点任务清单"
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.title or f"{self.year}年基层党建重点任务"


class Task(models.Model):
    """重点任务. The units reporting on it are `assignments` (its lead unit and responsible units)."""

    plan = models.ForeignKey(Plan, verbose_name="年度清单", on_delete=models.CASCADE, related_name="tasks")
    code = models.CharField("序号", max_length=20)
    sort_key = models.CharField(max_length=60, editable=False, db_index=True)
    # A label (domain.md §8): one of the `Category` defaults, or a category written in the plan.
    category = models.CharField("任务类别", max_length=50)
    title = models.CharField("重点任务", max_length=300)
    requirement = models.TextField("具体要求", blank=True)
    lead = models.ForeignKey(
        "core.MemberUnit", verbose_name="牵头单位", on_delete=models.PROTECT, related_name="+"
    )
    start = models.DateField("开始时间")
    deadline = models.DateField("完成时限", null=True, blank=True, help_text="留空表示长期（持续推进）")
    deadline_text = models.CharField("完成时限（原文）", max_length=50, blank=True)
    milestones = models.TextField(
        "阶段目标", blank=True, help_text="原文，如“6月底前完成调研；9月底前建成”；逐项解析为 Milestone"
    )
    units = models.ManyToManyField(
        "core.MemberUnit", through="TaskUnit", verbose_name="报送单位", related_name="dispatch_tasks"
    )
    # Enter once: a measure another ledger holds (dispatch.measures); the unit's report is
    # prefilled with its current value and records.
    measure = models.CharField("关联台账指标", max_length=60, blank=True)
    carried_from = models.ForeignKey(
        "self",
        verbose_name="结转自",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="carried_to",
        help_text="上年度未完成或长期推进、结转到本年度的任务",
    )

    objects = ScopedManager()
    scope_member_unit = "assignments__unit_id"
    scope_region = "assignments__unit__"
    scope_distinct = True
    scope_all_roles = (Role.OFFICE,)

    class Meta:
        verbose_name = "重点任务"
        ordering = ["plan", "sort_key"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="dispatch_task_code_unique")]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"

    def save(self, *args, **kwargs):
        self.sort_key = sort_key(self.code)
        super().save(*args, **kwargs)

    @property
    def category_label(self) -> str:
        """A default category's label, or the category as written."""
        try:
            return Category(self.category).label
        except ValueError:
            return self.category

    @property
    def measure_label(self) -> str:
        from liangxin.dispatch import measures

        return measures.label(self.measure) if self.measure else ""

    @property
    def deadline_label(self) -> str:
        return self.deadline.isoformat() if self.deadline else "长期"


def sort_key(code: str) -> str:
    """'2.10' sorts after '2.9': each dotted part zero-padded."""
    return ".".join(p.zfill(4) if p.isdigit() else p for p in str(code).split("."))


class Milestone(models.Model):
    """阶段目标: what a task must reach by a date, parsed from the 阶段目标 text of its task.

    Missed when the date has passed and the task is not done (every reporting unit's light is
    已完成) — see `status.milestone_states`."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="milestone_items")
    due = models.DateField("完成时间")
    due_text = models.CharField("时间（原文）", max_length=50, blank=True)
    text = models.CharField("阶段目标", max_length=300)

    class Meta:
        verbose_name = "阶段目标"
        ordering = ["task", "due", "id"]

    def __str__(self) -> str:
        return f"{self.due_text or self.due.isoformat()}{self.text}"


class TaskUnit(models.Model):
    """One unit that reports on a task: the lead unit or a responsible unit."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey("core.MemberUnit", on_delete=models.PROTECT, related_name="+")
    is_lead = models.BooleanField("牵头", default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "unit"], name="dispatch_taskunit_unique")]

    def __str__(self) -> str:
        return f"{self.task.code} {self.unit}"


class Period(models.Model):
    """调度期: one month. Opens on the 1st; due on `due_day`; the office may lock it."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="periods")
    month = models.DateField("月份", unique=True, help_text="该月 1 日")
    due_day = models.PositiveSmallIntegerField("报送截止日", default=25)
    locked = models.BooleanField("已锁定", default=False)
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "调度期"
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month.year}年{self.month.month}月"

    @property
    def key(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def last_day(self) -> datetime.date:
        return month_end(self.month)

    @property
    def due_date(self) -> datetime.date:
        return self.month.replace(day=min(self.due_day, self.last_day.day))


class PeriodUnlock(models.Model):
    """A locked period reopened for one unit (a late report then goes through)."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="unlocks")
    unit = models.ForeignKey("core.MemberUnit", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period", "unit"], name="dispatch_unlock_unique")]

    def __str__(self) -> str:
        return f"{self.period} {self.unit}"


class ProgressStatus(models.TextChoices):
    NOT_STARTED = "not_started", "未启动"
    ON_TRACK = "on_track", "正常推进"
    DONE = "done", "已完成"
    LAGGING = "lagging", "滞后"


class ReportState(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已报送"
    RETURNED = "returned", "已退回"
    ACCEPTED = "accepted", "已通过"


class Report(models.Model):
    """进展报告: one task × unit × period. Every step is kept as a `ReportEvent`."""

    task = models.ForeignKey(Task, verbose_name="重点任务", on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey(
        "core.MemberUnit", verbose_name="填报单位", on_delete=models.PROTECT, related_name="+"
    )
    period = models.ForeignKey(
        Period, verbose_name="调度期", on_delete=models.CASCADE, related_name="reports"
    )
    status = models.CharField(
        "进展状态", max_length=12, choices=ProgressStatus.choices, default=ProgressStatus.ON_TRACK
    )
    percent = models.PositiveSmallIntegerField("完成进度（%）", default=0)
    progress = models.TextField("本月进展", blank=True)
    problems = models.TextField("存在问题", blank=True)
    next_steps = models.TextField("下步打算", blank=True)
    state = models.CharField(
        "审核状态", max_length=10, choices=ReportState.choices, default=ReportState.DRAFT
    )
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_comment = models.TextField("退回意见", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    scope_member_unit = "unit_id"
    scope_region = "unit__"
    scope_all_roles = (Role.OFFICE,)

    class Meta:
        verbose_name = "进展报告"
        ordering = ["period", "task__sort_key", "unit__sort"]
        constraints = [
            models.UniqueConstraint(fields=["task", "unit", "period"], name="dispatch_report_unique")
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.unit} {self.task.code}"


class ReportEvent(models.Model):
    """One step of a report (saved, submitted, returned, accepted), with the content at that step.

    The status function reads these, so any date's picture can be rebuilt exactly."""

    class Action(models.TextChoices):
        SAVED = "saved", "保存草稿"
        SUBMITTED = "submitted", "报送"
        RETURNED = "returned", "退回"
        ACCEPTED = "accepted", "审核通过"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=10, choices=Action.choices)
    at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    status = models.CharField("进展状态", max_length=12, choices=ProgressStatus.choices)
    percent = models.PositiveSmallIntegerField("完成进度（%）", default=0)
    comment = models.TextField("意见", blank=True)

    class Meta:
        verbose_name = "报告记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


def attachment_path(instance, filename: str) -> str:
    return f"dispatch/{instance.report.period.key}/{instance.report_id}/{filename}"


class Attachment(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("附件", upload_to=attachment_path, max_length=300)
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


NOTICE_KINDS = {
    "opened": "调度开启",
    "due_soon": "即将截止",
    "overdue": "逾期未报",
    "chase": "催报",
    "returned": "报告被退回",
    "sentinel_overdue": "流动哨兵报告逾期",  # queued by liangxin.workforce through `reminders.register_tick_hook`
    "revisit_due": "品牌回访到期",
    "revisit_overdue": "品牌回访逾期",
    "rectify_overdue": "整改逾期",
    "term_3m": "换届提醒（3个月）",  # queued by liangxin.coverage (terms.remind_terms)
    "term_1m": "换届提醒（1个月）",  # queued by liangxin.coverage (rectification.chase_overdue)
}


class Notice(models.Model):
    """An in-app reminder to a unit. `key` makes it unique; `sent_at` is claimed with a
    conditional UPDATE so a reminder goes out once however often the tick runs."""

    unit = models.ForeignKey("core.MemberUnit", on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(
        Period, null=True, blank=True, on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField("类型", max_length=20)
    key = models.CharField(max_length=120, unique=True)
    message = models.CharField("内容", max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    gateway_result = models.CharField(max_length=200, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()
    scope_member_unit = "unit_id"
    scope_region = "unit__"
    scope_all_roles = (Role.OFFICE,)

    class Meta:
        verbose_name = "提醒"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.message

    @property
    def kind_label(self) -> str:
        return NOTICE_KINDS.get(self.kind, self.kind)
