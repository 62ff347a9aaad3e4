"""Pages for party organizations, instructors, joint-branch inspections and the health list."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone

from liangxin.core.listing import paginate
from liangxin.core.masking import may_see_in_full, shown, unchanged_if_masked, with_full_view
from liangxin.core.permissions import CHANGE, get_restricted_or_404, restricted, role_required, visible
from liangxin.core.roles import Role
from liangxin.coverage import blindspots, engine, services, terms
from liangxin.coverage.filters import (
    export,
    export_format,
    unlinked_instructor,
)
from liangxin.coverage.forms import InspectionForm, InstructorForm, PartyOrgForm, department_units
from liangxin.coverage.models import (
    BranchInspection,
    Formation,
    Instructor,
    PartyOrganization,
    PartyOrgStatus,
    PartyOrgType,
    Rating,
)
from liangxin.coverage.views import VIEWERS
from liangxin.registry.models import Organization

EDITORS = (Role.OFFICE, Role.COUNTY, Role.TOWNSHIP, Role.PARK, Role.MEMBER_UNIT)
INSPECTORS = (Role.OFFICE, Role.COUNTY, Role.TOWNSHIP, Role.PARK)
# An instructor belongs to a region: kept by the office and the county or township it works in.
INSTRUCTOR_EDITORS = (Role.OFFICE, Role.COUNTY, Role.TOWNSHIP)


def _set_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "message_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# ----------------------------------------------------------------------------- party organizations

PARTY_ORG_HEADERS = [
    "党组织名称",
    "党组织类别",
    "组建方式",
    "所属区划",
    "书记",
    "成立日期",
    "状态",
    "覆盖组织数",
]


@role_required(*VIEWERS)
def party_org_list(request):
    today = timezone.localdate()
    party_orgs = visible(PartyOrganization, request)
    q = request.GET.get("q", "").strip()
    formation = request.GET.get("formation", "")
    status = request.GET.get("status", "")
    org_type = request.GET.get("org_type", "")
    if q:
        party_orgs = party_orgs.filter(Q(name__contains=q) | Q(secretary=q))
    if formation in Formation.values:
        party_orgs = party_orgs.filter(formation=formation)
    if status in PartyOrgStatus.values:
        party_orgs = party_orgs.filter(status=status)
    if org_type in PartyOrgType.values:
        party_orgs = party_orgs.filter(org_type=org_type)
    term = request.GET.get("term", "")
    if term in terms.STATES:  # 换届: 3个月内届满 / 超期未换届, for every party organization
        party_orgs = party_orgs.filter(engine.party_org_active_q(today), terms.state_q(term, today))
    else:
        term = ""
    party_orgs = (
        PartyOrganization.objects.filter(pk__in=party_orgs.values("pk"))
        .select_related("region")
        .annotate(org_count=Count("links", filter=engine.link_dates_q(today, "links__")))
        .order_by("county_code", "township_code", "name")
    )
    if fmt := export_format(request):
        rows = (
            [p.name, p.get_org_type_display(), p.get_formation_display(), p.region.name, p.secretary,
             p.founded_on, p.get_status_display(), p.org_count]
            for p in party_orgs
        )  # fmt: skip
        return export(request, fmt, "党组织", PARTY_ORG_HEADERS, rows)
    page, query = paginate(request, party_orgs)
    return render(
        request,
        "coverage/party_org_list.html",
        {
            "page": page,
            "query": query,
            "q": q,
            "formation": formation,
            "status": status,
            "term": term,
            "term_states": terms.STATES,
            "org_type": org_type,
            "formations": Formation.choices,
            "statuses": PartyOrgStatus.choices,
            "org_types": PartyOrgType.choices,
            "can_edit": request.user.role in EDITORS,
        },
    )


@role_required(*VIEWERS)
def party_org_detail(request, pk: int):
    party_org = get_restricted_or_404(PartyOrganization, request, pk=pk)
    full_view = may_see_in_full(request.user, party_org)  # its postings' phones, as its own fields
    links = party_org.links.select_related("organization").order_by("ends_on", "organization__name")
    visible_org_ids = set(
        visible(Organization, request)
        .filter(pk__in=links.values("organization_id"))
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "coverage/party_org_detail.html",
        {
            "party_org": party_org,
            "links": links,
            "visible_org_ids": visible_org_ids,
            "children": visible(PartyOrganization, request).filter(parent=party_org),
            "inspections": party_org.inspections.all()[:20],
            "rectifications": party_org.rectifications.all()[:50],
            "postings": [
                (p, shown(request.user, p, "phone", full=full_view))
                for p in party_org.dispatched_secretaries.all()
            ],
            "can_edit": request.user.role in EDITORS
            and restricted(PartyOrganization, request, CHANGE).filter(pk=party_org.pk).exists(),
            "can_inspect": request.user.role in INSPECTORS and party_org.formation == Formation.JOINT,
            "can_rectify": request.user.role in INSPECTORS
            and restricted(PartyOrganization, request, CHANGE).filter(pk=party_org.pk).exists(),
        },
    )


def _open_rows_split(rows, visible_orgs) -> tuple[str, list[Organization]]:
    """Open links or assignments → (the codes the user may see, one per line, for the form; the
    organizations the user may not see). A county user editing a joint branch or an instructor
    that reaches into another county neither sees those codes nor ends those rows: they are kept
    as they are when the form is saved."""
    rows = list(rows.select_related("organization"))
    mine = set(visible_orgs.filter(pk__in=[r.organization_id for r in rows]).values_list("pk", flat=True))
    shown = [r.organization.credit_code for r in rows if r.organization_id in mine]
    hidden = [r.organization for r in rows if r.organization_id not in mine]
    return "\n".join(shown), hidden


@role_required(*EDITORS)
def party_org_edit(request, pk: int | None = None):
    party_org = get_restricted_or_404(PartyOrganization, request, CHANGE, pk=pk) if pk else None
    today = timezone.localdate()
    initial = {}
    if party_org is not None:
        initial = {
            f: getattr(party_org, f)
            for f in ("name", "org_type", "formation", "parent", "secretary", "secretary_dispatched",
                      "secretary_sent_by", "founded_on", "term_ends_on", "status",
                      "dissolved_on", "owner_unit")
        }  # fmt: skip
    hidden: list[Organization] = []
    if party_org is not None:
        initial["codes"], hidden = _open_rows_split(
            party_org.links.exclude(ends_on__lte=today), visible(Organization, request)
        )
    form = PartyOrgForm(
        request.POST or None,
        initial=initial,
        instance=party_org,
        visible_orgs=visible(Organization, request),
        visible_party_orgs=visible(PartyOrganization, request),
        units=department_units() if request.user.role == Role.OFFICE else None,
        kept=len(hidden),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        orgs = [*data.pop("codes"), *hidden]
        if hidden:  # reaching beyond the user's sight: its region stays what it is
            data["region"] = party_org.region
        if request.user.role == Role.MEMBER_UNIT and party_org is None:
            data["owner_unit"] = request.user.member_unit
        try:
            saved, _ = services.save_party_org(
                party_org, actor=request.user, today=today, organizations=orgs, **data
            )
        except ValidationError as exc:
            _set_errors(form, exc)
        else:
            messages.success(request, f"已保存党组织“{saved.name}”")
            return redirect("coverage:party_org_detail", pk=saved.pk)
    return render(
        request, "coverage/party_org_form.html", {"form": form, "party_org": party_org, "hidden": len(hidden)}
    )


# ----------------------------------------------------------------------------- instructors


@role_required(*VIEWERS)
def instructor_list(request):
    today = timezone.localdate()
    instructors = visible(Instructor, request)
    q = request.GET.get("q", "").strip()
    if q:
        instructors = instructors.filter(Q(name__contains=q) | Q(workplace__contains=q))
    instructors = (
        Instructor.objects.filter(pk__in=instructors.values("pk"))
        .select_related("region")
        .annotate(load=Count("assignments", filter=engine.assignment_active_q(today, "assignments__")))
        .order_by("county_code", "name")
    )
    instructors = with_full_view(instructors, request.user)
    if fmt := export_format(request):
        rows = (
            [i.name, shown(request.user, i, "phone"), i.workplace, i.region.name, i.load] for i in instructors
        )
        return export(
            request, fmt, "党建指导员", ["指导员姓名", "联系电话", "工作单位", "所属区划", "指导组织数"], rows
        )
    page, query = paginate(request, instructors)
    for instructor in page:
        instructor.shown_phone = shown(request.user, instructor, "phone")
    return render(
        request,
        "coverage/instructor_list.html",
        {
            "page": page,
            "query": query,
            "q": q,
            "max_orgs": blindspots.instructor_max_orgs(),
            "can_edit": request.user.role in INSTRUCTOR_EDITORS,
            "unlinked": unlinked_instructor(request.user),
        },
    )


@role_required(*VIEWERS)
def instructor_detail(request, pk: int):
    instructor = get_restricted_or_404(Instructor, request, pk=pk)
    assignments = instructor.assignments.select_related("organization").order_by(
        "ends_on", "organization__name"
    )
    return render(
        request,
        "coverage/instructor_detail.html",
        {
            "instructor": instructor,
            "phone": shown(request.user, instructor, "phone"),
            "assignments": assignments.filter(organization__in=visible(Organization, request)),
            "can_edit": request.user.role in INSTRUCTOR_EDITORS
            and restricted(Instructor, request, CHANGE).filter(pk=instructor.pk).exists(),
        },
    )


@role_required(*INSTRUCTOR_EDITORS)
def instructor_edit(request, pk: int | None = None):
    instructor = get_restricted_or_404(Instructor, request, CHANGE, pk=pk) if pk else None
    today = timezone.localdate()
    initial = {}
    if instructor is not None:
        initial = {
            "name": instructor.name,
            "phone": shown(request.user, instructor, "phone"),
            "workplace": instructor.workplace,
            "account": instructor.user.username if instructor.user else "",
        }
    hidden: list[Organization] = []
    if instructor is not None:
        initial["codes"], hidden = _open_rows_split(
            instructor.assignments.exclude(ends_on__lte=today), visible(Organization, request)
        )
    data = request.POST or None
    if data is not None and instructor is not None and not may_see_in_full(request.user, instructor):
        data = data.copy()  # the masked phone sent back untouched means “unchanged”
        data["phone"] = unchanged_if_masked(data.get("phone", ""), instructor.phone)
    form = InstructorForm(
        data,
        initial=initial,
        instance=instructor,
        visible_orgs=visible(Organization, request),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        clash = Instructor.objects.filter(name=data["name"], phone=data["phone"])
        if instructor is not None:
            clash = clash.exclude(pk=instructor.pk)
        if clash.exists():
            form.add_error("phone", "已有同名且电话相同的指导员，请勿重复录入")
        else:
            orgs, starts_on = [*data.pop("codes"), *hidden], data.pop("starts_on")
            if hidden:  # reaching beyond the user's sight: its region stays what it is
                data["region"] = instructor.region
            data["user"] = data.pop("account")
            try:
                saved, _ = services.save_instructor(
                    instructor,
                    actor=request.user,
                    today=today,
                    organizations=orgs,
                    starts_on=starts_on,
                    **data,
                )
            except ValidationError as exc:
                _set_errors(form, exc)
            else:
                messages.success(request, f"已保存党建指导员“{saved.name}”")
                return redirect("coverage:instructor_detail", pk=saved.pk)
    return render(
        request,
        "coverage/instructor_form.html",
        {"form": form, "instructor": instructor, "hidden": len(hidden)},
    )


# ----------------------------------------------------------------------------- inspections and health


@role_required(*VIEWERS)
def inspection_list(request):
    inspections = visible(BranchInspection, request).select_related("party_org")
    q = request.GET.get("q", "").strip()
    if q:
        inspections = inspections.filter(party_org__name__contains=q)
    rating = request.GET.get("rating", "")
    if rating in Rating.values:
        inspections = inspections.filter(rating=rating)
    errors = []
    for key, lookup in (("from", "inspected_on__gte"), ("to", "inspected_on__lte")):
        raw = request.GET.get(key, "").strip()
        if not raw:
            continue
        try:
            inspections = inspections.filter(**{lookup: datetime.date.fromisoformat(raw)})
        except ValueError:
            errors.append(f"日期“{raw}”格式不对，应为 YYYY-MM-DD，已忽略")
    page, query = paginate(request, inspections.order_by("-inspected_on", "-id"))
    return render(
        request,
        "coverage/inspection_list.html",
        {
            "page": page,
            "query": query,
            "q": q,
            "rating": rating,
            "ratings": Rating.choices,
            "date_from": request.GET.get("from", ""),
            "date_to": request.GET.get("to", ""),
            "errors": errors,
            "filtered": bool(
                q or rating in Rating.values or request.GET.get("from") or request.GET.get("to")
            ),
        },
    )


@role_required(*INSPECTORS)
def inspection_create(request, pk: int):
    party_org = get_restricted_or_404(PartyOrganization, request, CHANGE, pk=pk)
    form = InspectionForm(
        request.POST or None, initial={"inspected_on": timezone.localdate()}, party_org=party_org
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.record_inspection(party_org, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _set_errors(form, exc)
        else:
            messages.success(request, f"已记录“{party_org.name}”的排查情况")
            return redirect("coverage:party_org_detail", pk=party_org.pk)
    return render(request, "coverage/inspection_form.html", {"form": form, "party_org": party_org})
