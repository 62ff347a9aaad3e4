"""Township, county and office handle reports: accept, hand over, close; overdue ones are chased
by dispatch_tick through dispatch's notices; riders' personal data is removed after a year."""

from __future__ import annotations

import datetime
import io
import json

import pytest
import time_machine
from django.core.management import call_command

from liangxin.core.models import AuditLog, MemberUnit, Region
from liangxin.dispatch.models import Notice
from liangxin.workforce import reports
from liangxin.workforce.models import ReportStatus, SentinelReport
from tests.factories import make_user
from tests.workforce.factories import aware, make_report, make_station

pytestmark = pytest.mark.django_db


@pytest.fixture
def township(city):
    return make_user("xz360802001", role="township", region="360802001")


@pytest.fixture
def other_township(city):
    return make_user("xz360802002", role="township", region="360802002")


@pytest.fixture
def report(city):
    return make_report(make_station("古南网点"), reporter_name="张三丰", reporter_phone="13812345678")


def test_the_township_accepts_and_closes_its_report(report, township, client_for):
    client = client_for(township)
    assert client.post(f"/workforce/reports/{report.pk}/accept/").status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED and report.accepted_at
    client.post(f"/workforce/reports/{report.pk}/close/", {"outcome": "已联系市政修复井盖"})
    report.refresh_from_db()
    assert report.status == ReportStatus.CLOSED and report.outcome == "已联系市政修复井盖"
    assert list(AuditLog.objects.filter(object_id=str(report.pk), object_type="workforce.sentinelreport")
                .values_list("action", flat=True).order_by("id")) == [
        "workforce.report.accepted", "workforce.report.closed"]  # fmt: skip
    page = client.get(f"/workforce/reports/{report.pk}/").content.decode()
    assert "张三丰" in page and "13812345678" in page  # its own: in full


def test_closing_without_an_outcome_is_refused_plainly(report, township, client_for):
    response = client_for(township).post(
        f"/workforce/reports/{report.pk}/close/", {"outcome": " "}, follow=True
    )
    assert "请填写办理结果" in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.NEW


def test_another_township_cannot_touch_it(report, other_township, client_for):
    client = client_for(other_township)
    for action in ("accept", "close", "hand-over"):
        assert client.post(f"/workforce/reports/{report.pk}/{action}/", {"outcome": "x"}).status_code == 404
    with pytest.raises(reports.ReportRefused):
        reports.accept(report, actor=other_township)
    report.refresh_from_db()
    assert report.status == ReportStatus.NEW


def test_handing_over_moves_it_to_the_other_township(report, township, other_township, client_for):
    target = Region.objects.get(code="360802002")
    response = client_for(township).post(
        f"/workforce/reports/{report.pk}/hand-over/", {"region": target.pk, "note": "属于北门街道"}
    )
    assert response.status_code == 302 and response["Location"] == "/workforce/reports/"
    report.refresh_from_db()
    assert report.township_code == "360802002" and report.status == ReportStatus.NEW
    assert SentinelReport.objects.restrict(other_township).filter(pk=report.pk).exists()
    assert not SentinelReport.objects.restrict(township).filter(pk=report.pk).exists()


def test_a_county_sees_its_townships_reports_in_full_and_another_county_gets_404(
    report, client_for, settings
):
    county = make_user("qx360802", role="county", region="360802")
    assert "13812345678" in client_for(county).get(f"/workforce/reports/{report.pk}/").content.decode()
    other_county = make_user("qx360803", role="county", region="360803")
    assert client_for(other_county).get(f"/workforce/reports/{report.pk}/").status_code == 404


def test_a_report_routed_to_a_member_unit_is_handled_by_it(city, client_for):
    unit = MemberUnit.objects.get(name="交通运输局")
    report = make_report(make_station("站"), category="traffic", unit=unit, reporter_phone="13812345678")
    user = make_user("jt", role="member_unit", member_unit="交通运输局")
    client = client_for(user)
    assert client.post(f"/workforce/reports/{report.pk}/accept/").status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED


def _tick(day: str) -> dict:
    out = io.StringIO()
    with time_machine.travel(f"{day} 09:00 +0800", tick=False):
        call_command("dispatch_tick", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_dispatch_tick_chases_an_overdue_report_once(city):
    station = make_station("古南网点")
    late = make_report(station, submitted_at=aware(2026, 5, 4, 10), due_on=datetime.date(2026, 5, 7))
    make_report(station, submitted_at=aware(2026, 5, 7, 10), due_on=datetime.date(2026, 5, 12))
    make_report(station, submitted_at=aware(2026, 5, 4, 10), due_on=datetime.date(2026, 5, 7),
                status=ReportStatus.CLOSED, closed_at=aware(2026, 5, 6, 10))  # fmt: skip
    assert _tick("2026-05-07")["queued"] == 0  # due today: not yet late
    assert _tick("2026-05-08")["queued"] == 1
    assert _tick("2026-05-08")["queued"] == 0
    notice = Notice.objects.get(kind="sentinel_overdue")
    assert notice.unit.region.code == "360802" and late.receipt in notice.message
    assert notice.kind_label == "流动哨兵报告逾期" and notice.sent_at is not None


def test_personal_data_is_removed_a_year_after_closing(city, settings):
    settings.LIANGXIN_SENTINEL_RETENTION_DAYS = 365
    station = make_station("古南网点")
    old = make_report(station, status=ReportStatus.CLOSED, closed_at=aware(2025, 5, 1, 10),
                      reporter_name="张三丰", reporter_phone="13812345678")  # fmt: skip
    recent = make_report(station, status=ReportStatus.CLOSED, closed_at=aware(2025, 6, 1, 10),
                         reporter_name="李四", reporter_phone="13900000000")  # fmt: skip
    _tick("2026-05-15")
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.reporter_name, old.reporter_phone, old.client_key) == ("", "", "")
    assert old.personal_removed_at is not None and old.description  # the report itself stays
    assert recent.reporter_phone == "13900000000"
    assert AuditLog.objects.filter(action="workforce.report.personal_removed").count() == 1


def test_handing_over_to_a_member_unit_lets_it_handle_it_and_a_note_is_required(report, township, client_for):
    unit = MemberUnit.objects.get(name="交通运输局")
    refused = client_for(township).post(
        f"/workforce/reports/{report.pk}/hand-over/", {"unit": unit.pk}, follow=True
    )
    assert "移交说明" in refused.content.decode()
    client_for(township).post(
        f"/workforce/reports/{report.pk}/hand-over/", {"unit": unit.pk, "note": "属交通设施"}
    )
    report.refresh_from_db()
    assert report.unit == unit and report.township_code == "360802001"
    jiaotong = make_user("jt", role="member_unit", member_unit="交通运输局")
    client_for(jiaotong).post(f"/workforce/reports/{report.pk}/close/", {"outcome": "已修复信号灯"})
    report.refresh_from_db()
    assert report.status == ReportStatus.CLOSED
    page = client_for(jiaotong).get(f"/workforce/reports/{report.pk}/").content.decode()
    assert "移交流动哨兵报告" in page and "属交通设施" in page


def test_the_commands_print_plain_chinese_too(report):
    out = io.StringIO()
    call_command("workforce", "--as-of", "2026-12-31", stdout=out)
    assert "新就业群体（截至2026年12月31日）" in out.getvalue() and "合计" in out.getvalue()
    out = io.StringIO()
    call_command("sentinel_stats", stdout=out)
    assert "流动哨兵报告" in out.getvalue()
