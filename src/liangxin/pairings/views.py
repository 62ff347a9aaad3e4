"""结对共建 pages: the list (search, filters, export), a pairing with its projects, the totals,
and the villages with the 重点帮扶村 flag."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from liangxin.core.downloads import import_template_download, table_download
from liangxin.core.listing import paginate
from liangxin.core.models import Region, RegionLevel
from liangxin.core.permissions import (
    CHANGE,
    get_restricted_or_404,
    get_visible_or_404,
    role_required,
    visible,
)
from liangxin.core.roles import Role
from liangxin.pairings import services
from liangxin.pairings.forms import PairingForm, ProjectForm
from liangxin.pairings.imports import TEMPLATES
from liangxin.pairings.models import Pairing, ProjectKind, active_in_year_q
from liangxin.pairings.totals import pairing_totals
from liangxin.registry.models import Organization

VIEWERS = (Role.OFFICE, Role.MEMBER_UNIT, Role.COUNTY, Role.TOWNSHIP, Role.PARK)
EDITORS = VIEWERS
EXPORT_HEADERS = [
    "统一社会信用代码", "组织名称", "结对村（社区）", "村代码", "所属乡镇（街道）", "重点帮扶村",
    "结对开始日期", "结对结束日期", "结对内容", "项目年度", "项目名称", "项目类型", "投入资金（万元）",
    "受益人数", "项目状态", "项目成效",
]  # fmt: skip


def _year(request) -> int:
    try:
        return int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year


def filtered(request):
    """The rows the list's filters select, within what the viewer sees, and the filters as read:
    one rule for the page, its export and the API (`api/`)."""
    pairings = visible(Pairing, request).select_related("organization", "village", "village__parent")
    q = request.GET.get("q", "").strip()
    if q:
        pairings = pairings.filter(
            Q(organization__name__contains=q)
            | Q(organization__credit_code__startswith=q)
            | Q(village__name__contains=q)
        )
    county = request.GET.get("county", "")
    if county:
        pairings = pairings.filter(village__county_code=county)
    year = request.GET.get("year", "")
    if year.isdigit():
        pairings = pairings.filter(active_in_year_q(int(year)))
    if request.GET.get("key") == "1":
        pairings = pairings.filter(village__key_village=True)
    return pairings, {"q": q, "county": county, "year": year, "key": request.GET.get("key", "")}


@role_required(*VIEWERS)
def pairing_list(request):
    pairings, filters = filtered(request)
    pairings = pairings.annotate(project_count=Count("projects"))
    page, query = paginate(request, pairings.order_by("-starts_on", "id"))
    counties = visible(Region, request).filter(level=RegionLevel.COUNTY).order_by("code")
    return render(
        request,
        "pairings/pairing_list.html",
        {
            "page": page,
            "query": query,
            "counties": counties,
            "can_edit": request.user.role in EDITORS,
            **filters,
        },
    )


def _export_rows(pairings):
    for p in pairings.prefetch_related("projects"):
        base = [
            p.organization.credit_code, p.organization.name, p.village.name, p.village.code,
            p.village.parent.name if p.village.parent else "", p.village.key_village, p.starts_on, p.ends_on, p.note,
        ]  # fmt: skip
        projects = list(p.projects.all())
        if not projects:
            yield base
        for pr in projects:
            yield [
                *base, pr.year, pr.title, pr.get_kind_display(), float(pr.funds), pr.people_helped,
                pr.get_status_display(), pr.result,
            ]  # fmt: skip


@role_required(*VIEWERS)
def pairing_export(request, fmt: str):
    pairings, _ = filtered(request)
    rows = _export_rows(pairings.order_by("organization__credit_code", "starts_on"))
    return table_download(
        request, fmt, "结对共建台账", EXPORT_HEADERS, rows, action="pairings.pairing.exported"
    )


@role_required(*VIEWERS)
def pairing_detail(request, pk: int):
    pairing = get_visible_or_404(Pairing, request, pk=pk)
    can_edit = Pairing.objects.restrict(request.user, CHANGE).filter(pk=pk).exists()
    return render(
        request,
        "pairings/pairing_detail.html",
        {"pairing": pairing, "projects": pairing.projects.all(), "can_edit": can_edit},
    )


@role_required(*EDITORS)
def pairing_edit(request, pk: int | None = None):
    pairing = get_restricted_or_404(Pairing, request, CHANGE, pk=pk) if pk else None
    initial = {}
    if pairing:
        initial = {
            "credit_code": pairing.organization.credit_code,
            "village": pairing.village.code,
            "starts_on": pairing.starts_on,
            "ends_on": pairing.ends_on,
            "note": pairing.note,
        }
    organizations = Organization.objects.restrict(request.user, CHANGE)
    form = PairingForm(request.POST or None, initial=initial, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved, _ = services.save_pairing(
                pairing,
                actor=request.user,
                organization=data["organization"],
                village=data["village"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                note=data["note"],
            )
        except services.PairingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已保存结对：{saved}")
            return redirect("pairings:detail", pk=saved.pk)
    return render(request, "pairings/pairing_form.html", {"form": form, "pairing": pairing})


@require_POST
@role_required(*EDITORS)
def pairing_delete(request, pk: int):
    pairing = get_restricted_or_404(Pairing, request, CHANGE, pk=pk)
    services.delete_pairing(pairing, actor=request.user)
    messages.success(request, "已删除该结对")
    return redirect("pairings:list")


@role_required(*EDITORS)
def project_create(request, pk: int):
    pairing = get_restricted_or_404(Pairing, request, CHANGE, pk=pk)
    form = ProjectForm(
        request.POST or None, initial={"year": timezone.localdate().year, "kind": ProjectKind.INDUSTRY}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_project(pairing, actor=request.user, **data)
        except services.PairingError as exc:
            form.add_error("year", str(exc))
        else:
            messages.success(request, f"已保存项目“{data['title']}”")
            return redirect("pairings:detail", pk=pairing.pk)
    return render(request, "pairings/project_form.html", {"form": form, "pairing": pairing})


@role_required(*VIEWERS)
def totals(request):
    year = _year(request)
    result = pairing_totals(visible(Pairing, request), year, villages=visible(Region, request))
    return render(request, "pairings/totals.html", {"totals": result, "year": year})


@role_required(*VIEWERS)
def village_list(request):
    villages = (
        visible(Region, request).filter(level=RegionLevel.VILLAGE).select_related("parent", "parent__parent")
    )
    q = request.GET.get("q", "").strip()
    if q:
        villages = villages.filter(Q(name__contains=q) | Q(code__startswith=q) | Q(parent__name__contains=q))
    key = request.GET.get("key", "")
    if key == "1":
        villages = villages.filter(key_village=True)
    year = timezone.localdate().year
    paired = Pairing.objects.filter(active_in_year_q(year)).values("village_id")
    if request.GET.get("unpaired") == "1":
        villages = villages.exclude(pk__in=paired)
    villages = villages.annotate(pairing_count=Count("pairings", filter=active_in_year_q(year, "pairings__")))
    page, query = paginate(request, villages.order_by("code"))
    return render(
        request,
        "pairings/village_list.html",
        {
            "page": page,
            "query": query,
            "q": q,
            "key": key,
            "unpaired": request.GET.get("unpaired", ""),
            "can_flag": Region.objects.restrict(request.user, CHANGE).exists(),
        },
    )


@require_POST
@role_required(Role.OFFICE)
def village_key(request, code: str):
    village = get_restricted_or_404(Region, request, CHANGE, code=code, level=RegionLevel.VILLAGE)
    flag = request.POST.get("key_village") == "1"
    services.set_key_village(village, flag, actor=request.user)
    messages.success(request, f"已{'标记' if flag else '取消'}“{village.name}”为重点帮扶村")
    return redirect(f"{reverse('pairings:villages')}?q={quote(village.code)}")


@role_required(*VIEWERS)
def import_template(request, kind: str):
    """A blank 结对共建 or 重点帮扶村 sheet with its 填表说明; the import page reads it back."""
    if kind not in TEMPLATES:
        raise Http404("没有这种导入模板")
    return import_template_download(*TEMPLATES[kind])
