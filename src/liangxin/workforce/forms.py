from __future__ import annotations

import uuid

from django import forms

from liangxin.core.models import MemberUnit, Region, RegionLevel
from liangxin.core.widgets import DateInput
from liangxin.workforce.models import Category, GroupType, StationKind
from liangxin.workforce.reports import townships


class SentinelForm(forms.Form):
    """The rider's form. ``website`` is a honeypot: hidden from people, filled by scripts."""

    nonce = forms.CharField(widget=forms.HiddenInput, max_length=64)
    category = forms.ChoiceField(label="类别", choices=Category.choices, widget=forms.RadioSelect)
    region = forms.ModelChoiceField(
        label="所在乡镇（街道）", queryset=Region.objects.none(), empty_label="请选择"
    )
    place = forms.CharField(
        label="具体地点",
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "如：人民路与井冈山大道路口"}),
    )
    description = forms.CharField(
        label="看到的情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    photo = forms.FileField(
        label="照片（可不传）", required=False, widget=forms.ClearableFileInput(attrs={"accept": "image/*"})
    )
    keep_location = forms.BooleanField(label="附带位置（照片中的定位信息一并保留）", required=False)
    latitude = forms.DecimalField(
        required=False, max_digits=9, decimal_places=6, min_value=-90, max_value=90, widget=forms.HiddenInput
    )
    longitude = forms.DecimalField(
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        widget=forms.HiddenInput,
    )
    reporter_name = forms.CharField(label="您的称呼（可不填）", max_length=50, required=False)
    reporter_phone = forms.RegexField(
        label="联系电话（可不填）", regex=r"^[0-9\-+ ]{7,20}$", max_length=20, required=False,
        error_messages={"invalid": "联系电话格式不对，请填写手机号或座机号"},
    )  # fmt: skip
    website = forms.CharField(required=False, label="网址（请勿填写）")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = townships().select_related("parent")
        self.fields["region"].label_from_instance = lambda r: (
            f"{r.parent.name} {r.name}" if r.parent else r.name
        )
        if not self.is_bound:
            self.initial["nonce"] = uuid.uuid4().hex


class HandOverForm(forms.Form):
    region = forms.ModelChoiceField(
        label="移交给乡镇（街道）", queryset=Region.objects.none(), required=False
    )
    unit = forms.ModelChoiceField(
        label="或移交给成员单位", queryset=MemberUnit.objects.filter(active=True), required=False
    )
    note = forms.CharField(label="移交说明", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = townships()


class CloseForm(forms.Form):
    outcome = forms.CharField(label="办理结果", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class StationForm(forms.Form):
    """A station typed on the page: the same fields and rules as a row of the import sheet."""

    platform = forms.CharField(label="平台/企业名称", max_length=200)
    name = forms.CharField(label="站点名称", max_length=200)
    group_type = forms.ChoiceField(label="群体类型", choices=GroupType.choices)
    kind = forms.ChoiceField(label="站点类型", choices=StationKind.choices)
    region = forms.ModelChoiceField(label="所属乡镇（街道）", queryset=Region.objects.none())
    address = forms.CharField(label="地址", max_length=300, required=False)
    headcount = forms.IntegerField(label="从业人数", min_value=0, initial=0)
    members_full = forms.IntegerField(label="正式党员数", min_value=0, initial=0)
    members_probationary = forms.IntegerField(label="预备党员数", min_value=0, initial=0)
    pioneer_posts = forms.IntegerField(label="党员先锋岗数", min_value=0, initial=0)
    credit_code = forms.CharField(label="登记组织统一社会信用代码", max_length=30, required=False)
    established_on = forms.DateField(label="设立日期", required=False, widget=DateInput())
    closed_on = forms.DateField(label="撤销日期", required=False, widget=DateInput())

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions.filter(level=RegionLevel.TOWNSHIP).order_by("code")

    def clean_credit_code(self):
        from liangxin.core.tabular import ValueProblem
        from liangxin.registry.models import Organization
        from liangxin.registry.rules import parse_credit_code

        raw = self.cleaned_data["credit_code"].strip()
        if not raw:
            return None
        try:
            code = parse_credit_code(raw)
        except ValueProblem as exc:
            raise forms.ValidationError(exc.message) from None
        org = Organization.objects.filter(credit_code=code).first()
        if org is None:
            raise forms.ValidationError(f"统一社会信用代码{code}不在两新组织台账中，请先登记该组织或留空")
        return org

    def clean(self):
        data = super().clean()
        members = (data.get("members_full") or 0) + (data.get("members_probationary") or 0)
        if data.get("headcount") and members > data["headcount"]:
            self.add_error("members_full", "正式党员数与预备党员数之和大于从业人数，请核对")
        return data
