"""派驻书记 pages: record who a unit sent to a party organization, end a posting. The rules live in
`secretaries.py`; the postings are listed on the party organization's page (phones masked for
those who may only view it)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from liangxin.core.permissions import CHANGE, get_restricted_or_404, role_required
from liangxin.core.tabular import ValueProblem, parse_phone
from liangxin.core.widgets import DateInput
from liangxin.coverage import secretaries
from liangxin.coverage.models import DispatchedSecretary, PartyOrganization
from liangxin.coverage.views_party import EDITORS, _set_errors


class PostingForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    sent_by = forms.CharField(
        label="派出单位", max_length=100, help_text="如：某某街道党工委、某某局机关党委"
    )
    starts_on = forms.DateField(label="派驻日期", widget=DateInput())

    def clean_phone(self):
        value = self.cleaned_data["phone"].strip()
        try:
            return parse_phone(value) if value else ""
        except ValueProblem as exc:
            raise forms.ValidationError(exc.message) from None


class EndForm(forms.Form):
    ends_on = forms.DateField(label="结束日期", widget=DateInput())


@role_required(*EDITORS)
def posting_create(request, pk: int):
    party_org = get_restricted_or_404(PartyOrganization, request, CHANGE, pk=pk)
    today = timezone.localdate()
    form = PostingForm(request.POST or None, initial={"starts_on": today})
    if request.method == "POST" and form.is_valid():
        try:
            secretaries.record(party_org, actor=request.user, today=today, **form.cleaned_data)
        except ValidationError as exc:
            _set_errors(form, exc)
        else:
            messages.success(request, f"已记录“{party_org.name}”的派驻书记")
            return redirect("coverage:party_org_detail", pk=party_org.pk)
    return render(
        request,
        "coverage/secretary_form.html",
        {"form": form, "party_org": party_org, "title": f"记录“{party_org.name}”的派驻书记"},
    )


@role_required(*EDITORS)
def posting_end(request, pk: int):
    posting = get_restricted_or_404(DispatchedSecretary, request, CHANGE, pk=pk)
    today = timezone.localdate()
    form = EndForm(request.POST or None, initial={"ends_on": today})
    if request.method == "POST" and form.is_valid():
        try:
            secretaries.end(posting, actor=request.user, today=today, **form.cleaned_data)
        except ValidationError as exc:
            _set_errors(form, exc)
        else:
            messages.success(request, f"{posting.name}的派驻已结束")
            return redirect("coverage:party_org_detail", pk=posting.party_org_id)
    return render(
        request,
        "coverage/secretary_form.html",
        {"form": form, "party_org": posting.party_org, "posting": posting,
         "title": f"结束{posting.name}在“{posting.party_org.name}”的派驻"},
    )  # fmt: skip
