"""新就业群体 pages: stations (list, filters, export, detail with history and report link),
驿站, and the figures as of a date."""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.db.models import Q
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from liangxin.core.exporting import write_xlsx
from liangxin.core.listing import paginate
from liangxin.core.models import AuditLog, Region
from liangxin.core.permissions import CHANGE, get_restricted_or_404, role_required, visible
from liangxin.workforce import figures, services
from liangxin.workforce.common import (
    EDITORS,
    VIEWERS,
    as_of_from,
    export,
    export_format,
    region_filter,
    visible_regions,
)
from liangxin.workforce.forms import StationForm
from liangxin.workforce.models import GroupType, Posthouse, SentinelReport, Station, StationKind

STATION_HEADERS = ["平台/企业名称", "站点名称", "群体类型", "站点类型", "所属乡镇（街道）", "地址", "从业人数",
                   "正式党员数", "预备党员数", "党员先锋岗数", "统一社会信用代码", "设立日期", "撤销日期"]  # fmt: skip
POSTHOUSE_HEADERS = [
    "驿站名称",
    "驿站类型",
    "主办单位",
    "服务内容",
    "所属乡镇（街道）",
    "地址",
    "服务站点",
    "启用日期",
]


def filtered(request):
    """The rows the list's filters select, within what the viewer sees, and the region chosen:
    one rule for the page and the API (`api/`)."""
    qs = visible(Station, request).select_related("region", "organization")
    qs, region = region_filter(request, qs)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(platform__icontains=q) | Q(address__icontains=q))
    for key in ("group_type", "kind"):
        if value := request.GET.get(key):
            qs = qs.filter(**{key: value})
    if request.GET.get("covered") == "no":
        qs = qs.filter(organization__isnull=True)
    return qs, region


@role_required(*VIEWERS)
def station_list(request):
    qs, region = filtered(request)
    if fmt := export_format(request):
        rows = (
            [s.platform, s.name, s.get_group_type_display(), s.get_kind_display(), s.region.name, s.address,
             s.headcount, s.members_full, s.members_probationary, s.pioneer_posts,
             s.organization.credit_code if s.organization else "", s.established_on, s.closed_on]
            for s in qs.iterator(chunk_size=2000)
        )  # fmt: skip
        return export(request, fmt, "新就业群体站点", STATION_HEADERS, rows)
    page, query = paginate(request, qs)
    return render(
        request,
        "workforce/station_list.html",
        {
            "page": page,
            "query": query,
            "q": request.GET.get("q", ""),
            "group_types": GroupType.choices,
            "kinds": StationKind.choices,
            "regions": visible_regions(request),
            "region": region,
            "selected": request.GET,
            "can_edit": request.user.role in EDITORS,
        },
    )


@role_required(*VIEWERS)
def station_detail(request, pk: int):
    station = get_restricted_or_404(Station, request, pk=pk)
    history = AuditLog.objects.filter(object_type="workforce.station", object_id=str(station.pk)).order_by(
        "-at"
    )[:100]
    can_change = Station.objects.restrict(request.user, CHANGE).filter(pk=station.pk).exists()
    link = (
        request.build_absolute_uri(f"/s/{station.link_token}/") if station.link_token and can_change else ""
    )
    return render(
        request,
        "workforce/station_detail.html",
        {
            "station": station,
            "history": history,
            "posthouses": station.posthouses.all(),
            "can_change": can_change,
            "link": link,
            "reports": SentinelReport.objects.restrict(request.user).filter(station=station)[:20],
        },
    )


@role_required(*EDITORS)
def station_edit(request, pk: int | None = None):
    """Add a station, or change one the user keeps (the import sheet's fields and rules)."""
    station = get_restricted_or_404(Station, request, CHANGE, pk=pk) if pk else None
    initial = {}
    if station is not None:
        initial = {f: getattr(station, f) for f in services.STATION_FIELDS if f != "organization"}
        initial["credit_code"] = station.organization.credit_code if station.organization else ""
    regions = Region.objects.restrict(request.user, CHANGE)
    form = StationForm(request.POST or None, initial=initial, regions=regions)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "credit_code"}
        values["address"] = values["address"] or ""
        values["organization"] = form.cleaned_data["credit_code"]
        duplicate = Station.objects.filter(platform=values["platform"], name=values["name"])
        if station is not None:
            duplicate = duplicate.exclude(pk=station.pk)
        if duplicate.exists():
            form.add_error("name", "该平台下已有同名站点，请换一个名称")
        else:
            try:
                station, outcome = services.save_station(station, values, actor=request.user)
            except services.NotYours as exc:
                form.add_error("region", exc.message)
            else:
                messages.success(request, "已保存" if outcome != "unchanged" else "没有改动")
                return redirect("workforce:station_detail", pk=station.pk)
    return render(request, "workforce/station_form.html", {"form": form, "station": station})


