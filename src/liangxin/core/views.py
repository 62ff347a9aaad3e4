from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, ProtectedError, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from liangxin.core import help, services, todo
from liangxin.core.context_processors import not_built as not_built_sections
from liangxin.core.forms import AreaForm, MemberUnitForm
from liangxin.core.listing import paginate
from liangxin.core.masking import may_see_in_full, shown
from liangxin.core.models import Area, AreaKind, Installation, MemberUnit, Region, RegionLevel
from liangxin.core.permissions import (
    CHANGE,
    DELETE,
    get_restricted_or_404,
    get_visible_or_404,
    role_required,
    visible,
)
from liangxin.core.roles import REFERENCE_EDITORS, Role

REGION_VIEWERS = (Role.OFFICE, Role.SYSTEM_ADMIN, Role.MEMBER_UNIT, Role.COUNTY, Role.TOWNSHIP, Role.PARK)
UNIT_VIEWERS = (Role.OFFICE, Role.SYSTEM_ADMIN, Role.MEMBER_UNIT, Role.COUNTY)


@login_required
def home(request):
    user = request.user
    today = timezone.localdate()
    groups = todo.groups_for(user, today)
    todo.remember_count(user, today, groups)
    context = {
        "city": Installation.current_city(),
        "region_count": visible(Region, request).count() if user.role in REGION_VIEWERS else None,
        "area_count": visible(Area, request).count() if user.role in REGION_VIEWERS else None,
        "unit_count": visible(MemberUnit, request).count() if user.role in UNIT_VIEWERS else None,
        "groups": groups,
        "headlines": todo.headlines_for(user, today),
        "today": today,
    }
    return render(request, "core/home.html", context)


@login_required
def not_built(request, section: str):
    sections = not_built_sections()
    if section not in sections:
        raise Http404("未找到该页面")
    return render(request, "core/not_built.html", {"section": sections[section]})


def _apply_region_filters(request, queryset):
    q = request.GET.get("q", "").strip()
    if q:
        queryset = queryset.filter(Q(name__contains=q) | Q(code__startswith=q))
    level = request.GET.get("level", "")
    if level in RegionLevel.values:
        queryset = queryset.filter(level=level)
    return queryset, q, level


@role_required(*REGION_VIEWERS)
def region_list(request):
    regions = visible(Region, request).select_related("parent")
    regions, q, level = _apply_region_filters(request, regions)
    if not q and not level:
        # Without a search, start from the top of what the user may see: the city for the
        # office, the county for a county user.
        top_level = regions.order_by("province_code", "city_code", "county_code", "township_code").first()
        if top_level is not None and top_level.level == RegionLevel.PROVINCE:
            regions = regions.exclude(level=RegionLevel.PROVINCE).filter(
                level__in=[RegionLevel.CITY, RegionLevel.COUNTY]
            )
        elif top_level is not None:
            regions = regions.filter(level=top_level.level)
    regions = regions.annotate(
        child_count=Count("children", distinct=True), area_count=Count("areas", distinct=True)
    )
    page, query = paginate(request, regions.order_by("code"))
    return render(
        request,
        "core/region_list.html",
        {
            "page": page,
            "query": query,
            "q": q,
            "level": level,
            "levels": RegionLevel.choices,
            "can_edit": request.user.role in REFERENCE_EDITORS,
        },
    )


@role_required(*REGION_VIEWERS)
def region_detail(request, code: str):
    region = get_visible_or_404(Region, request, code=code)
    visible_regions = visible(Region, request)
    ancestors = list(visible_regions.filter(code__in=region.ancestor_codes()).order_by("code"))
    children = visible_regions.filter(parent=region).annotate(area_count=Count("areas", distinct=True))
    page, query = paginate(request, children.order_by("code"))
    areas = visible(Area, request).filter(**{f"{region.level}_code": region.code}).select_related("region")
    return render(
        request,
        "core/region_detail.html",
        {
            "region": region,
            "ancestors": ancestors,
            "page": page,
            "query": query,
            "areas": areas,
            "can_edit": request.user.role in REFERENCE_EDITORS,
        },
    )


