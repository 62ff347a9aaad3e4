"""政治统领 activities of committees and member units: what happened and whom it reached."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render

from liangxin.committee import services
from liangxin.committee.forms import ActivityForm
from liangxin.committee.models import Activity, ActivityKind, IndustryCommittee
from liangxin.committee.views import EDITORS, VIEWERS, export, export_format
from liangxin.core.listing import paginate
from liangxin.core.models import MemberUnit
from liangxin.core.permissions import CHANGE, get_restricted_or_404, restricted, role_required
from liangxin.coverage.views_party import _set_errors
from liangxin.registry.models import Organization

HEADERS = ["活动日期", "活动类型", "活动名称", "组织单位", "行业党委", "覆盖组织", "参加人数"]


@role_required(*VIEWERS)
def activity_list(request):
    activities = restricted(Activity, request).select_related("organizer", "committee__party_org")
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    year = request.GET.get("year", "").strip()
    if q:
        activities = activities.filter(Q(title__contains=q) | Q(organizer__name__contains=q))
    if kind in ActivityKind.values:
        activities = activities.filter(kind=kind)
    if year.isdigit():
        activities = activities.filter(date__year=int(year))
    if fmt := export_format(request):
        rows = (
            [a.date, a.get_kind_display(), a.title, a.organizer.name, a.committee.name if a.committee else "",
             "全部所联系组织" if a.whole_field else a.organizations.count(), a.people]
            for a in activities
        )  # fmt: skip
        return export(request, fmt, "政治统领活动", HEADERS, rows)
    page, query = paginate(request, activities)
    return render(
        request,
        "committee/activity_list.html",
        {
            "page": page, "query": query, "q": q, "kind": kind, "year": year,
            "kinds": ActivityKind.choices, "can_edit": request.user.role in EDITORS,
        },
    )  # fmt: skip


@role_required(*EDITORS)
def activity_edit(request, pk: int | None = None):
    activity = get_restricted_or_404(Activity, request, CHANGE, pk=pk) if pk else Activity()
    units = MemberUnit.objects.restrict(request.user, CHANGE)
    committees = IndustryCommittee.objects.restrict(request.user, CHANGE).select_related("party_org")
    initial = {}
    chosen = committees.filter(pk=request.GET.get("committee") or 0).first() if not pk else None
    if chosen is not None:
        initial = {"committee": chosen.pk, "organizer": chosen.party_org.owner_unit_id}
    if pk:
        initial["credit_codes"] = "\n".join(activity.organizations.values_list("credit_code", flat=True))
    form = ActivityForm(
        request.POST or None, instance=activity, initial=initial, units=units, committees=committees
    )
    if request.method == "POST" and form.is_valid():
        codes = [c.strip().upper() for c in form.cleaned_data["credit_codes"].split() if c.strip()]
        orgs = list(Organization.objects.restrict(request.user).filter(credit_code__in=codes))
        unknown = sorted(set(codes) - {o.credit_code for o in orgs})
        if unknown:
            form.add_error("credit_codes", f"以下统一社会信用代码不在您可见的台账中：{'、'.join(unknown)}")
        else:
            try:
                services.save_activity(form.instance, orgs, actor=request.user)
            except ValidationError as exc:
                _set_errors(form, exc)
            else:
                messages.success(request, "已保存活动记录")
                return redirect("committee:activities")
    return render(
        request, "committee/activity_form.html", {"form": form, "activity": activity if pk else None}
    )
