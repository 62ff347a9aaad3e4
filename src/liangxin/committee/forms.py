"""Forms of the committee pages (keyboard-friendly: plain inputs and selects)."""

from __future__ import annotations

import re

from django import forms

from liangxin.committee.models import Activity, Decision, Meeting
from liangxin.core.models import Area, Industry, MemberUnit, MemberUnitKind
from liangxin.core.widgets import DateInput

_SPLIT = re.compile(r"[、，,；;\s]+")


def split_words(text: str) -> list[str]:
    return [w for w in _SPLIT.split(text or "") if w]


class CommitteeForm(forms.Form):
    name = forms.CharField(label="党委名称", max_length=200)
    owner_unit = forms.ModelChoiceField(label="所属成员单位", queryset=MemberUnit.objects.none())
    industries = forms.ModelMultipleChoiceField(
        label="服务行业（GB/T 4754 门类或大类）",
        queryset=Industry.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="按住 Ctrl 可多选",
    )
    tags = forms.CharField(
        label="服务重点群体/标签", required=False, help_text="多个用顿号或逗号分隔，如：快递、外卖"
    )
    areas = forms.ModelMultipleChoiceField(
        label="所涉功能区（可选）",
        queryset=Area.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text="留空表示不限功能区",
    )
    secretary = forms.CharField(label="书记", max_length=50, required=False)
    founded_on = forms.DateField(label="成立日期", widget=DateInput())
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, units, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = units.filter(kind=MemberUnitKind.DEPARTMENT, active=True)
        self.fields["areas"].queryset = areas

    def clean(self):
        data = super().clean()
        data["tags"] = split_words(data.get("tags", ""))
        if not data.get("industries") and not data["tags"]:
            self.add_error("industries", "请至少选择一个服务行业或填写一个重点群体标签")
        return data


class ActivityForm(forms.ModelForm):
    credit_codes = forms.CharField(
        label="覆盖组织（统一社会信用代码）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一个；或勾选“面向行业党委所联系的全部组织”",
    )

    class Meta:
        model = Activity
        fields = ["date", "kind", "title", "organizer", "committee", "whole_field", "people", "note"]
        widgets = {"date": DateInput(), "note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, units, committees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizer"].queryset = units
        self.fields["committee"].queryset = committees


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["name", "date", "kind", "chair", "attendees", "minutes", "attachment"]
        widgets = {
            "date": DateInput(),
            "minutes": forms.Textarea(attrs={"rows": 6}),
            "attendees": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = MemberUnit.objects.filter(active=True)
        self.fields["attendees"].help_text = "按住 Ctrl 可多选"

    def clean_attachment(self):
        f = self.cleaned_data.get("attachment")
        if f and getattr(f, "size", 0) > 20 * 1024 * 1024:
            raise forms.ValidationError("附件不能超过 20 MB")
        return f


class DecisionForm(forms.ModelForm):
    deadline_text = forms.CharField(
        label="完成时限",
        max_length=50,
        required=False,
        help_text="如“6月底前”“2022年9月30日”“年底前”或“长期”",
    )

    class Meta:
        model = Decision
        fields = ["title", "lead", "units", "deadline_text", "enters_dispatch"]
        widgets = {"units": forms.SelectMultiple(attrs={"size": 6})}

    def __init__(self, *args, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year
        units = MemberUnit.objects.filter(active=True)
        self.fields["lead"].queryset = units
        self.fields["units"].queryset = units
        self.fields["units"].required = False

    def clean_deadline_text(self):
        from liangxin.core.tabular import ValueProblem
        from liangxin.dispatch.plans import parse_deadline

        text = (self.cleaned_data.get("deadline_text") or "").strip()
        try:
            self.cleaned_data["deadline"] = parse_deadline(text, year=self.year)
        except ValueProblem as exc:
            raise forms.ValidationError(exc.message) from None
        return text or "长期"
