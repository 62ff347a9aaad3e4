import datetime
import io

import pytest
import time_machine
from django.urls import reverse
from python_calamine import CalamineWorkbook

from liangxin.core.models import AuditLog
from liangxin.dispatch import reports
from liangxin.dispatch.models import Report, ReportEvent, Task
from tests.dispatch.factories import at, make_period, make_task, submit, unit
from tests.factories import make_user
from tests.scoping import OutsiderGetsNothing, ScopeCase

D = datetime.date


@pytest.fixture
def jiaotong(city):
    return make_user("jt", role="member_unit", member_unit="交通运输局")


@pytest.fixture
def minzheng(city):
    return make_user("mz", role="member_unit", member_unit="民政局")


@pytest.fixture
def may(city):
    return make_period("2022-05")


@pytest.fixture
def logistics(may):
    return make_task("2.3", title="成立物流行业党委", units=("邮政管理局",), deadline=D(2022, 4, 30))


def _sheet_text(response) -> str:
    data = b"".join(response.streaming_content)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    return "\n".join("|".join(str(c) for c in row) for row in rows)


class TestAMemberUnitSeesOnlyItsOwnTasksAndReports(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, jiaotong, minzheng, may, logistics, settings, tmp_path):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from liangxin.dispatch.reports import add_attachment

        settings.MEDIA_ROOT = str(tmp_path)
        make_task("5", title="摸清社会组织底数", lead="民政局")
        report = submit(logistics, "交通运输局", may, when="2022-05-10", percent=80)
        upload = SimpleUploadedFile("说明.txt", "成立物流行业党委筹备情况".encode())
        attachment = add_attachment(report, upload, actor=jiaotong)
        q = "?period=2022-05"
        return ScopeCase(
            obj=report,
            insider=jiaotong,
            outsider=minzheng,
            marker="成立物流行业党委",
            detail_urls=[
                reverse("dispatch:report_detail", args=[report.pk]),
                reverse("dispatch:task_detail", args=[logistics.pk]),
                reverse("dispatch:attachment", args=[report.pk, attachment.pk]),
            ],
            list_urls=[
                reverse("dispatch:board") + q,
                reverse("dispatch:board") + q + "&light=red",
                reverse("dispatch:tasks") + "?year=2022",
                reverse("dispatch:chase") + q,
                reverse("dispatch:mine") + q,
            ],
            change_urls=[
                reverse("dispatch:report_accept", args=[report.pk]),
                reverse("dispatch:report_return", args=[report.pk]),
                reverse("dispatch:task_edit", args=[logistics.pk]),
            ],
        )

    def test_the_task_is_scoped_too(self, scope_case):
        task = scope_case.obj.task
        assert Task.objects.visible_to(scope_case.insider).filter(pk=task.pk).exists()
        assert not Task.objects.visible_to(scope_case.outsider).filter(pk=task.pk).exists()

    def test_the_exports_hold_only_the_users_tasks(self, scope_case, client_for):
        urls = [
            reverse("dispatch:board_export") + "?period=2022-05",
            reverse("dispatch:mine_workbook") + "?period=2022-05",
        ]
        for url in urls:
            assert "成立物流行业党委" in _sheet_text(client_for(scope_case.insider).get(url)), url
        board = _sheet_text(client_for(scope_case.outsider).get(urls[0]))
        assert "成立物流行业党委" not in board and "摸清社会组织底数" in board
        assert "成立物流行业党委" not in _sheet_text(client_for(scope_case.outsider).get(urls[1]))


class TestACountySeesOnlyItsOrganizationDepartmentsReports(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, may):
        task = make_task(
            "3", title="联合支部运转整改", lead="民政局", units=("吉州区委组织部",), deadline=None
        )
        make_task("4", title="青原区园区党建", lead="民政局", units=("青原区委组织部",), deadline=None)
        report = submit(task, "吉州区委组织部", may, when="2022-05-10")
        q = "?period=2022-05"
        return ScopeCase(
            obj=report,
            insider=make_user("jz", role="county", region="360802"),
            outsider=make_user("qy", role="county", region="360803"),
            marker="联合支部运转整改",
            detail_urls=[
                reverse("dispatch:report_detail", args=[report.pk]),
                reverse("dispatch:task_detail", args=[task.pk]),
            ],
            list_urls=[
                reverse("dispatch:board") + q,
                reverse("dispatch:tasks") + "?year=2022",
                reverse("dispatch:mine") + q,
            ],
            change_urls=[reverse("dispatch:report_accept", args=[report.pk])],
        )


def test_the_review_queue_and_period_pages_are_the_offices_alone(
    may, logistics, office, jiaotong, client_for
):
    submit(logistics, "交通运输局", may, when="2022-05-10")
    assert "成立物流行业党委" in client_for(office).get(reverse("dispatch:review")).content.decode()
    for name in ("dispatch:review", "dispatch:periods"):
        assert client_for(jiaotong).get(reverse(name)).status_code == 403


