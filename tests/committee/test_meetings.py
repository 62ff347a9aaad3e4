"""工委会议: a meeting sheet's decisions become dispatch tasks, and the meeting page shows their lights."""

from __future__ import annotations

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from liangxin.committee.models import Decision, Meeting
from liangxin.core.importing import ImportContext, run_import
from liangxin.dispatch.models import Task
from tests.dispatch.factories import make_period, submit, write_workbook
from tests.factories import make_user

D = datetime.date
pytestmark = pytest.mark.django_db

SHEET = [
    ["2022年“两新”工委会议议定事项"],
    ["会议名称", "会议日期", "会议类型", "议定事项", "牵头单位", "责任单位", "完成时限", "纳入调度"],
    [
        "第二次全体会议",
        "2022-05-20",
        "全体会议",
        "6月底前成立物流行业党委",
        "市交通局",
        "邮政管理局",
        "6月底前",
        "是",
    ],
    [
        "第二次全体会议",
        "2022-05-20",
        "全体会议",
        "快递小哥流动哨兵机制",
        "邮政管理局",
        "交通运输局、市场监管局",
        "9月底前",
        "",
    ],
    ["第二次全体会议", "2022-05-20", "全体会议", "通报各单位摸排进度", "工商联", "", "", "否"],
]


def import_sheet(tmp_path, rows, actor=None):
    path = write_workbook(tmp_path / "工委会议.xlsx", rows)
    with open(path, "rb") as fh:
        return run_import(fh, ImportContext(actor=actor, filename="工委会议.xlsx", source="command"))


def status_json(period: str, as_of: str) -> dict:
    out = StringIO()
    call_command("dispatch_status", "--period", period, "--as-of", as_of, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_an_imported_meeting_sheet_puts_its_decisions_on_the_next_months_board(city, tmp_path, client):
    report = import_sheet(tmp_path, SHEET)
    sheet = report.sheets[0]
    assert (sheet.created, sheet.rejected) == (3, 0), report.as_dict()
    meeting = Meeting.objects.get()
    assert meeting.get_kind_display() == "全体会议"
    assert {u.name for u in meeting.attendees.all()} >= {"交通运输局", "邮政管理局", "市场监管局", "工商联"}
    assert Decision.objects.filter(task__isnull=False).count() == 2  # 否: not dispatched
    make_period("2022-05")
    june = make_period("2022-06")
    may_tasks = {t["title"] for t in status_json("2022-05", "2022-05-31")["tasks"]}
    assert "6月底前成立物流行业党委" not in may_tasks  # decided on 20 May: reported from June
    tasks = {t["title"]: t for t in status_json("2022-06", "2022-06-10")["tasks"]}
    logistics = tasks["6月底前成立物流行业党委"]
    assert logistics["lead"] == "交通运输局"
    assert [u["unit"] for u in logistics["units"]] == ["交通运输局", "邮政管理局"]
    sentinel = tasks["快递小哥流动哨兵机制"]
    assert sentinel["units"][0]["unit"] == "邮政管理局"
    assert {u["unit"] for u in sentinel["units"][1:]} == {"交通运输局", "市场监管局"}
    assert "通报各单位摸排进度" not in tasks
    task = Task.objects.get(title="6月底前成立物流行业党委")
    assert task.deadline == D(2022, 6, 30) and "第二次全体会议" in task.requirement
    # A report on it shows on the meeting's page.
    submit(task, "交通运输局", june, when="2022-06-05", status="done", percent=100)
    submit(task, "邮政管理局", june, when="2022-06-06", status="done", percent=100)
    office = make_user("office", role="office")
    client.force_login(office)
    page = client.get(reverse("committee:meeting_detail", args=[meeting.pk])).content.decode()
    assert task.code in page and "已完成" in page
    out = StringIO()
    call_command("meetings", "--year", "2022", "--as-of", "2022-06-10", "--json", stdout=out)
    data = json.loads(out.getvalue())
    decisions = {d["title"]: d for d in data["meetings"][0]["decisions"]}
    assert data["meetings"][0] == {
        "name": "第二次全体会议",
        "date": "2022-05-20",
        "decisions": data["meetings"][0]["decisions"],
    }
    assert decisions["6月底前成立物流行业党委"] == {
        "title": "6月底前成立物流行业党委",
        "lead": "交通运输局",
        "units": ["邮政管理局"],
        "deadline": "6月底前",
        "task_code": task.code,
        "light": "done",
    }
    assert decisions["通报各单位摸排进度"]["task_code"] is None
    assert decisions["快递小哥流动哨兵机制"]["light"] == "green"


def test_reimporting_the_same_sheet_changes_nothing(city, tmp_path):
    import_sheet(tmp_path, SHEET)
    again = import_sheet(tmp_path, SHEET).sheets[0]
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert Task.objects.count() == 2


def test_bad_rows_are_refused_naming_row_column_and_reason_and_nothing_half_written(city, tmp_path):
    rows = [
        SHEET[1],
        ["专题会议", "2022-05-20", "座谈会", "事项一", "交通运输局", "", "6月底前", "是"],
        ["专题会议", "2022-13-40", "专题会议", "事项二", "不存在的局", "", "下辈子", "是"],
        ["专题会议", "2022-05-20", "专题会议", "事项三", "交通运输局", "", "3月底前", "是"],
    ]
    errors = import_sheet(tmp_path, rows).sheets[0].errors
    found = {(e.row, e.column): e.message for e in errors}
    assert "会议类型" in found[(2, "会议类型")] and "座谈会" in found[(2, "会议类型")]
    assert (3, "会议日期") in found
    assert "不存在的局" in found[(3, "牵头单位")]
    assert "早于会议日期" in found[(4, "完成时限")]


def test_only_the_office_imports_meetings(city, tmp_path):
    jiaotong = make_user("jt", role="member_unit", member_unit="交通运输局")
    sheet = import_sheet(tmp_path, SHEET, actor=jiaotong).sheets[0]
    assert sheet.rejected == 3 and "只有工委办公室" in sheet.errors[0].message
    assert not Meeting.objects.exists() and not Task.objects.exists()


def test_the_button_puts_a_meetings_decisions_into_the_dispatch(city, client):
    office = make_user("office", role="office")
    client.force_login(office)
    response = client.post(
        reverse("committee:meeting_create"),
        {"name": "专题会议", "date": "2022-07-08", "kind": "topic", "chair": "张书记", "attendees": []},
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    from liangxin.core.models import MemberUnit

    lead = MemberUnit.objects.get(name="民政局")
    response = client.post(
        reverse("committee:decision_create", args=[meeting.pk]),
        {"title": "社会组织党建摸排", "lead": lead.pk, "deadline_text": "10月底前", "enters_dispatch": "on"},
    )
    assert Decision.objects.get().deadline == D(2022, 10, 31)
    bad = client.post(
        reverse("committee:decision_create", args=[meeting.pk]),
        {"title": "坏时限", "lead": lead.pk, "deadline_text": "明年某时", "enters_dispatch": "on"},
        follow=True,
    )
    assert "无法识别的完成时限" in bad.content.decode()
    client.post(reverse("committee:meeting_dispatch", args=[meeting.pk]))
    task = Decision.objects.get().task
    assert task is not None and task.start == D(2022, 8, 1) and task.lead == lead
    jiaotong = make_user("jt", role="member_unit", member_unit="交通运输局")
    client.force_login(jiaotong)
    assert client.post(reverse("committee:meeting_dispatch", args=[meeting.pk])).status_code == 403
