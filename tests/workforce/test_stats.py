"""`liangxin sentinel_stats --period YYYY-MM --json` against counts built by hand, and the page."""

from __future__ import annotations

import datetime
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from liangxin.workforce.models import ReportStatus
from tests.factories import make_user
from tests.workforce.factories import aware, make_report, make_station

pytestmark = pytest.mark.django_db


def stats(period: str) -> dict:
    out = io.StringIO()
    with time_machine.travel("2026-06-15 09:00 +0800", tick=False):
        call_command("sentinel_stats", "--period", period, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def may(city):
    gn = make_station("古南网点")
    mt = make_station("美团北门", platform="美团", group_type="delivery", region="360802002")
    make_report(gn, category="safety", submitted_at=aware(2026, 5, 4, 10), status=ReportStatus.CLOSED,
                closed_at=aware(2026, 5, 4, 16))  # 6 h  # fmt: skip
    make_report(gn, category="city", submitted_at=aware(2026, 5, 10, 8), status=ReportStatus.CLOSED,
                closed_at=aware(2026, 5, 11, 8))  # 24 h  # fmt: skip
    make_report(mt, category="safety", submitted_at=aware(2026, 5, 20, 8), status=ReportStatus.CLOSED,
                closed_at=aware(2026, 5, 22, 8))  # 48 h  # fmt: skip
    make_report(mt, category="needy", submitted_at=aware(2026, 5, 21, 8), status=ReportStatus.CLOSED,
                due_on=datetime.date(2026, 5, 26), closed_at=aware(2026, 6, 2, 8))  # closed in June: overdue in May  # fmt: skip
    make_report(mt, category="traffic", submitted_at=aware(2026, 5, 30, 8), status=ReportStatus.ACCEPTED,
                accepted_at=aware(2026, 5, 30, 9), due_on=datetime.date(2026, 6, 3))  # fmt: skip
    make_report(gn, submitted_at=aware(2026, 4, 30, 23))  # April
    make_report(gn, submitted_at=aware(2026, 6, 1, 0, 30))  # June


def test_sentinel_stats_json_equals_the_counts_built_by_hand(may):
    data = stats("2026-05")
    assert data["reports"] == 5
    assert data["closed"] == 3
    assert data["overdue"] == 1  # the 21st's, due the 26th, still open on the 31st
    assert data["median_hours_to_close"] == 24.0
    assert data["by_category"] == {
        "安全隐患": 2,
        "市容环境": 1,
        "交通设施": 1,
        "矛盾纠纷": 0,
        "困难群众": 1,
        "其他": 0,
    }
    assert data["by_outcome"] == {"待受理": 1, "办理中": 1, "已办结": 3}
    assert data["by_township"] == [
        {"code": "360802001", "name": "古南街道", "reports": 2, "closed": 2},
        {"code": "360802002", "name": "永叔街道", "reports": 3, "closed": 1},
    ]
    assert stats("2026-06")["reports"] == 1


def test_a_bad_period_is_a_clear_message(city):
    with pytest.raises(CommandError, match="无法识别的月份"):
        call_command("sentinel_stats", "--period", "2026-13")


def test_the_page_and_the_township_see_their_own(may, client_for):
    township = make_user("xz360802001", role="township", region="360802001")
    with time_machine.travel("2026-06-15 09:00 +0800", tick=False):
        page = client_for(township).get("/workforce/reports/stats/", {"period": "2026-05"}).content.decode()
    assert "本月流动哨兵报告2件，办结2件" in page
