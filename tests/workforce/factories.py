"""Stations, 驿站 and reports, built explicitly."""

from __future__ import annotations

import datetime
import io
import itertools
import uuid

from django.utils import timezone
from PIL import Image

from liangxin.core.models import Region
from liangxin.workforce.models import GroupType, Posthouse, ReportStatus, SentinelReport, Station, StationKind

_serial = itertools.count(1)


def make_station(
    name: str = "",
    *,
    platform: str = "顺丰速运",
    region: str = "360802001",
    group_type: str = GroupType.EXPRESS,
    kind: str = StationKind.EXPRESS,
    link: bool = False,
    **fields,
) -> Station:
    region_obj = Region.objects.get(code=region)
    station = Station(
        platform=platform,
        name=name or f"站点{next(_serial)}",
        group_type=group_type,
        kind=kind,
        region=region_obj,
        link_token=uuid.uuid4().hex if link else None,
        **fields,
    )
    station.copy_ancestor_codes(region_obj)
    station.save()
    return station


def make_posthouse(name: str, *stations: Station, region: str = "360802001", **fields) -> Posthouse:
    region_obj = Region.objects.get(code=region)
    posthouse = Posthouse(name=name, region=region_obj, **fields)
    posthouse.copy_ancestor_codes(region_obj)
    posthouse.save()
    posthouse.stations.set(stations)
    return posthouse


def make_report(
    station: Station,
    *,
    region: str | None = None,
    category: str = "safety",
    submitted_at: datetime.datetime | None = None,
    status: str = ReportStatus.NEW,
    closed_at: datetime.datetime | None = None,
    due_on: datetime.date | None = None,
    **fields,
) -> SentinelReport:
    region_obj = Region.objects.get(code=region or station.region.code)
    submitted_at = submitted_at or timezone.now()
    report = SentinelReport(
        receipt=f"SBT{next(_serial):09d}",
        nonce=uuid.uuid4().hex,
        station=station,
        group_type=station.group_type,
        category=category,
        region=region_obj,
        place=fields.pop("place", "人民路口"),
        description=fields.pop("description", "井盖破损"),
        client_key="test",
        submitted_at=submitted_at,
        due_on=due_on or (timezone.localdate(submitted_at) + datetime.timedelta(days=3)),
        status=status,
        closed_at=closed_at,
        accepted_at=fields.pop("accepted_at", closed_at if status != ReportStatus.NEW else None),
        outcome="已修复" if closed_at else "",
        **fields,
    )
    report.copy_ancestor_codes(region_obj)
    report.save()
    return report


def aware(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


def jpeg_with_gps(width: int = 64, height: int = 48) -> bytes:
    """A JPEG carrying a GPS position (吉安, 27.1°N 114.98°E) and a camera make in its EXIF."""
    image = Image.new("RGB", (width, height), (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    exif[0x8825] = {1: "N", 2: (27.0, 6.0, 0.0), 3: "E", 4: (114.0, 58.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()
