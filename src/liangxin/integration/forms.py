from __future__ import annotations

from django import forms

from liangxin.core.tabular import ValueProblem
from liangxin.core.widgets import DateInput
from liangxin.integration.models import DIMENSIONS
from liangxin.registry.models import Organization
from liangxin.registry.rules import parse_credit_code

SCORES = [(str(i), str(i)) for i in range(1, 6)]


class AssessmentForm(forms.Form):
    credit_code = forms.CharField(label="组织的统一社会信用代码", max_length=30)
    year = forms.IntegerField(label="评估年度", min_value=2000, max_value=2100)

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organizations = organizations if organizations is not None else Organization.objects.none()
        for key, label in DIMENSIONS:
            self.fields[key] = forms.TypedChoiceField(
                label=f"{label}（1–5 分）", choices=SCORES, coerce=int, widget=forms.RadioSelect
            )
            self.fields[f"{key}_note"] = forms.CharField(
                label="做了什么", required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
        self.fields["assessor"] = forms.CharField(label="评估人", max_length=100)
        self.fields["assessed_on"] = forms.DateField(label="评估日期", widget=DateInput())

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
