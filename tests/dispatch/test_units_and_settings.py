import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liangxin.core.importing import ImportContext, run_import
from liangxin.dispatch.models import Plan, Report
from liangxin.dispatch.status import period_status
from tests.dispatch.factories import make_period, make_task, submit
from tests.factories import make_user

D = datetime.date


@pytest.fixture
def may(city):
    return make_period("2022-05")


def test_the_office_changes_the_lag_threshold_and_the_score_weights(may, office, client):
    task = make_task("1", deadline=None)
    submit(task, "交通运输局", may, when="2022-05-10")
    client.force_login(office)
    data = {
        "title": "",
        "lag_points": 10,
        "weight_on_time": 50,
        "weight_done": 50,
        "penalty_returned": 5,
        "late_credit": 40,
    }
    client.post(reverse("dispatch:plan_settings", args=[2022]), data)
    plan = Plan.objects.get(year=2022)
    assert (plan.lag_points, plan.weight_on_time, plan.penalty_returned, plan.late_credit) == (10, 50, 5, 40)
    assert period_status(plan.periods.get(), D(2022, 5, 31)).units[0].score == 50.0
    refused = client.post(
        reverse("dispatch:plan_settings", args=[2022]), data | {"weight_on_time": 0, "weight_done": 0}
    )
    assert "两项得分权重不能都为 0" in refused.content.decode()
    # a late report must score between an on-time one and none
    for credit in (0, 100):
        page = client.post(reverse("dispatch:plan_settings", args=[2022]), data | {"late_credit": credit})
        assert "迟报得分比例" in page.content.decode() and page.status_code == 200
    assert Plan.objects.get(year=2022).late_credit == 40


def test_only_the_office_changes_the_settings(may, client):
    client.force_login(make_user("jt", role="member_unit", member_unit="交通运输局"))
    assert client.get(reverse("dispatch:plan_settings", args=[2022])).status_code == 403


@time_machine.travel("2022-05-20 10:00 +0800", tick=False)
def test_a_county_reports_for_its_organization_department(may, client):
    task = make_task("3", title="摸清底数", lead="民政局", units=("吉州区委组织部",), deadline=None)
    client.force_login(make_user("jz", role="county", region="360802"))
    assert "摸清底数" in client.get(reverse("dispatch:mine")).content.decode()
    data = {
        "status": "on_track",
        "percent": 40,
        "progress": "已排查 3 个乡镇",
        "problems": "",
        "next_steps": "",
    }
    client.post(reverse("dispatch:report_edit", args=["2022-05", task.pk]), data | {"action": "submit"})
    report = Report.objects.get()
    assert report.unit.name == "吉州区委组织部" and report.state == "submitted"
    client.force_login(make_user("qy", role="county", region="360803"))
    assert client.get(reverse("dispatch:report_edit", args=["2022-05", task.pk])).status_code == 404


@time_machine.travel("2022-05-20 10:00 +0800", tick=False)
def test_a_unit_downloads_its_prefilled_workbook_and_uploads_it_back(city, client, tmp_path):
    april, may = make_period("2022-04"), make_period("2022-05")
    task = make_task("2", title="成立物流行业党委", units=("邮政管理局",), deadline=None)
    submit(task, "交通运输局", april, when="2022-04-20", percent=60, progress="已起草方案")
    user = make_user("jt", role="member_unit", member_unit="交通运输局")
    client.force_login(user)
    response = client.get(reverse("dispatch:mine_workbook") + "?period=2022-05")
    path = tmp_path / "mine.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    report = run_import(path, ImportContext(actor=user, filename="mine.xlsx", source="page"))
    assert report.rejected == 0, [str(e) for s in report.sheets for e in s.errors]
    saved = Report.objects.get(period=may)
    assert (saved.state, saved.percent, saved.progress) == ("submitted", 60, "已起草方案")


@time_machine.travel("2022-05-28 10:00 +0800", tick=False)
def test_a_units_upload_into_a_locked_period_is_refused_with_the_reason(may, city, client, tmp_path):
    from tests.dispatch.factories import write_workbook

    may.locked = True
    may.save()
    make_task("2", deadline=None)
    user = make_user("jt", role="member_unit", member_unit="交通运输局")
    rows = [["调度期", "任务编号", "进展状态", "完成进度"], ["2022-05", "2", "正常推进", 50]]
    write_workbook(tmp_path / "r.xlsx", rows)
    report = run_import(tmp_path / "r.xlsx", ImportContext(actor=user, filename="r.xlsx", source="page"))
    assert "调度已锁定" in str(report.sheets[0].errors[0])


def test_the_board_takes_a_fixed_number_of_queries(may, office, client):
    for n in range(1, 4):
        make_task(str(n), units=("邮政管理局", "民政局"), deadline=None)
    client.force_login(office)
    client.get(reverse("dispatch:board"))  # warm the session and navigation caches
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("dispatch:board") + "?period=2022-05")
    for n in range(4, 16):
        task = make_task(str(n), units=("邮政管理局", "民政局", "司法局"), deadline=None)
        submit(task, "邮政管理局", may, when="2022-05-10")
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("dispatch:board") + "?period=2022-05")
    assert response.status_code == 200
    assert len(large) == len(small)


def test_a_township_user_has_nothing_to_report(may, client):
    make_task("1", deadline=None)
    client.force_login(make_user("xz", role="township", region="360802001"))
    page = client.get(reverse("dispatch:mine")).content.decode()
    assert "没有对应的填报单位" in page


def test_an_instructor_has_no_dispatch_pages_nor_their_navigation(city, client):
    from tests.factories import make_user

    instructor = make_user("zdy-dispatch", role="instructor")
    client.force_login(instructor)
    for url in ("/dispatch/tasks/", "/dispatch/mine/", "/dispatch/board/"):
        assert client.get(url).status_code == 403, url
    home = client.get("/").content.decode()
    assert "调度看板" not in home and "本月填报" not in home