def test_lists_show_an_empty_state_before_any_plan(office, client_for):
    for name in ("dispatch:board", "dispatch:tasks", "dispatch:chase", "dispatch:mine"):
        response = client_for(office).get(reverse(name))
        assert response.status_code == 200
        assert "empty-state" in response.content.decode()


@time_machine.travel("2022-05-20 10:00 +0800", tick=False)
def test_a_unit_reports_from_last_months_text_and_the_office_returns_then_accepts(
    may, logistics, office, jiaotong, client
):
    april = make_period("2022-04")
    submit(logistics, "交通运输局", april, when="2022-04-20", percent=60, progress="已起草组建方案")
    client.force_login(jiaotong)
    page = client.get(reverse("dispatch:mine"))
    assert "成立物流行业党委" in page.content.decode()
    url = reverse("dispatch:report_edit", args=["2022-05", logistics.pk])
    form = client.get(url).content.decode()
    assert "已起草组建方案" in form and "已按上月报告预填" in form
    data = {
        "status": "on_track",
        "percent": 85,
        "progress": "方案已报批",
        "problems": "",
        "next_steps": "召开成立大会",
    }
    client.post(url, data | {"action": "submit"})
    report = Report.objects.get(period=may, unit__name="交通运输局")
    assert report.state == "submitted" and report.percent == 85

    client.force_login(office)
    refused = client.post(reverse("dispatch:report_return", args=[report.pk]), {"comment": " "}, follow=True)
    assert "请填写退回意见" in refused.content.decode()
    client.post(reverse("dispatch:report_return", args=[report.pk]), {"comment": "请补充党员人数"})
    report.refresh_from_db()
    assert report.state == "returned"

    client.force_login(jiaotong)
    assert "请补充党员人数" in client.get(reverse("dispatch:mine")).content.decode()
    client.post(url, data | {"progress": "方案已报批，党员 23 名", "action": "submit"})
    client.force_login(office)
    client.post(reverse("dispatch:report_accept", args=[report.pk]))
    report.refresh_from_db()
    assert report.state == "accepted"
    assert list(report.events.values_list("action", flat=True)) == [
        "submitted",
        "returned",
        "submitted",
        "accepted",
    ]
    assert AuditLog.objects.filter(action="dispatch.report.returned", object_id=str(report.pk)).exists()
    detail = client.get(reverse("dispatch:report_detail", args=[report.pk])).content.decode()
    assert "请补充党员人数" in detail and "审核通过" in detail


@time_machine.travel("2022-05-28 10:00 +0800", tick=False)
def test_a_locked_period_refuses_a_report_until_the_office_unlocks_it_for_the_unit(
    may, logistics, office, jiaotong, client
):
    client.force_login(office)
    client.post(reverse("dispatch:period_update", args=[may.pk]), {"due_day": 25, "locked": "on"})
    url = reverse("dispatch:report_edit", args=["2022-05", logistics.pk])
    data = {
        "status": "on_track",
        "percent": 85,
        "progress": "补报",
        "problems": "",
        "next_steps": "",
        "action": "submit",
    }
    client.force_login(jiaotong)
    refused = client.post(url, data)
    assert "调度已锁定" in refused.content.decode()
    assert not Report.objects.filter(state="submitted").exists()

    client.force_login(office)
    client.post(reverse("dispatch:period_unlock", args=[may.pk]), {"unit": unit("交通运输局").pk})
    client.force_login(jiaotong)
    client.post(url, data)
    assert Report.objects.get().state == "submitted"

    client.force_login(office)
    client.post(
        reverse("dispatch:period_unlock", args=[may.pk]), {"unit": unit("交通运输局").pk, "relock": "1"}
    )
    client.force_login(make_user("yz", role="member_unit", member_unit="邮政管理局"))
    assert (
        "调度已锁定" in client.post(url.replace(str(logistics.pk), str(logistics.pk)), data).content.decode()
    )


def test_the_due_day_is_configurable_per_period_with_a_clear_error(may, office, client):
    client.force_login(office)
    client.post(reverse("dispatch:period_update", args=[may.pk]), {"due_day": 20})
    may.refresh_from_db()
    assert may.due_day == 20 and may.due_date == D(2022, 5, 20)
    response = client.post(reverse("dispatch:period_update", args=[may.pk]), {"due_day": 40}, follow=True)
    assert "40" in response.content.decode() or "小于或等于" in response.content.decode()


