"""整改 pages: the list (filter by state, search, export), opening one for a party organization
and closing it with what was done. The rules live in `rectification.py`."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone

from liangxin.core.listing import paginate
from liangxin.core.models import RegionLevel
from liangxin.core.permissions import CHANGE, get_restricted_or_404, role_required, visible
from liangxin.core.widgets import DateInput
from liangxin.coverage import rectification
from liangxin.coverage.filters import export, export_format, parse_filters
from liangxin.coverage.models import PartyOrganization, Rectification
from liangxin.coverage.views import VIEWERS
from liangxin.coverage.views_party import INSPECTORS, _set_errors

STATES = {"open": "未销号", "overdue": "已逾期", "closed": "已销号"}
HEADERS = [
    "党组织",
    "所属区划",
    "存在问题",
    "整改措施",
    "责任人",
    "提出日期",
    "整改时限",
    "状态",
    "完成日期",
    "整改情况",
]


class RectificationForm(forms.Form):
    problem = forms.CharField(label="存在问题", widget=forms.Textarea(attrs={"rows": 3}))
    measure = forms.CharField(label="整改措施", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    responsible = forms.CharField(label="责任人", required=False, max_length=100)
    opened_on = forms.DateField(label="提出日期", widget=DateInput())
    due_on = forms.DateField(label="整改时限", widget=DateInput())

    def clean_opened_on(self):
        day = self.cleaned_data["opened_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("提出日期不能晚于今天")
        return day


class CloseForm(forms.Form):
    closed_on = forms.DateField(label="完成日期", widget=DateInput())
    outcome = forms.CharField(label="整改情况", widget=forms.Textarea(attrs={"rows": 4}))

    def clean_closed_on(self):
        day = self.cleaned_data["closed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("完成日期不能晚于今天")
        return day


def state_label(item: Rectification, as_of) -> str:
    if item.closed_on and item.closed_on <= as_of:
        return STATES["closed"]
    return STATES["overdue"] if item.due_on < as_of else STATES["open"]


@role_required(*VIEWERS)
def rectification_list(request):
    f = parse_filters(request)
    items = visible(Rectification, request).filter(opened_on__lte=f.as_of)
    if f.region is not None and f.region.level != RegionLevel.PROVINCE:
        items = items.filter(**{f"party_org__{f.region.level}_code": f.region.code})
    state = request.GET.get("state", "")
    if state == "open":
        items = items.filter(rectification.open_q(f.as_of))
    elif state == "overdue":
        items = rectification.overdue(items, f.as_of)
    elif state == "closed":
        items = items.filter(closed_on__lte=f.as_of)
    else:
        state = ""
    q = request.GET.get("q", "").strip()
    if q:
        items = items.filter(Q(party_org__name__contains=q) | Q(problem__contains=q) | Q(responsible=q))
    items = (
        Rectification.objects.filter(pk__in=items.values("pk"))
        .select_related("party_org", "party_org__region")
        .order_by("due_on", "id")
    )
    if fmt := export_format(request):
        rows = (
            [i.party_org.name, i.party_org.region.name, i.problem, i.measure, i.responsible, i.opened_on,
             i.due_on, state_label(i, f.as_of), i.closed_on, i.outcome]
            for i in items.iterator(chunk_size=2000)
        )  # fmt: skip
        return export(request, fmt, "整改台账", HEADERS, rows)
    page, query = paginate(request, items)
    for i in page:
        i.state_label = state_label(i, f.as_of)
        i.can_close = i.closed_on is None
    return render(
        request,
        "coverage/rectification_list.html",
        {"f": f, "page": page, "query": query, "state": state, "states": STATES, "q": q,
         "filter_query": f.query(), "can_change": request.user.role in INSPECTORS},
    )  # fmt: skip


@role_required(*INSPECTORS)
def rectification_create(request, pk: int):
    party_org = get_restricted_or_404(PartyOrganization, request, CHANGE, pk=pk)
    today = timezone.localdate()
    form = RectificationForm(request.POST or None, initial={"opened_on": today})
    if request.method == "POST" and form.is_valid():
        try:
            rectification.open_rectification(party_org, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _set_errors(form, exc)
        else:
            messages.success(request, f"已为“{party_org.name}”登记整改事项")
            return redirect("coverage:party_org_detail", pk=party_org.pk)
    return render(
        request,
        "coverage/rectification_form.html",
        {"form": form, "party_org": party_org, "title": f"为“{party_org.name}”登记整改事项"},
    )


@role_required(*INSPECTORS)
def rectification_close(request, pk: int):
    item = get_restricted_or_404(Rectification, request, CHANGE, pk=pk)
    form = CloseForm(request.POST or None, initial={"closed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            rectification.close_rectification(item, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _set_errors(form, exc)
        else:
            messages.success(request, "整改事项已销号")
            return redirect("coverage:rectifications")
    return render(
        request,
        "coverage/rectification_form.html",
        {"form": form, "party_org": item.party_org, "item": item, "title": "整改销号"},
    )