@role_required(*REGION_VIEWERS)
def area_list(request):
    areas = visible(Area, request).select_related("region")
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    if q:
        areas = areas.filter(name__contains=q)
    if kind in AreaKind.values:
        areas = areas.filter(kind=kind)
    page, query = paginate(request, areas)
    return render(
        request,
        "core/area_list.html",
        {
            "page": page,
            "query": query,
            "q": q,
            "kind": kind,
            "kinds": AreaKind.choices,
            "can_edit": request.user.role in REFERENCE_EDITORS,
        },
    )


@role_required(*REFERENCE_EDITORS)
def area_edit(request, pk: int | None = None):
    area = get_restricted_or_404(Area, request, CHANGE, pk=pk) if pk else None
    regions = visible(Region, request)
    initial = {}
    if area is None and request.GET.get("region"):
        initial["region"] = regions.filter(code=request.GET["region"]).first()
    form = AreaForm(request.POST or None, instance=area, regions=regions, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if area is None:
                area = services.create_area(actor=request.user, **data)
                messages.success(request, f"已添加功能区“{area.name}”")
            else:
                services.update_area(area, actor=request.user, **data)
                messages.success(request, f"已保存功能区“{area.name}”")
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return redirect("core:region_detail", code=area.region.code)
    return render(request, "core/area_form.html", {"form": form, "area": area})


@require_POST
@role_required(*REFERENCE_EDITORS)
def area_delete(request, pk: int):
    area = get_restricted_or_404(Area, request, DELETE, pk=pk)
    region_code = area.region.code
    try:
        services.delete_area(area, actor=request.user)
        messages.success(request, f"已删除功能区“{area.name}”")
    except ProtectedError:
        messages.error(request, f"功能区“{area.name}”下还有用户或数据，不能删除")
    return redirect("core:region_detail", code=region_code)


@role_required(*UNIT_VIEWERS)
def member_unit_list(request):
    units = (
        visible(MemberUnit, request)
        .select_related("region")
        .annotate(industry_count=Count("industries", distinct=True), user_count=Count("users", distinct=True))
        .order_by("sort", "id")
    )
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    if q:
        units = units.filter(name__contains=q)
    if kind:
        units = units.filter(kind=kind)
    page, query = paginate(request, units)
    return render(
        request,
        "core/member_unit_list.html",
        {
            "page": page,
            "query": query,
            "q": q,
            "kind": kind,
            "kinds": MemberUnit._meta.get_field("kind").choices,
            "can_edit": request.user.role in REFERENCE_EDITORS,
        },
    )


@role_required(*UNIT_VIEWERS)
def member_unit_detail(request, pk: int):
    unit = get_visible_or_404(MemberUnit, request, pk=pk)
    full = may_see_in_full(request.user, unit)
    return render(
        request,
        "core/member_unit_detail.html",
        {
            "unit": unit,
            "contact": shown(request.user, unit, "contact", full=full),
            "phone": shown(request.user, unit, "phone", full=full),
            "industries": unit.industries.all(),
            "can_edit": request.user.role in REFERENCE_EDITORS,
        },
    )


@role_required(*REFERENCE_EDITORS)
def member_unit_edit(request, pk: int | None = None):
    unit = get_restricted_or_404(MemberUnit, request, CHANGE, pk=pk) if pk else None
    form = MemberUnitForm(request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid():
        industries = form.cleaned_data.pop("industries")
        instance = form.save(commit=False)
        try:
            services.save_member_unit(instance, actor=request.user, industries=industries)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return render(request, "core/member_unit_form.html", {"form": form, "unit": unit}, status=403)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"已保存成员单位“{instance.name}”")
            return redirect("core:member_unit_detail", pk=instance.pk)
    return render(request, "core/member_unit_form.html", {"form": form, "unit": unit})


@login_required
def manual(request, role: str | None = None):
    """The user manual, offline: the user's own role first, every role's a click away."""
    current = role or help.manual_of(request.user)
    if current not in help.MANUAL_TOPICS:
        raise Http404("没有该角色的使用手册")
    context = {
        "manuals": [(slug, label) for slug, label, _ in help.MANUALS],
        "current": current,
        "heading": help.MANUAL_TITLES[current],
        "sections": help.manual_sections(current),
    }
    return render(request, "core/manual.html", context)