def test_an_attachment_over_the_limit_is_refused_with_its_size(may, logistics, jiaotong, client, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.LIANGXIN_UPLOAD_MAX_MB = 1
    client.force_login(jiaotong)
    big = SimpleUploadedFile("照片.jpg", b"x" * (1024 * 1024 + 10), content_type="image/jpeg")
    data = {
        "status": "on_track",
        "percent": 85,
        "progress": "x",
        "problems": "",
        "next_steps": "",
        "action": "save",
    }
    response = client.post(
        reverse("dispatch:report_edit", args=["2022-05", logistics.pk]), data | {"attachment": big}
    )
    assert "超过上限 1 MB" in response.content.decode()
    assert not Report.objects.exists()


def test_the_office_adds_a_task_with_a_deadline_phrase(may, office, client):
    client.force_login(office)
    data = {
        "code": "5.1",
        "category": "brand",
        "title": "明确党建品牌",
        "requirement": "",
        "lead": unit("民政局").pk,
        "units": [unit("司法局").pk],
        "start": "",
        "deadline": "6月底前",
        "milestones": "",
    }
    client.post(reverse("dispatch:task_create") + "?year=2022", data)
    task = Task.objects.get(code="5.1")
    assert task.deadline == D(2022, 6, 30) and task.assignments.count() == 2
    bad = client.post(
        reverse("dispatch:task_create") + "?year=2022", data | {"code": "5.2", "deadline": "尽快"}
    )
    assert "无法识别的完成时限“尽快”" in bad.content.decode()


def test_the_board_colours_each_cell_and_filters_by_light(may, logistics, office, client):
    submit(logistics, "交通运输局", may, when="2022-05-10", percent=80)
    client.force_login(office)
    page = client.get(reverse("dispatch:board") + "?period=2022-05&as_of=2022-05-31").content.decode()
    assert 'data-light="red"' in page and "成立物流行业党委" in page
    none = client.get(
        reverse("dispatch:board") + "?period=2022-05&as_of=2022-05-31&light=green"
    ).content.decode()
    assert "没有符合条件的任务" in none


def test_the_board_shows_shared_ranks_and_a_unit_with_nothing_expected_as_unranked(city, office, client):
    april, may = make_period("2022-04"), make_period("2022-05")
    finished = make_task("1", lead="司法局", deadline=None)
    report = submit(finished, "司法局", april, when="2022-04-10", status="done", percent=100)
    reports.accept_report(report, actor=office, at=at("2022-04-12"))
    task = make_task("2", units=("邮政管理局", "民政局"), deadline=None)
    submit(task, "交通运输局", may, when="2022-05-10")
    submit(task, "邮政管理局", may, when="2022-05-10")
    client.force_login(office)
    page = client.get(reverse("dispatch:board") + "?period=2022-05&as_of=2022-05-31").content.decode()
    assert page.count("第1名") == 2  # 交通运输局 and 邮政管理局 share first place
    assert "第3名 民政局" in page
    assert "不排名" in page and 'data-light="earlier"' in page  # 司法局's task finished in April
    assert "司法局（" not in page  # on neither list
    assert "此前已完成 1 个，不计入" in page


def test_the_task_history_shows_each_month(city, office, client):
    april, may = make_period("2022-04"), make_period("2022-05")
    task = make_task("1", title="成立物流行业党委", deadline=None)
    submit(task, "交通运输局", april, when="2022-04-20", progress="四月进展")
    submit(task, "交通运输局", may, when="2022-05-20", progress="五月进展")
    client.force_login(office)
    page = client.get(reverse("dispatch:task_detail", args=[task.pk])).content.decode()
    assert "四月进展" in page and "五月进展" in page
    assert ReportEvent.objects.count() == 2


@time_machine.travel("2022-08-01 10:00 +0800", tick=False)
def test_a_past_month_is_shown_as_it_closed_unless_a_later_date_is_asked(may, logistics, office, client):
    logistics.deadline = D(2022, 6, 30)
    logistics.save()
    submit(logistics, "交通运输局", may, when="2022-05-10", percent=80)
    client.force_login(office)
    closed = client.get(reverse("dispatch:board") + "?period=2022-05").content.decode()
    assert "截至 2022-05-31" in closed and 'data-light="red"' not in closed
    later = client.get(reverse("dispatch:board") + "?period=2022-05&as_of=2022-08-01").content.decode()
    assert 'data-light="red"' in later


def test_each_page_marks_one_navigation_entry_as_current(may, jiaotong, client):
    client.force_login(jiaotong)
    for name in ("dispatch:mine", "dispatch:board", "dispatch:tasks"):
        assert client.get(reverse(name)).content.decode().count('aria-current="page"') == 1, name
    assert client.get("/dispatch/").url == reverse("dispatch:board")


def test_downloading_a_reports_attachment_is_recorded_in_the_audit_log(
    jiaotong, may, logistics, client_for, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = str(tmp_path)
    report = submit(logistics, "交通运输局", may, when="2022-05-10", percent=80)
    upload = SimpleUploadedFile("筹备说明.txt", "筹备情况".encode())
    attachment = reports.add_attachment(report, upload, actor=jiaotong)
    url = reverse("dispatch:attachment", args=[report.pk, attachment.pk])
    office = make_user("office", role="office")
    response = client_for(office).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == "筹备情况".encode()
    log = AuditLog.objects.get(action="core.file.downloaded")
    assert log.actor == office and log.object_repr == "筹备说明.txt" and log.source_detail == url
