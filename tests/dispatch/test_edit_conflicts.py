"""Two people editing the same report or task: the second saver is told who saved what, and
nothing is overwritten in silence; saving again after seeing it is a deliberate choice."""

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from liangxin.core.locking import NEW, EditConflict
from liangxin.dispatch import reports
from liangxin.dispatch.models import Report, Task
from liangxin.dispatch.periods import DispatchError
from tests.dispatch.factories import make_period, make_task, unit
from tests.factories import make_user

D = datetime.date
pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def clock():
    with time_machine.travel("2022-05-20 10:00 +0800", tick=True):
        yield


@pytest.fixture
def may(city):
    return make_period("2022-05")


@pytest.fixture
def logistics(may):
    return make_task("2.3", title="成立物流行业党委", units=("邮政管理局",), deadline=D(2022, 6, 30))


def _browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _version(page: str) -> str:
    return re.search(r'name="version" value="([^"]*)"', page).group(1)


def _report(**changes) -> dict:
    return {"status": "on_track", "percent": 40, "progress": "", "problems": "", "next_steps": ""} | changes


@pytest.fixture
def colleagues(city):
    """Two clerks of the same member unit."""
    return (
        make_user("jt_li", role="member_unit", member_unit="交通运输局"),
        make_user("jt_wang", role="member_unit", member_unit="交通运输局"),
    )


def test_the_second_saver_of_a_report_sees_what_the_first_saved_and_keeps_their_own_text(
    logistics, colleagues
):
    li, wang = _browser(colleagues[0]), _browser(colleagues[1])
    url = reverse("dispatch:report_edit", args=["2022-05", logistics.pk])
    li_version = _version(li.get(url).content.decode())
    wang_version = _version(wang.get(url).content.decode())
    assert li_version == wang_version == NEW

    first = li.post(url, _report(percent=60, progress="已召开筹备会", version=li_version, action="save"))
    assert first.status_code == 302

    second = wang.post(url, _report(percent=45, progress="已起草方案", version=wang_version, action="save"))
    assert second.status_code == 200
    page = second.content.decode()
    assert "jt_li" in page and "修改并保存了这份报告" in page and "您的内容没有保存" in page
    table = page[page.index("data-edit-conflict") :]
    assert "完成进度（%）" in table and "60" in table and "45" in table
    assert "本月进展" in table and "已召开筹备会" in table and "已起草方案" in table
    assert "\n已起草方案</textarea>" in page  # wang's text is still in the form
    saved = Report.objects.get(task=logistics, unit=unit("交通运输局"))
    assert (saved.percent, saved.progress) == (60, "已召开筹备会")  # nothing overwritten

    # Having seen li's version, wang saves again: now a deliberate choice, and it is kept.
    again = wang.post(url, _report(percent=45, progress="已起草方案", version=_version(page), action="save"))
    assert again.status_code == 302
    saved.refresh_from_db()
    assert (saved.percent, saved.progress) == (45, "已起草方案")


def test_a_stale_draft_cannot_overwrite_a_colleagues_later_draft(logistics, colleagues):
    li, wang = _browser(colleagues[0]), _browser(colleagues[1])
    url = reverse("dispatch:report_edit", args=["2022-05", logistics.pk])
    li.post(url, _report(progress="初稿", version=NEW, action="save"))
    opened = _version(wang.get(url).content.decode())
    li_version = _version(li.get(url).content.decode())
    assert li.post(url, _report(progress="二稿", version=li_version, action="save")).status_code == 302

    stale = wang.post(url, _report(progress="初稿（王改）", version=opened, action="submit"))
    assert "修改并保存了这份报告" in stale.content.decode()
    report = Report.objects.get(task=logistics)
    assert (report.progress, report.state) == ("二稿", "draft")  # not submitted with stale text


def test_a_save_that_changed_nothing_is_no_conflict(logistics, colleagues):
    li, wang = _browser(colleagues[0]), _browser(colleagues[1])
    url = reverse("dispatch:report_edit", args=["2022-05", logistics.pk])
    li.post(url, _report(progress="初稿", version=NEW, action="save"))
    li_version = _version(li.get(url).content.decode())
    wang_version = _version(wang.get(url).content.decode())
    assert li.post(url, _report(progress="初稿", version=li_version, action="save")).status_code == 302
    done = wang.post(url, _report(progress="初稿，已补充", version=wang_version, action="submit"))
    assert done.status_code == 302
    assert Report.objects.get(task=logistics).state == "submitted"


