from __future__ import annotations

from django import forms
from django.utils import timezone

from liangxin.brands.models import Brand, Stage
from liangxin.core.models import MemberUnit, RegionLevel
from liangxin.core.places import PlaceError, find_place
from liangxin.core.widgets import DateInput
from liangxin.dispatch.models import Category, Task
from liangxin.registry.models import Organization


class _CampaignFields(forms.Form):
    units = forms.ModelMultipleChoiceField(
        label="应申报单位",
        queryset=MemberUnit.objects.filter(active=True),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 12}),
    )
    revisit_months = forms.CharField(
        label="回访间隔（月）", initial="6,12", help_text="命名后第几个月回访，逗号分隔，如 6,12"
    )

    def clean_revisit_months(self):
        items = [
            p.strip() for p in self.cleaned_data["revisit_months"].replace("，", ",").split(",") if p.strip()
        ]
        if not items or not all(p.isdigit() and 0 < int(p) <= 60 for p in items):
            raise forms.ValidationError("请填写 1 到 60 之间的月数，逗号分隔，如 6,12")
        return sorted({int(p) for p in items})


class CampaignForm(_CampaignFields):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    deadline = forms.DateField(
        label="申报截止日期", required=False, widget=DateInput(), help_text="留空为当年 6 月 30 日"
    )
    task = forms.ModelChoiceField(
        label="关联已有的重点任务",
        queryset=Task.objects.filter(category=Category.BRAND, brand_campaign__isnull=True).select_related(
            "plan"
        ),
        required=False,
        help_text="年度清单中已有品牌任务时选择它（应申报单位、截止日期默认取该任务的）；留空则新建任务",
    )
    field_order = ["year", "deadline", "task", "units", "revisit_months"]

    def clean(self):
        data = super().clean()
        if (
            data.get("year")
            and data.get("deadline")
            and data["deadline"].year not in (data["year"], data["year"] + 1)
        ):
            self.add_error("deadline", "截止日期应在申报年度内")
        return data


class CampaignEditForm(_CampaignFields):
    """The office corrects an open campaign (the task follows: see services.update_campaign)."""

    title = forms.CharField(label="名称", max_length=200)
    deadline = forms.DateField(label="申报截止日期", widget=DateInput())
    field_order = ["title", "deadline", "units", "revisit_months"]

    def __init__(self, *args, campaign, **kwargs):
        initial = {
            "title": campaign.title,
            "deadline": campaign.deadline,
            "units": list(campaign.units.all()),
            "revisit_months": ",".join(str(m) for m in campaign.revisit_months),
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["units"].required = True
        self.fields["units"].error_messages["required"] = "请选择应申报的单位"


class CloseForm(forms.Form):
    inactive_on = forms.DateField(label="停止运行日期", widget=DateInput())
    note = forms.CharField(
        label="停止运行的原因和情况", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )


class BrandForm(forms.ModelForm):
    organization_code = forms.CharField(
        label="所属组织（统一社会信用代码）", required=False, help_text="一企一品填写企业或社会组织的信用代码"
    )
    place = forms.CharField(
        label="所在区域",
        required=False,
        help_text="一域一品、示范点填写县（市、区）、乡镇（街道）或村（社区）的名称或代码",
    )

    class Meta:
        model = Brand
        fields = ["name", "level", "unit", "description", "stage", "named_on", "evidence"]
        widgets = {
            "named_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "evidence": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, units=None, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else MemberUnit.objects.none()
        self.organizations = organizations if organizations is not None else Organization.objects.none()
        if self.instance.pk:
            self.fields["organization_code"].initial = (
                self.instance.organization.credit_code if self.instance.organization_id else ""
            )
            self.fields["place"].initial = self.instance.region.code if self.instance.region_id else ""

    def clean_organization_code(self):
        code = (self.cleaned_data.get("organization_code") or "").strip().upper()
        if not code:
            return None
        org = self.organizations.filter(credit_code=code).first()
        if org is None:
            raise forms.ValidationError("该代码不在两新组织台账中，或不在您的管辖范围内")
        return org

    def clean_place(self):
        text = (self.cleaned_data.get("place") or "").strip()
        if not text:
            return None
        try:
            return find_place(text, levels=[RegionLevel.COUNTY, RegionLevel.TOWNSHIP, RegionLevel.VILLAGE])
        except PlaceError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean(self):
        data = super().clean()
        if data.get("stage") == Stage.NAMED and not data.get("named_on"):
            self.add_error("named_on", "创建阶段为“已命名”时，请填写命名日期")
        if data.get("named_on") and data["named_on"] > timezone.localdate():
            self.add_error("named_on", "命名日期不能晚于今天")
        return data


class RevisitForm(forms.Form):
    still_active = forms.TypedChoiceField(
        label="品牌是否仍在运行",
        choices=[("1", "仍在运行"), ("0", "已停止运行")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="命名以来的情况", widget=forms.Textarea(attrs={"rows": 4}))


class EvidenceForm(forms.Form):
    file = forms.FileField(label="佐证材料")
