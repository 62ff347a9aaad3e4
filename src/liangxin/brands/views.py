"""品牌与示范点 pages: the campaign (who must report, who is late, brands by stage), the brands
list (filters, export), a brand with its evidence and revisits, and the revisits to answer."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from liangxin.brands import revisits, services
from liangxin.brands.forms import (
    BrandForm,
    CampaignEditForm,
    CampaignForm,
    CloseForm,
    EvidenceForm,
    RevisitForm,
)
from liangxin.brands.imports import NOTES, SPEC, TEMPLATE_TITLE
from liangxin.brands.models import Brand, Campaign, Level, Revisit, Stage
from liangxin.brands.status import campaign_status
from liangxin.core.downloads import import_template_download, table_download
from liangxin.core.listing import paginate
from liangxin.core.models import MemberUnit
from liangxin.core.permissions import (
    CHANGE,
    get_restricted_or_404,
    get_visible_or_404,
    role_required,
    visible,
)
from liangxin.core.roles import Role
from liangxin.dispatch.units import acting_unit
from liangxin.registry.models import Organization

VIEWERS = (Role.OFFICE, Role.MEMBER_UNIT, Role.COUNTY, Role.TOWNSHIP, Role.PARK)
EDITORS = (Role.OFFICE, Role.MEMBER_UNIT, Role.COUNTY)
EXPORT_HEADERS = ["年度", "品牌名称", "类别", "申报单位", "所属组织", "所在区域", "创建阶段", "命名日期",
                  "仍在运行", "品牌简介", "佐证材料说明", "登记时间"]  # fmt: skip


def _campaign(request) -> Campaign | None:
    year = request.GET.get("campaign", "")
    campaigns = Campaign.objects.order_by("-year")
    if year.isdigit():
        return campaigns.filter(year=int(year)).first()
    return campaigns.first()


def _as_of(request, campaign: Campaign) -> datetime.date:
    text = request.GET.get("as_of", "")
    try:
        return datetime.date.fromisoformat(text) if text else timezone.localdate()
    except ValueError:
        return timezone.localdate()


def filtered(request, campaign):
    """The rows the list's filters select, within what the viewer sees, and the filters as read:
    one rule for the page, its export and the API (`api/`)."""
    brands = (
        visible(Brand, request).filter(campaign=campaign).select_related("unit", "organization", "region")
    )
    q = request.GET.get("q", "").strip()
    if q:
        brands = brands.filter(
            Q(name__contains=q) | Q(unit__name__contains=q) | Q(organization__name__contains=q)
        )
    filters = {"q": q}
    for key, choices in (("level", Level), ("stage", Stage)):
        value = request.GET.get(key, "")
        if value in choices.values:
            brands = brands.filter(**{key: value})
        filters[key] = value
    if request.GET.get("inactive") == "1":
        brands = brands.filter(active=False)
    filters["inactive"] = request.GET.get("inactive", "")
    return brands, filters


@role_required(*VIEWERS)
def index(request):
    campaign = _campaign(request)
    if campaign is None:
        return render(request, "brands/empty.html", {"can_open": request.user.role == Role.OFFICE})
    as_of = _as_of(request, campaign)
    status = campaign_status(
        campaign, as_of, brands=visible(Brand, request), units=MemberUnit.objects.restrict(request.user)
    )
    brands, filters = filtered(request, campaign)
    page, query = paginate(request, brands.order_by("unit__sort", "id"))
    unit = acting_unit(request.user)
    return render(
        request,
        "brands/index.html",
        {
            "campaign": campaign,
            "campaigns": Campaign.objects.order_by("-year"),
            "status": status,
            "as_of": as_of,
            "page": page,
            "query": query,
            "levels": Level.choices,
            "stages": Stage.choices,
            "unit": unit if unit and campaign.units.filter(pk=unit.pk).exists() else None,
            "can_edit": request.user.role in EDITORS,
            **filters,
        },
    )


@role_required(*VIEWERS)
def brand_export(request, fmt: str):
    campaign = _campaign(request)
    if campaign is None:
        raise Http404("尚未开启品牌申报")
    brands, _ = filtered(request, campaign)

    def rows():
        for b in brands.order_by("unit__sort", "id"):
            yield [
                campaign.year, b.name, b.get_level_display(), b.unit.name,
                b.organization.name if b.organization_id else "", b.region.name if b.region_id else "",
                b.get_stage_display(), b.named_on, b.active, b.description, b.evidence,
                timezone.localtime(b.created_at).strftime("%Y-%m-%d %H:%M"),
            ]  # fmt: skip

    return table_download(
        request, fmt, f"{campaign.year}年品牌与示范点", EXPORT_HEADERS, rows(), action="brands.brand.exported"
    )


@role_required(Role.OFFICE)
def campaign_create(request):
    form = CampaignForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = services.open_campaign(
                data["year"],
                actor=request.user,
                units=list(data["units"]) or None,
                deadline=data["deadline"],
                task=data["task"],
                revisit_months=data["revisit_months"],
            )
        except services.BrandError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已开启{campaign.title}，并在{campaign.year}年重点任务中建立调度任务")
            return redirect(f"{_index_url()}?campaign={campaign.year}")
    return render(request, "brands/campaign_form.html", {"form": form})


@role_required(Role.OFFICE)
def campaign_edit(request, year: int):
    campaign = Campaign.objects.filter(year=year).select_related("task").first()
    if campaign is None:
        raise Http404("没有该年度的品牌申报")
    form = CampaignEditForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_campaign(
                campaign,
                actor=request.user,
                title=data["title"],
                deadline=data["deadline"],
                units=list(data["units"]),
                revisit_months=data["revisit_months"],
            )
        except services.BrandError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已修改{data['title']}，调度任务的完成时限和报送单位已同步")
            return redirect(f"{_index_url()}?campaign={campaign.year}")
    return render(request, "brands/campaign_form.html", {"form": form, "campaign": campaign})


def _index_url() -> str:
    return reverse("brands:index")


@role_required(*VIEWERS)
def brand_detail(request, pk: int):
    brand = get_visible_or_404(Brand, request, pk=pk)
    can_edit = Brand.objects.restrict(request.user, CHANGE).filter(pk=pk).exists()
    today = timezone.localdate()
    rows = [(r, revisits.STATE_LABELS[revisits.state(r, today)]) for r in brand.revisits.all()]
    return render(
        request,
        "brands/brand_detail.html",
        {
            "brand": brand,
            "revisits": rows,
            "attachments": brand.attachments.all(),
            "can_edit": can_edit,
            "evidence_form": EvidenceForm(),
        },
    )


@role_required(*EDITORS)
def brand_edit(request, pk: int | None = None):
    brand = get_restricted_or_404(Brand, request, CHANGE, pk=pk) if pk else None
    campaign = brand.campaign if brand else _campaign(request)
    if campaign is None:
        raise Http404("尚未开启品牌申报")
    units = MemberUnit.objects.restrict(request.user, CHANGE).filter(pk__in=campaign.units.values("pk"))
    instance = brand or Brand(campaign=campaign)
    initial = {}
    if brand is None and (unit := acting_unit(request.user)) is not None:
        initial["unit"] = unit
    form = BrandForm(
        request.POST or None,
        instance=instance,
        initial=initial,
        units=units,
        organizations=Organization.objects.restrict(request.user),
    )
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.organization = form.cleaned_data["organization_code"]
        saved.region = form.cleaned_data["place"]
        try:
            services.save_brand(saved, actor=request.user)
        except services.BrandError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已保存品牌“{saved.name}”")
            return redirect("brands:detail", pk=saved.pk)
    return render(request, "brands/brand_form.html", {"form": form, "brand": brand, "campaign": campaign})


@role_required(*EDITORS)
def brand_close(request, pk: int):
    """停止运行: the unit reports that a brand no longer runs (counted as 推出即下架)."""
    brand = get_restricted_or_404(Brand, request, CHANGE, pk=pk, active=True)
    form = CloseForm(request.POST or None, initial={"inactive_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.close_brand(
                brand, actor=request.user, on=form.cleaned_data["inactive_on"], note=form.cleaned_data["note"]
            )
        except services.BrandError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已登记品牌“{brand.name}”停止运行")
            return redirect("brands:detail", pk=brand.pk)
    return render(request, "brands/brand_close.html", {"form": form, "brand": brand})


@require_POST
@role_required(*EDITORS)
def brand_reopen(request, pk: int):
    """恢复运行: a stopped brand runs again (no longer counted as 推出即下架)."""
    brand = get_restricted_or_404(Brand, request, CHANGE, pk=pk)
    try:
        services.reopen_brand(brand, actor=request.user, note=request.POST.get("note", ""))
    except services.BrandError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已登记品牌“{brand.name}”恢复运行")
    return redirect("brands:detail", pk=brand.pk)


@require_POST
@role_required(*EDITORS)
def evidence_upload(request, pk: int):
    brand = get_restricted_or_404(Brand, request, CHANGE, pk=pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_evidence(brand, form.cleaned_data["file"], actor=request.user)
        except services.BrandError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已上传佐证材料")
    else:
        messages.error(request, "请选择要上传的文件")
    return redirect("brands:detail", pk=brand.pk)


@role_required(*VIEWERS)
def evidence_download(request, pk: int, file_pk: int):
    brand = get_visible_or_404(Brand, request, pk=pk)
    attachment = brand.attachments.filter(pk=file_pk).first()
    if attachment is None:
        raise Http404("未找到该附件")
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


@require_POST
@role_required(Role.MEMBER_UNIT, Role.COUNTY)
def report(request):
    campaign = _campaign(request)
    unit = acting_unit(request.user)
    if campaign is None or unit is None or not campaign.units.filter(pk=unit.pk).exists():
        raise Http404("您不是本次品牌申报的应申报单位")
    try:
        services.report_brands(campaign, unit, actor=request.user)
    except services.BrandError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已报送：{campaign.task.code}. {campaign.task.title}（已完成）")
    return redirect(f"{_index_url()}?campaign={campaign.year}")


@role_required(*VIEWERS)
def revisit_list(request):
    today = timezone.localdate()
    rows = visible(Revisit, request).select_related("brand", "brand__unit").filter(brand__active=True)
    which = request.GET.get("state", "open")
    if which == "open":
        rows = rows.filter(answered_at__isnull=True, due_on__lte=today)
    elif which == "answered":
        rows = rows.filter(answered_at__isnull=False)
    page, query = paginate(request, rows.order_by("due_on", "id"))
    items = [(r, revisits.STATE_LABELS[revisits.state(r, today)]) for r in page]
    return render(
        request, "brands/revisit_list.html", {"page": page, "items": items, "query": query, "state": which}
    )


@role_required(*EDITORS)
def revisit_answer(request, pk: int):
    revisit = get_restricted_or_404(Revisit, request, CHANGE, pk=pk, answered_at__isnull=True)
    form = RevisitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_revisit(
                revisit,
                actor=request.user,
                still_active=form.cleaned_data["still_active"],
                note=form.cleaned_data["note"],
            )
        except services.BrandError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已填报“{revisit.brand.name}”的回访")
            return redirect("brands:detail", pk=revisit.brand_id)
    return render(request, "brands/revisit_form.html", {"form": form, "revisit": revisit})


@role_required(*VIEWERS)
def import_template(request):
    """A blank 品牌/示范点 sheet with its 填表说明; the import page reads it back."""
    return import_template_download(TEMPLATE_TITLE, SPEC, NOTES)
