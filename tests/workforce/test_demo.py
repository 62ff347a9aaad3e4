"""Demo data: stations of each type across counties, a 驿站 per county, and a month (May 2022)
of 流动哨兵 reports in every state; re-running adds nothing."""

from __future__ import annotations

import datetime
import io

import pytest

from liangxin.core.models import Region, RegionLevel
from liangxin.workforce import demo
from liangxin.workforce.models import GroupType, Posthouse, ReportStatus, SentinelReport, Station
from liangxin.workforce.stats import Month, sentinel_stats
from tests.coverage.factories import make_org

pytestmark = pytest.mark.django_db


def test_the_demo_has_every_kind_in_every_county_and_reports_in_every_state(city):
    express = make_org("吉州快递公司", region="360802001", tags=("快递",))
    demo.load(city, io.StringIO())
    counties = Region.objects.filter(parent=city, level=RegionLevel.COUNTY).count()
    assert Station.objects.values("county_code").distinct().count() == counties
    for group in (GroupType.EXPRESS, GroupType.DELIVERY, GroupType.RIDE, GroupType.FREIGHT, GroupType.LIVE):
        assert Station.objects.filter(group_type=group).count() == counties
    assert Station.objects.filter(organization=express).exists()  # counted through the coverage engine
    assert Posthouse.objects.count() == counties
    assert not Station.objects.filter(link_token__isnull=True).exists()
    may = SentinelReport.objects.filter(submitted_at__date__gte=datetime.date(2022, 5, 1))
    assert set(may.values_list("status", flat=True)) == set(ReportStatus.values)
    assert may.filter(unit__name="交通运输局").exists()
    stats = sentinel_stats(None, Month(2022, 5), everything=True)
    assert stats["reports"] == may.count() > 40
    assert stats["overdue"] > 0 and stats["closed"] > 0 and stats["median_hours_to_close"]
    assert all(stats["by_category"].values())
    again = io.StringIO()
    demo.load(city, again)
    assert "已存在" in again.getvalue() and SentinelReport.objects.count() == may.count()
