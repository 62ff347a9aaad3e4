"""Staff pages of 流动哨兵: the station's QR code and poster, the reports a user handles (list,
filters, export, detail with masking and history, accept / hand over / close), the month's counts."""

from __future__ import annotations

import datetime
import io

import segno
from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from liangxin.core.audit_labels import action_label
from liangxin.core.listing import paginate
from liangxin.core.masking import masked_values, may_see_in_full, shown, with_full_view
from liangxin.core.models import AuditLog
from liangxin.core.permissions import CHANGE, get_restricted_or_404, role_required, visible
from liangxin.workforce import reports, stats
from liangxin.workforce.common import HANDLERS, VIEWERS, export, export_format, region_filter, visible_regions
from liangxin.workforce.forms import CloseForm, HandOverForm
from liangxin.workforce.models import Category, GroupType, ReportStatus, SentinelReport, Station

REPORT_HEADERS = ["回执号", "报告时间", "站点", "群体类型", "类别", "所在乡镇（街道）", "地点", "所见情况", "承办成员单位",
                  "状态", "办结时限", "办结时间", "办理结果", "报告人", "联系电话"]  # fmt: skip


def _link_station(request, pk: int) -> Station:
    station = get_restricted_or_404(Station, request, CHANGE, pk=pk)
    if not station.link_token:
        raise Http404("该站点尚未生成报告链接")
    return station


def _link(request, station: Station) -> str:
    return request.build_absolute_uri(f"/s/{station.link_token}/")


@role_required(*VIEWERS)
def station_qr(request, pk: int):
    station = _link_station(request, pk)
    out = io.BytesIO()
    segno.make(_link(request, station), error="m").save(out, kind="svg", scale=8, border=2)
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")


@role_required(*VIEWERS)
def station_poster(request, pk: int):
    station = _link_station(request, pk)
    qr = segno.make(_link(request, station), error="m").svg_data_uri(scale=10, border=2)
    return render(
        request, "workforce/poster.html", {"station": station, "qr": qr, "link": _link(request, station)}
    )


def filtered(request):
    """The rows the list's filters select, within what the viewer sees, and the region chosen:
    one rule for the page and the API (`api/`)."""
    qs = visible(SentinelReport, request).select_related("station", "region", "unit")
    qs, region = region_filter(request, qs)
    if q := request.GET.get("q", "").strip():
        qs = qs.filter(Q(receipt__icontains=q) | Q(place__icontains=q) | Q(description__icontains=q))
    for key in ("status", "category", "group_type"):
        if value := request.GET.get(key):
            qs = qs.filter(**{key: value})
    if request.GET.get("overdue") == "1":
        qs = qs.exclude(status=ReportStatus.CLOSED).filter(due_on__lt=timezone.localdate())
    if month := request.GET.get("month", "").strip():
        try:
            m = stats.Month.parse(month)
        except stats.PeriodError as exc:
            messages.warning(request, exc.message)
        else:
            qs = qs.filter(submitted_at__gte=stats._start(m.first), submitted_at__lt=stats._start(m.last) + (
                datetime.timedelta(days=1)))  # fmt: skip
    return with_full_view(qs, request.user), region


@role_required(*VIEWERS)
def report_list(request):
    qs, region = filtered(request)
    today = timezone.localdate()
    if fmt := export_format(request):
        rows = (
            [r.receipt, timezone.localtime(r.submitted_at).strftime("%Y-%m-%d %H:%M"), str(r.station),
             r.get_group_type_display(), r.get_category_display(), r.region.name, r.place, r.description,
             str(r.unit or ""), r.get_status_display(), r.due_on,
             timezone.localtime(r.closed_at).strftime("%Y-%m-%d %H:%M") if r.closed_at else "", r.outcome,
             shown(request.user, r, "reporter_name"), shown(request.user, r, "reporter_phone")]
            for r in qs.iterator(chunk_size=2000)
        )  # fmt: skip
        return export(request, fmt, "流动哨兵报告", REPORT_HEADERS, rows)
    page, query = paginate(request, qs)
    for r in page:
        r.overdue = reports.is_overdue(r, today) and r.status != ReportStatus.CLOSED
    return render(
        request,
        "workforce/report_list.html",
        {
            "page": page,
            "query": query,
            "q": request.GET.get("q", ""),
            "statuses": ReportStatus.choices,
            "categories": Category.choices,
            "group_types": GroupType.choices,
            "regions": visible_regions(request),
            "region": region,
            "selected": request.GET,
        },
    )


