"""The rider's pages, without an account: the report form behind a station's link, the receipt,
and following a report by its receipt number. A link reveals nothing about other reports: the
receipt page shows the one report sent under that link and receipt, the track page only status."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_protect

from liangxin.core.middleware import client_ip
from liangxin.workforce import reports
from liangxin.workforce.forms import SentinelForm
from liangxin.workforce.models import SentinelReport, Station
from liangxin.workforce.photos import PhotoRejected, clean_photo


def _station(token: str) -> Station:
    station = Station.objects.filter(link_token=token).first() if token else None
    if station is None:
        raise Http404("该报告链接不存在或已停用")
    return station


def _address(request) -> str:
    return client_ip(request) or ""  # the one rule for a client's address (core.middleware)


@csrf_protect
def report_form(request, token: str):
    station = _station(token)
    refused = ""
    status = 200
    if request.method == "POST":
        form = SentinelForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            if data["website"]:  # the honeypot: a script, not a rider; say nothing useful
                return render(request, "workforce/public_thanks.html", {"station": station}, status=200)
            photo = None
            try:
                if data["photo"]:
                    photo = clean_photo(data["photo"], keep_location=data["keep_location"])
            except PhotoRejected as exc:
                form.add_error("photo", exc.message)
            if not form.errors:
                try:
                    report, _ = reports.submit(
                        station,
                        nonce=data["nonce"],
                        category=data["category"],
                        region=data["region"],
                        place=data["place"],
                        description=data["description"],
                        address=_address(request),
                        photo=photo,
                        photo_keeps_location=data["keep_location"],
                        latitude=data["latitude"],
                        longitude=data["longitude"],
                        reporter_name=data["reporter_name"],
                        reporter_phone=data["reporter_phone"],
                    )
                except reports.ReportRefused as exc:
                    refused = exc.message
                    status = 429 if exc.rate_limited else 410
                else:
                    return redirect("sentinel:receipt", token=token, receipt=report.receipt)
    else:
        form = SentinelForm()
    return render(
        request,
        "workforce/public_form.html",
        {"station": station, "form": form, "refused": refused},
        status=status,
    )


def receipt(request, token: str, receipt: str):
    station = _station(token)
    report = SentinelReport.objects.filter(station=station, receipt=receipt).first()
    if report is None:
        raise Http404("未找到该回执")
    return render(request, "workforce/public_receipt.html", {"station": station, "report": report})


def track(request):
    number = request.GET.get("receipt", "").strip().upper()
    report = SentinelReport.objects.filter(receipt=number).first() if number else None
    return render(
        request,
        "workforce/public_track.html",
        {"number": number, "report": report, "overdue": report and reports.is_overdue(report, _today())},
    )


def _today():
    from django.utils import timezone

    return timezone.localdate()
