"""The month's 流动哨兵 counts where they are read: the cockpit panel and the bulletin's line,
both from `workforce.stats` (the same as `sentinel_stats`)."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from liangxin.documents import bulletin as b
from liangxin.documents.serialize import bulletin_from_json, bulletin_to_json
from liangxin.documents.sources import sentinel_figures
from liangxin.workforce.models import ReportStatus
from tests.factories import make_user
from tests.workforce.factories import aware, make_report, make_station

pytestmark = pytest.mark.django_db


@pytest.fixture
def may(city):
    station = make_station("古南网点")
    make_report(
        station,
        submitted_at=aware(2026, 5, 4, 10),
        status=ReportStatus.CLOSED,
        closed_at=aware(2026, 5, 5, 10),
    )
    make_report(
        station,
        submitted_at=aware(2026, 5, 20, 10),
        status=ReportStatus.CLOSED,
        closed_at=aware(2026, 6, 1, 10),
    )
    make_report(make_station("青原网点", region="360803001"), submitted_at=aware(2026, 5, 21, 10))
    return station


def test_the_cockpit_panel_counts_the_month_of_the_date_for_the_user(may, client_for, office):
    with time_machine.travel("2026-06-10 09:00 +0800", tick=False):
        data = client_for(office).get("/cockpit/data/sentinel.json", {"as_of": "2026-05-31"}).json()
        assert 'data-chart="sentinel"' in client_for(office).get("/cockpit/").content.decode()
        assert 'data-chart="sentinel"' not in client_for(office).get("/cockpit/screen/").content.decode()
    assert data["rows"][:2] == [["报告", 3], ["办结", 1]]  # the second was closed in June
    assert data["note"] == "2026年5月：本月流动哨兵报告3件，办结1件"
    qingyuan = make_user("xz360803001", role="township", region="360803001")
    with time_machine.travel("2026-06-10 09:00 +0800", tick=False):
        own = client_for(qingyuan).get("/cockpit/data/sentinel.json", {"as_of": "2026-05-31"}).json()
        june = client_for(qingyuan).get("/cockpit/data/sentinel.json", {"as_of": "2026-06-05"}).json()
    assert own["rows"][:2] == [["报告", 1], ["办结", 0]]  # its own township's only
    assert june["rows"] == []  # June: nothing reported yet


def test_the_bulletin_says_the_months_reports_and_keeps_them_when_published(may):
    with time_machine.travel("2026-06-10 09:00 +0800", tick=False):
        figures = sentinel_figures(datetime.date(2026, 5, 1), datetime.date(2026, 5, 31))
        assert (figures.reports, figures.closed) == (3, 1)
        early = sentinel_figures(datetime.date(2026, 5, 1), datetime.date(2026, 5, 10))
        assert (early.reports, early.closed) == (1, 1)  # as it stood on the 10th
    data = _data(sentinel=figures)
    assert "本月流动哨兵报告3件，办结1件。" in b.overall_paragraphs(data)
    assert bulletin_from_json(bulletin_to_json(data)).sentinel == figures
    assert not any("流动哨兵" in p for p in b.overall_paragraphs(_data(sentinel=b.SentinelFigures(0, 0))))
    assert not any("流动哨兵" in p for p in b.overall_paragraphs(_data(sentinel=None)))  # published before


def _data(**fields) -> b.BulletinData:
    overall = b.OverallFigures(
        task_count=1, expected=1, submitted=1, on_time=1, done=1, green=0, yellow=0, red=0
    )
    total = b.CoverageRow("全市", 0, 0, 0, 0, 0, 0, 0, 0)
    return b.BulletinData(year=2026, month=5, as_of=datetime.date(2026, 5, 31), issuer="市委党建办",
                          issue_date=datetime.date(2026, 6, 5), overall=overall, coverage=[],
                          coverage_total=total, tasks=[], **fields)  # fmt: skip