@role_required(*VIEWERS)
def report_detail(request, pk: int):
    report = get_restricted_or_404(SentinelReport, request, pk=pk)
    full = may_see_in_full(request.user, report)
    history = list(
        AuditLog.objects.filter(object_type="workforce.sentinelreport", object_id=str(report.pk)).order_by(
            "-at"
        )
    )
    for log in history:
        log.label = action_label(log.action, log.object_type)
        if not full:
            log.before = masked_values(SentinelReport, log.before)
            log.after = masked_values(SentinelReport, log.after)
    can_handle = (
        request.user.role in HANDLERS
        and SentinelReport.objects.restrict(request.user, CHANGE).filter(pk=pk).exists()
    )
    return render(
        request,
        "workforce/report_detail.html",
        {
            "report": report,
            "name": shown(request.user, report, "reporter_name", full=full),
            "phone": shown(request.user, report, "reporter_phone", full=full),
            "history": history,
            "can_handle": can_handle,
            "overdue": reports.is_overdue(report, timezone.localdate()),
            "hand_over": HandOverForm(),
            "close": CloseForm(),
        },
    )


@role_required(*VIEWERS)
def report_photo(request, pk: int):
    report = get_restricted_or_404(SentinelReport, request, pk=pk)
    if not report.photo:
        raise Http404("该报告没有照片")
    response = HttpResponse(bytes(report.photo), content_type="image/jpeg")
    response["Content-Disposition"] = f'inline; filename="{report.receipt}.jpg"'
    return response


@require_POST
@role_required(*HANDLERS)
def report_action(request, pk: int, action: str):
    report = get_restricted_or_404(SentinelReport, request, CHANGE, pk=pk)
    try:
        if action == "accept":
            reports.accept(report, actor=request.user)
            messages.success(request, "已受理")
        elif action == "close":
            form = CloseForm(request.POST)
            reports.close(report, actor=request.user, outcome=form.data.get("outcome", ""))
            messages.success(request, "已办结")
        elif action == "hand-over":
            form = HandOverForm(request.POST)
            if not form.is_valid():
                raise reports.ReportRefused("；".join(e for errs in form.errors.values() for e in errs))
            reports.hand_over(
                report,
                actor=request.user,
                region=form.cleaned_data["region"],
                unit=form.cleaned_data["unit"],
                note=form.cleaned_data["note"],
            )
            messages.success(request, "已移交")
            if not SentinelReport.objects.restrict(request.user).filter(pk=pk).exists():
                return redirect("workforce:reports")
        else:
            raise Http404("未知操作")
    except reports.ReportRefused as exc:
        messages.error(request, exc.message)
    return redirect("workforce:report_detail", pk=pk)


@role_required(*VIEWERS)
def stats_page(request):
    today = timezone.localdate()
    try:
        month = (
            stats.Month.parse(request.GET["period"]) if request.GET.get("period") else stats.Month.of(today)
        )
    except stats.PeriodError as exc:
        messages.warning(request, exc.message)
        month = stats.Month.of(today)
    data = stats.sentinel_stats(request.user, month)
    if fmt := export_format(request):
        rows = [[t["name"], t["code"], t["reports"], t["closed"]] for t in data["by_township"]]
        return export(
            request, fmt, f"流动哨兵_{month.key}", ["乡镇（街道）", "区划代码", "报告", "办结"], rows
        )
    return render(
        request, "workforce/stats.html", {"data": data, "month": month, "line": stats.bulletin_line(data)}
    )
