"""流动哨兵 reports: submitted without an account through a station's link, routed, accepted,
handed over and closed. Every change is a service here: atomic, an explicit actor, an audit row
in the same transaction; a write re-checks the row through ``restrict(actor, "change")``."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from liangxin.core import audit
from liangxin.core.models import MemberUnit, Region, RegionLevel
from liangxin.core.scoping import CHANGE
from liangxin.core.unitnames import UnitNames
from liangxin.workforce.models import Category, ReportStatus, SentinelReport, Station

RECEIPT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud over the phone


class ReportRefused(ValueError):
    """A submission or an action that cannot be done; ``message`` is Chinese, shown as it is."""

    def __init__(self, message: str, *, rate_limited: bool = False):
        super().__init__(message)
        self.message = message
        self.rate_limited = rate_limited


def add_working_days(day: datetime.date, days: int) -> datetime.date:
    """`days` working days (Monday–Friday) after `day`."""
    while days > 0:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def client_key(address: str) -> str:
    """A keyed hash of the client's address: enough to count its submissions, not to find it."""
    return hmac.new(settings.SECRET_KEY.encode(), (address or "").encode(), hashlib.sha256).hexdigest()


def new_receipt(day: datetime.date) -> str:
    return f"SB{day:%y%m%d}" + "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(6))


def route(category: str) -> MemberUnit | None:
    """The member unit a category goes to (``LIANGXIN_SENTINEL_ROUTES``), or None: the township."""
    label = Category(category).label
    name = settings.LIANGXIN_SENTINEL_ROUTES.get(label) or settings.LIANGXIN_SENTINEL_ROUTES.get(category)
    if not name:
        return None
    try:
        return UnitNames().one(name)
    except ValueError:
        return None  # a misconfigured route must not lose the report: the township handles it


def townships():
    return Region.objects.filter(level=RegionLevel.TOWNSHIP).order_by("code")


def _limits(station: Station, key: str, now: datetime.datetime) -> None:
    per_link = settings.LIANGXIN_SENTINEL_LINK_PER_MINUTE
    recent = SentinelReport.objects.filter(
        station=station, submitted_at__gt=now - datetime.timedelta(minutes=1)
    )
    if recent.count() >= per_link:
        raise ReportRefused(
            f"提交太频繁：本站点一分钟内最多受理 {per_link} 份报告，请稍等一分钟后再提交。"
            "已提交成功的报告都已收到，不必重复提交。",
            rate_limited=True,
        )
    per_client = settings.LIANGXIN_SENTINEL_CLIENT_PER_HOUR
    mine = SentinelReport.objects.filter(client_key=key, submitted_at__gt=now - datetime.timedelta(hours=1))
    if mine.count() >= per_client:
        raise ReportRefused(
            f"提交太频繁：同一台设备一小时内最多提交 {per_client} 份报告，请稍后再提交；"
            "紧急情况请直接拨打 110、119 或 120。",
            rate_limited=True,
        )


def submit(
    station: Station,
    *,
    nonce: str,
    category: str,
    region: Region,
    place: str,
    description: str,
    address: str,
    photo: bytes | None = None,
    photo_keeps_location: bool = False,
    latitude=None,
    longitude=None,
    reporter_name: str = "",
    reporter_phone: str = "",
    now: datetime.datetime | None = None,
) -> tuple[SentinelReport, bool]:
    """Store a report (created True), or give back the one this form already sent (False).
    Raises ReportRefused when the link is revoked or a rate limit is reached."""
    now = now or timezone.now()
    key = client_key(address)
    with transaction.atomic():
        station = Station.objects.select_for_update().get(pk=station.pk)  # one link, one queue
        if not station.link_token:
            raise ReportRefused("该报告链接已停用，请向站点负责人索取新的二维码")
        existing = SentinelReport.objects.filter(nonce=nonce, station=station).first()
        if existing is not None:
            return existing, False
        _limits(station, key, now)
        today = timezone.localdate(now)
        report = SentinelReport(
            receipt=new_receipt(today),
            nonce=nonce,
            station=station,
            group_type=station.group_type,
            category=category,
            region=region,
            place=place,
            description=description,
            photo=photo,
            photo_keeps_location=bool(photo and photo_keeps_location),
            latitude=latitude,
            longitude=longitude,
            reporter_name=reporter_name,
            reporter_phone=reporter_phone,
            client_key=key,
            unit=route(category),
            submitted_at=now,
            due_on=add_working_days(today, settings.LIANGXIN_SENTINEL_DUE_WORKING_DAYS),
        )
        report.copy_ancestor_codes(region)
        while SentinelReport.objects.filter(receipt=report.receipt).exists():
            report.receipt = new_receipt(today)
        report.save()
        audit.record(
            "workforce.report.submitted",
            obj=report,
            actor_name="流动哨兵（匿名）",
            after={"station": str(station), "category": report.get_category_display(), "region": region.name},
        )
    return report, True


