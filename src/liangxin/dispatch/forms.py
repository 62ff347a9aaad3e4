import datetime

from django import forms

from liangxin.core.locking import VersionedForm
from liangxin.core.models import MemberUnit
from liangxin.core.tabular import ValueProblem
from liangxin.dispatch import measures
from liangxin.dispatch.models import ProgressStatus
from liangxin.dispatch.plans import category_choices, parse_deadline, parse_milestones
from liangxin.dispatch.reports import ATTACHMENT_EXTENSIONS, attachment_limit


class ReportForm(VersionedForm):
    status = forms.ChoiceField(label="进展状态", choices=ProgressStatus.choices)
    percent = forms.IntegerField(label="完成进度（%）", min_value=0, max_value=100)
    progress = forms.CharField(label="本月进展", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    problems = forms.CharField(label="存在问题", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    next_steps = forms.CharField(label="下步打算", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    attachment = forms.FileField(
        label="附件",
        required=False,
        help_text="可选；PDF、Word、Excel、图片、文本或 zip，单个不超过 10 MB",
    )

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload:
            if not upload.name.lower().endswith(ATTACHMENT_EXTENSIONS):
                raise forms.ValidationError("附件类型不支持，请上传 PDF、Word、Excel、图片、文本或 zip 文件")
            if upload.size > attachment_limit():
                raise forms.ValidationError(
                    f"附件大小为 {upload.size / 1048576:.1f} MB，超过上限 {attachment_limit() // 1048576} MB"
                )
        return upload

    def clean(self):
        data = super().clean()
        if data.get("status") == ProgressStatus.DONE and data.get("percent") not in (None, 100):
            self.add_error("percent", "进展状态为“已完成”时，完成进度应为 100")
        return data


class ReturnForm(forms.Form):
    comment = forms.CharField(label="退回意见", widget=forms.Textarea(attrs={"rows": 3}))


class TaskForm(VersionedForm):
    code = forms.CharField(label="序号", max_length=20)
    category = forms.ChoiceField(label="任务类别")
    title = forms.CharField(label="重点任务", max_length=300)
    requirement = forms.CharField(label="具体要求", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    lead = forms.ModelChoiceField(label="牵头单位", queryset=MemberUnit.objects.filter(active=True))
    units = forms.ModelMultipleChoiceField(
        label="责任单位",
        queryset=MemberUnit.objects.filter(active=True),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    start = forms.DateField(label="开始时间", required=False, help_text="留空为当年 1 月 1 日")
    deadline = forms.CharField(
        label="完成时限",
        max_length=50,
        required=False,
        help_text="如“6月底前”“2022年6月30日”；留空或“长期”为长期任务",
    )
    milestones = forms.CharField(
        label="阶段目标",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="每行一项，以时间开头，如“6月底前完成调研”“9月底前建成”；时间按本年度理解，可留空",
    )
    measure = forms.ChoiceField(
        label="关联台账指标",
        required=False,
        help_text="关联后，各单位本任务的月报按系统中的数据预填（品牌申报、结对共建、覆盖率等），单位核对补充即可",
    )

    def __init__(self, *args, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year
        self.fields["measure"].choices = measures.choices()
        # The five lines of work and the categories the plan's tasks added (a label of its own).
        self.fields["category"].choices = category_choices(year)

    def clean_deadline(self):
        text = self.cleaned_data.get("deadline") or ""
        try:
            self.cleaned_data["deadline_date"] = parse_deadline(text, year=self.year)
        except ValueProblem as exc:
            raise forms.ValidationError(exc.message) from None
        return text

    def clean_milestones(self):
        text = (self.cleaned_data.get("milestones") or "").strip()
        try:
            self.cleaned_data["milestone_items"] = parse_milestones(text, year=self.year)
        except ValueProblem as exc:
            raise forms.ValidationError(exc.message) from None
        return text

    def clean(self):
        data = super().clean()
        deadline, start = data.get("deadline_date"), data.get("start") or datetime.date(self.year, 1, 1)
        if deadline and deadline < start:
            self.add_error("deadline", f"完成时限 {deadline} 早于开始时间 {start}")
        return data


class PeriodForm(forms.Form):
    due_day = forms.IntegerField(label="报送截止日", min_value=1, max_value=31)
    locked = forms.BooleanField(label="锁定（逾期报告须由工委办公室为单位解锁）", required=False)


class PlanSettingsForm(forms.Form):
    title = forms.CharField(label="清单名称", max_length=200, required=False)
    lag_points = forms.IntegerField(
        label="滞后判定差值（百分点）",
        min_value=0,
        max_value=100,
        help_text="完成进度落后于时间进度超过该值即亮黄灯，默认 20",
    )
    weight_on_time = forms.IntegerField(label="得分权重：按时报送", min_value=0, max_value=100)
    weight_done = forms.IntegerField(label="得分权重：按期完成", min_value=0, max_value=100)
    penalty_returned = forms.IntegerField(label="扣分：每次被退回", min_value=0, max_value=100)
    late_credit = forms.IntegerField(
        label="迟报得分比例（%）",
        min_value=1,
        max_value=99,
        help_text="逾期报送的事项按按时报送得分的该比例计分，默认 50",
    )

    def clean(self):
        data = super().clean()
        if data.get("weight_on_time") == 0 and data.get("weight_done") == 0:
            raise forms.ValidationError("两项得分权重不能都为 0")
        return data
