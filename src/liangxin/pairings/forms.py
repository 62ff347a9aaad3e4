from __future__ import annotations

from django import forms

from liangxin.core.models import RegionLevel
from liangxin.core.places import PlaceError, find_place
from liangxin.core.tabular import ValueProblem
from liangxin.core.widgets import DateInput
from liangxin.pairings.models import PairingProject
from liangxin.registry.models import Organization
from liangxin.registry.rules import parse_credit_code


class PairingForm(forms.Form):
    credit_code = forms.CharField(label="结对组织的统一社会信用代码", max_length=30)
    village = forms.CharField(
        label="结对村（社区）",
        max_length=100,
        help_text="12 位区划代码，或村（社区）名称；重名时写上乡镇，如“雩田镇 城溪村”",
    )
    starts_on = forms.DateField(label="结对开始日期", widget=DateInput())
    ends_on = forms.DateField(
        label="结对结束日期", required=False, widget=DateInput(), help_text="留空表示长期结对"
    )
    note = forms.CharField(
        label="结对内容", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organizations = organizations if organizations is not None else Organization.objects.none()

    def clean_credit_code(self):
        try:
            code = parse_credit_code(self.cleaned_data["credit_code"])
        except ValueProblem as exc:
            raise forms.ValidationError(exc.message) from None
        org = self.organizations.filter(credit_code=code).first()
        if org is None:
            raise forms.ValidationError("该代码不在两新组织台账中，或不在您的管辖范围内")
        self.cleaned_data["organization"] = org
        return code

    def clean_village(self):
        try:
            return find_place(self.cleaned_data["village"], levels=[RegionLevel.VILLAGE])
        except PlaceError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean(self):
        data = super().clean()
        if data.get("ends_on") and data.get("starts_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "结束日期早于开始日期")
        return data


class ProjectForm(forms.ModelForm):
    class Meta:
        model = PairingProject
        fields = ["year", "title", "kind", "funds", "people_helped", "status", "result"]
        widgets = {"result": forms.Textarea(attrs={"rows": 3})}