def test_a_report_submitted_meanwhile_is_refused_with_its_state_and_the_text_kept(logistics, colleagues):
    li, wang = _browser(colleagues[0]), _browser(colleagues[1])
    url = reverse("dispatch:report_edit", args=["2022-05", logistics.pk])
    opened = _version(wang.get(url).content.decode())
    li.post(url, _report(progress="李的报告", version=NEW, action="submit"))
    late = wang.post(url, _report(progress="王的报告", version=opened, action="save"))
    page = late.content.decode()
    assert late.status_code == 200 and "已报送，不能再修改" in page and "\n王的报告</textarea>" in page
    assert Report.objects.get(task=logistics).progress == "李的报告"


def test_the_service_names_each_difference_in_chinese(may, logistics, colleagues):
    data = _report(status="on_track", percent=30, progress="甲")
    reports.save_report(actor=colleagues[0], task=logistics, unit=unit("交通运输局"), period=may,
                        data=data, submit=False, version=NEW)  # fmt: skip
    with pytest.raises(EditConflict) as caught:
        reports.save_report(actor=colleagues[1], task=logistics, unit=unit("交通运输局"),
                            period=may, data=_report(status="lagging", percent=30),
                            submit=False, version=NEW)  # fmt: skip
    shown = {d.label: (d.theirs, d.yours) for d in caught.value.differences}
    assert shown == {"进展状态": ("正常推进", "滞后"), "本月进展": ("甲", "（空）")}
    assert caught.value.by == "jt_li"


def test_without_a_version_an_import_or_the_api_saves_as_before(may, logistics, colleagues):
    period = may
    reports.save_report(actor=None, task=logistics, unit=unit("交通运输局"), period=period,
                        data=_report(progress="导入一"), submit=False)  # fmt: skip
    reports.save_report(actor=None, task=logistics, unit=unit("交通运输局"), period=period,
                        data=_report(progress="导入二"), submit=False)  # fmt: skip
    assert Report.objects.get(task=logistics).progress == "导入二"
    with pytest.raises(DispatchError):  # a bad value is still refused first
        reports.save_report(actor=None, task=logistics, unit=unit("交通运输局"), period=period,
                            data=_report(percent=101), submit=False)  # fmt: skip


def _task_post(page: str, **changes) -> dict:
    return {
        "code": "2.3",
        "category": re.search(r'<option value="([^"]+)" selected', page).group(1),
        "title": "成立物流行业党委",
        "requirement": "",
        "lead": unit("交通运输局").pk,
        "units": [unit("邮政管理局").pk],
        "start": "2022-01-01",
        "deadline": "2022-06-30",
        "milestones": "",
        "measure": "",
        "version": _version(page),
    } | changes


def test_two_office_clerks_editing_a_task_the_second_is_told_and_nothing_is_lost(logistics, city):
    zhang = _browser(make_user("office_zhang", role="office"))
    zhao = _browser(make_user("office_zhao", role="office"))
    url = reverse("dispatch:task_edit", args=[logistics.pk])
    zhang_page, zhao_page = zhang.get(url).content.decode(), zhao.get(url).content.decode()
    assert zhang.post(url, _task_post(zhang_page, deadline="9月底前")).status_code == 302

    second = zhao.post(url, _task_post(zhao_page, title="成立全市物流行业党委"))
    page = second.content.decode()
    assert second.status_code == 200 and "office_zhang" in page and "修改并保存了该任务" in page
    table = page[page.index("data-edit-conflict") :]
    assert (
        "完成时限" in table and "9月底前" in table and "重点任务" in table and "成立全市物流行业党委" in table
    )
    task = Task.objects.get(pk=logistics.pk)
    assert (task.title, task.deadline) == ("成立物流行业党委", D(2022, 9, 30))

    again = zhao.post(url, _task_post(page, title="成立全市物流行业党委", deadline="9月底前"))
    assert again.status_code == 302
    task.refresh_from_db()
    assert (task.title, task.deadline) == ("成立全市物流行业党委", D(2022, 9, 30))