@require_POST
@role_required(*EDITORS)
def station_link(request, pk: int):
    station = get_restricted_or_404(Station, request, CHANGE, pk=pk)
    if request.POST.get("action") == "revoke":
        services.revoke_link(station, actor=request.user)
        messages.success(request, "报告链接已停用：原二维码和海报不再能提交报告")
    else:
        services.issue_link(station, actor=request.user)
        messages.success(request, "已生成新的报告链接和二维码（原链接随即失效）")
    return redirect("workforce:station_detail", pk=station.pk)


@role_required(*VIEWERS)
def posthouse_list(request):
    qs = visible(Posthouse, request).select_related("region").prefetch_related("stations")
    qs, region = region_filter(request, qs)
    if q := request.GET.get("q", "").strip():
        qs = qs.filter(Q(name__icontains=q) | Q(host__icontains=q))
    if kind := request.GET.get("kind"):
        qs = qs.filter(kind=kind)
    if fmt := export_format(request):
        rows = (
            [p.name, p.get_kind_display(), p.host, p.services, p.region.name, p.address,
             "、".join(str(s) for s in p.stations.all()), p.opened_on]
            for p in qs
        )  # fmt: skip
        return export(request, fmt, "驿站", POSTHOUSE_HEADERS, rows)
    page, query = paginate(request, qs)
    return render(
        request,
        "workforce/posthouse_list.html",
        {"page": page, "query": query, "q": request.GET.get("q", ""), "regions": visible_regions(request),
         "region": region, "selected": request.GET},
    )  # fmt: skip


NOTES = {
    "group_type": "快递/外卖/网约车/货运/网络直播/其他（也可写 快递员、外卖骑手、网约车司机、货车司机、网络主播）",
    "kind": "快递网点/外卖站点/网约车服务站/直播基地/其他站点",
    "region": "本市的乡镇（街道）名称或代码；重名时写成“县（市、区）名称+乡镇名称”",
    "credit_code": "站点所属的登记组织；不在两新组织台账中时为警告，站点照常导入",
    "stations": "写成“平台·站点名称”，多个用顿号分隔；找不到时为警告",
    "kind_posthouse": "暖心驿站/红色驿站",
}


@role_required(*VIEWERS)
def import_template(request):
    """A blank workbook with both sheets and a 填表说明 sheet (the import page reads it back)."""
    from liangxin.workforce.imports import POSTHOUSE_SPEC, STATION_SPEC

    def notes(spec, posthouse: bool = False):
        rows = []
        for c in spec.columns:
            note = NOTES["kind_posthouse"] if posthouse and c.key == "kind" else NOTES.get(c.key, "")
            rows.append(
                [f"{spec.label}：{c.label}", "必填" if c.required else "选填", "、".join(c.synonyms), note]
            )
        return rows

    handle = tempfile.TemporaryFile()
    sheets = [
        ("新就业群体站点", [c.label for c in STATION_SPEC.columns], []),
        ("驿站", [c.label for c in POSTHOUSE_SPEC.columns], []),
        (
            "填表说明",
            ["列名", "是否必填", "也可写作", "填写要求"],
            notes(STATION_SPEC) + notes(POSTHOUSE_SPEC, True),
        ),
    ]
    write_xlsx(handle, sheets, widths={0: 24, 1: 10, 2: 36, 3: 70})
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename="新就业群体导入模板.xlsx")


@role_required(*VIEWERS)
def figures_page(request):
    as_of, error = as_of_from(request)
    data = figures.workforce(request.user, as_of)
    townships = figures.posthouses_by_township(request.user, as_of)
    if fmt := export_format(request):
        headers = ["群体", "平台/企业", "站点", "从业人数", "党员", "有党组织或指导员的站点", "驿站"]
        rows = ([g["type"], *[g[k] for k in figures.FIELDS]] for g in [*data["groups"], data["total"]])
        return export(request, fmt, f"新就业群体_截至{as_of:%Y%m%d}", headers, rows)
    return render(
        request,
        "workforce/figures.html",
        {"data": data, "as_of": as_of, "error": error, "townships": townships},
    )
