import tempfile

from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from liangxin.core import audit, locking
from liangxin.core.exporting import csv_lines, write_xlsx
from liangxin.core.listing import paginate
from liangxin.core.masking import masked_values, may_see_in_full, shown, with_full_view
from liangxin.core.models import Area, AuditLog, Industry, Region, RegionLevel
from liangxin.core.permissions import CHANGE, get_restricted_or_404, restricted, role_required, visible
from liangxin.core.roles import Role
from liangxin.core.tabular import ValueProblem
from liangxin.registry import queries, rules, services
from liangxin.registry.followups import figures as followup_figures
from liangxin.registry.forms import FollowUpCloseForm, OrganizationForm
from liangxin.registry.models import FollowUp, Organization, OrgKind, RegStatus, Tag

VIEWERS = (Role.OFFICE, Role.MEMBER_UNIT, Role.COUNTY, Role.TOWNSHIP, Role.PARK, Role.INSTRUCTOR)
EDITORS = (Role.OFFICE, Role.MEMBER_UNIT, Role.COUNTY, Role.TOWNSHIP)


def _filter_context(request):
    regions = visible(Region, request).filter(level__in=[RegionLevel.COUNTY, RegionLevel.TOWNSHIP])
    return {
        "regions": regions.select_related("parent").order_by("code"),
        "kinds": OrgKind.choices,
        "statuses": RegStatus.choices,
        "sorts": queries.SORTS,
        "parties": {k: v[0] for k, v in queries.PARTY_FILTERS.items()},
        "sections": Industry.objects.filter(code__regex=r"^[A-T]$").values_list("code", "name"),
        "tags": Tag.objects.order_by("name").values_list("name", flat=True)[:200],
    }


@role_required(*VIEWERS)
def organization_list(request):
    organizations, used = queries.apply_filters(visible(Organization, request), request.GET)
    organizations, sort = queries.apply_sort(organizations, request.GET)
    organizations = organizations.select_related("region", "area").prefetch_related("tags")
    page, query = paginate(request, with_full_view(organizations, request.user))
    for org in page:
        org.shown_phone = shown(request.user, org, "phone")
        org.shown_contact = shown(request.user, org, "contact")
    return render(
        request,
        "registry/organization_list.html",
        {
            "page": page,
            "query": query,
            "used": used,
            "params": request.GET,
            "sort": sort,
            "can_edit": request.user.role in EDITORS,
            **_filter_context(request),
        },
    )


@role_required(*VIEWERS)
def organization_detail(request, pk: int):
    org = get_restricted_or_404(Organization, request, pk=pk)
    history = list(
        AuditLog.objects.filter(object_type="registry.organization", object_id=str(org.pk)).order_by("-at")[
            :100
        ]
    )
    full = may_see_in_full(request.user, org)
    if not full:
        for log in history:
            log.before, log.after = (
                masked_values(Organization, log.before),
                masked_values(Organization, log.after),
            )
    return render(
        request,
        "registry/organization_detail.html",
        {
            "org": org,
            "history": history,
            "tags": org.tags.all(),
            "followups": org.followups.all(),
            "phone": shown(request.user, org, "phone", full=full),
            "contact": shown(request.user, org, "contact", full=full),
            "can_edit": request.user.role in EDITORS and _may_change(request, org),
        },
    )


def _may_change(request, org: Organization) -> bool:
    return restricted(Organization, request, CHANGE).filter(pk=org.pk).exists()


@role_required(*EDITORS)
def organization_edit(request, pk: int | None = None):
    org = get_restricted_or_404(Organization, request, CHANGE, pk=pk) if pk else None
    areas = visible(Area, request) if request.user.role != Role.MEMBER_UNIT else Area.objects.all()
    regions = visible(Region, request)
    initial = OrganizationForm.initial_for(org, request.user) if org else {"status": RegStatus.ACTIVE.label}
    initial["version"] = locking.fingerprint(initial if org else None)
    form = OrganizationForm(request.POST or None, initial=initial, regions=regions, areas=areas, org=org)
    if request.method == "POST" and form.is_valid():
        today = timezone.localdate()
        try:
            lookups = rules.Lookups.load()
        except ValueProblem as exc:
            form.add_error(None, exc.message)
        else:
            record = form.parse(lookups, today=today, credit_code=org.credit_code if org else None)
            if (
                record is not None
                and org is None
                and visible(Organization, request).filter(credit_code=record["credit_code"]).exists()
            ):  # one the user cannot see is refused by the service, saying nothing of it
                form.add_error("credit_code", "该统一社会信用代码已在台账中，请勿重复录入")
                record = None
            if record is not None:
                try:
                    saved = _save_unless_changed(form, record, org, actor=request.user, today=today)
                except locking.EditConflict as exc:
                    form.show_conflict(exc)
                except PermissionError as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(request, f"已保存“{saved.name}”")
                    return redirect("registry:organization_detail", pk=saved.pk)
    return render(request, "registry/organization_form.html", {"form": form, "org": org})