def _locked(report: SentinelReport, actor) -> SentinelReport:
    try:
        return SentinelReport.objects.restrict(actor, CHANGE).select_for_update().get(pk=report.pk)
    except SentinelReport.DoesNotExist:
        raise ReportRefused("未找到该报告，或不在您的管辖范围内") from None


def accept(report: SentinelReport, *, actor, now: datetime.datetime | None = None) -> SentinelReport:
    with transaction.atomic():
        report = _locked(report, actor)
        if report.status != ReportStatus.NEW:
            raise ReportRefused(f"该报告当前为“{report.get_status_display()}”，不能再受理")
        report.status = ReportStatus.ACCEPTED
        report.accepted_at = now or timezone.now()
        report.save(update_fields=["status", "accepted_at"])
        audit.record("workforce.report.accepted", actor=actor, obj=report, after={"status": report.status})
    return report


def hand_over(
    report: SentinelReport,
    *,
    actor,
    region: Region | None = None,
    unit: MemberUnit | None = None,
    note: str = "",
) -> SentinelReport:
    """To another township (the region columns move with it) or to a member unit."""
    if region is None and unit is None:
        raise ReportRefused("请选择移交给哪个乡镇（街道）或成员单位")
    if not note.strip():
        raise ReportRefused("请填写移交说明")
    with transaction.atomic():
        report = _locked(report, actor)
        if report.status == ReportStatus.CLOSED:
            raise ReportRefused("该报告已办结，不能移交")
        before = {"region": report.region.name, "unit": str(report.unit or "")}
        if region is not None:
            report.region = region
            report.copy_ancestor_codes(region)
        report.unit = unit
        report.status = ReportStatus.NEW  # the receiver accepts it again
        report.accepted_at = None
        report.save()
        audit.record(
            "workforce.report.handed_over",
            actor=actor,
            obj=report,
            before=before,
            after={"region": report.region.name, "unit": str(report.unit or ""), "note": note.strip()},
        )
    return report


def close(
    report: SentinelReport, *, actor, outcome: str, now: datetime.datetime | None = None
) -> SentinelReport:
    if not outcome.strip():
        raise ReportRefused("请填写办理结果")
    with transaction.atomic():
        report = _locked(report, actor)
        if report.status == ReportStatus.CLOSED:
            raise ReportRefused("该报告已办结")
        now = now or timezone.now()
        report.status = ReportStatus.CLOSED
        report.accepted_at = report.accepted_at or now
        report.closed_at = now
        report.outcome = outcome.strip()
        report.save(update_fields=["status", "accepted_at", "closed_at", "outcome"])
        audit.record(
            "workforce.report.closed",
            actor=actor,
            obj=report,
            after={"status": report.status, "outcome": report.outcome},
        )
    return report


def is_overdue(report: SentinelReport, today: datetime.date) -> bool:
    if report.status == ReportStatus.CLOSED:
        return timezone.localdate(report.closed_at) > report.due_on
    return today > report.due_on