@transaction.atomic
def _save_unless_changed(form: OrganizationForm, record: dict, org: Organization | None, *, actor, today):
    """The form's save, unless someone saved the organization since the form was opened."""
    if org is not None:
        locked = Organization.objects.select_for_update().filter(pk=org.pk).first()
        locking.check(
            form.cleaned_data["version"],
            OrganizationForm.initial_for(locked, actor) if locked else None,
            submitted=form.cleaned_data,
            what="该组织的信息",
            fields=form,
            audit_object=("registry.organization", org.pk),
        )
    return services.save_organization(record, actor=actor, today=today)


def _export_queryset(request):
    organizations, _ = queries.apply_filters(visible(Organization, request), request.GET)
    return organizations


@role_required(*VIEWERS)
def organization_export(request, fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise Http404("不支持的导出格式")
    organizations = _export_queryset(request)
    rows = queries.export_rows(organizations, viewer=request.user)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    audit.record(
        "registry.organization.exported",
        actor=request.user,
        object_type="registry.organization",
        after={"format": fmt, "filters": {k: v for k, v in request.GET.items()}},
    )
    if fmt == "csv":
        response = StreamingHttpResponse(
            csv_lines(queries.EXPORT_HEADERS, rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''organizations-{stamp}.csv"
        return response
    handle = tempfile.TemporaryFile()
    write_xlsx(handle, [("两新组织", queries.EXPORT_HEADERS, rows)])
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"两新组织台账-{stamp}.xlsx")


@role_required(*EDITORS)
def import_template(request):
    """A blank import workbook with a 填表说明 sheet."""
    handle = tempfile.TemporaryFile()
    notes = [
        [c.label, "必填" if c.required else "选填", "、".join(c.synonyms), rules.COLUMN_NOTES.get(c.key, "")]
        for c in rules.COLUMNS
    ]
    write_xlsx(
        handle,
        [
            ("两新组织", [c.label for c in rules.COLUMNS], []),
            ("填表说明", ["列名", "是否必填", "也可写作", "填写要求"], notes),
        ],
        widths={0: 18, 1: 10, 2: 36, 3: 80},
    )
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename="两新组织导入模板.xlsx")


@role_required(*VIEWERS)
def followup_list(request):
    followups = visible(FollowUp, request).select_related("organization", "organization__region", "unit")
    status = request.GET.get("status", "open")
    today = timezone.localdate()
    figures = followup_figures(visible(FollowUp, request), as_of=today)
    if status == "open":
        followups = followups.filter(status=FollowUp.Status.OPEN)
    elif status == "overdue":
        followups = followups.filter(status=FollowUp.Status.OPEN, due_on__lt=today)
    elif status == "done":
        followups = followups.filter(status=FollowUp.Status.DONE)
    kind = request.GET.get("kind", "")
    if kind in FollowUp.Kind.values:
        followups = followups.filter(kind=kind)
    q = request.GET.get("q", "").strip()
    if q:
        followups = followups.filter(
            Q(organization__name__contains=q) | Q(organization__credit_code__startswith=q)
        )
    page, query = paginate(request, followups.order_by("status", "due_on", "id"))
    return render(
        request,
        "registry/followup_list.html",
        {
            "page": page,
            "query": query,
            "status": status,
            "kind": kind,
            "q": q,
            "kinds": FollowUp.Kind.choices,
            "today": today,
            "figures": figures,
            "can_close": request.user.role in EDITORS,
        },
    )


@role_required(*EDITORS)
def followup_close(request, pk: int):
    followup = get_restricted_or_404(FollowUp, request, CHANGE, pk=pk)
    form = FollowUpCloseForm(request.POST or None, kind=followup.kind)
    if request.method == "POST" and form.is_valid():
        services.close_followup(followup, actor=request.user, **form.cleaned_data)
        messages.success(request, f"已办结“{followup.organization.name}”的跟进事项")
        return redirect("registry:followups")
    return render(request, "registry/followup_close.html", {"form": form, "followup": followup})
