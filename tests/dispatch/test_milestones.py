"""阶段目标: parsed from the office's cells, edited in the task form, missed ones shown."""

import datetime

import pytest
import time_machine
from django.apps import apps
from django.urls import reverse

from liangxin.core.importing import ImportContext, run_import
from liangxin.core.tabular import ValueProblem
from liangxin.dispatch.models import Milestone, Task
from liangxin.dispatch.plans import parse_milestones
from liangxin.dispatch.status import period_milestones, period_status
from tests.dispatch.factories import make_period, make_task, submit, unit, write_workbook
from tests.factories import make_user

D = datetime.date
HEADER = ["序号", "任务类别", "重点任务", "牵头单位", "责任单位", "完成时限", "阶段目标"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6月底前完成调研；9月底前建成", [(D(2022, 6, 30), "完成调研"), (D(2022, 9, 30), "建成")]),
        ("6月底前完成调研;9月底前建成", [(D(2022, 6, 30), "完成调研"), (D(2022, 9, 30), "建成")]),
        (
            "1. 3月15日前 制定方案\n2. 六月中旬召开推进会",
            [(D(2022, 3, 15), "制定方案"), (D(2022, 6, 20), "召开推进会")],
        ),
        (
            "6月底前完成调研，形成报告，9月底前建成",
            [(D(2022, 6, 30), "完成调研，形成报告"), (D(2022, 9, 30), "建成")],
        ),
        (
            "上半年完成摸底。三季度末建成示范点。年底前总结",
            [
                (D(2022, 6, 30), "完成摸底"),
                (D(2022, 9, 30), "建成示范点"),
                (D(2022, 12, 31), "总结"),
            ],
        ),
        ("2022年2月底前报送名单", [(D(2022, 2, 28), "报送名单")]),
        ("2022-05-20 完成挂牌", [(D(2022, 5, 20), "完成挂牌")]),
        ("9月底前建成；6月底前完成调研", [(D(2022, 6, 30), "完成调研"), (D(2022, 9, 30), "建成")]),
        ("", []),
    ],
)
def test_it_reads_milestones_as_an_office_writes_them_against_the_plan_year(text, expected):
    assert [(m.due, m.text) for m in parse_milestones(text, year=2022)] == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("完成调研", "无法识别的阶段目标“完成调研”：每项应以时间开头"),
        ("6月底前完成调研；尽快建成", "无法识别的阶段目标“尽快建成”"),
        ("6月底前", "只有时间，请写明到时要完成的内容"),
        ("2月30日前完成", "“2月30日”不存在"),
        ("13月底前完成", "“13月”不存在"),
        ("2023年3月底前完成", "不在 2022 年度内"),
    ],
)
def test_it_explains_a_milestone_it_cannot_understand(text, message):
    with pytest.raises(ValueProblem, match=message):
        parse_milestones(text, year=2022)


def _import(path, **options):
    return run_import(path, ImportContext(actor=None, filename=path.name, source="command", options=options))


def test_the_import_makes_milestones_and_names_row_and_column_of_one_it_cannot_read(city, tmp_path):
    rows = [
        HEADER,
        [1, "品牌示范", "打造党建示范点", "民政局", "", "年底前", "6月底前完成调研；9月底前建成"],
        [2, "品牌示范", "明确党建品牌", "民政局", "", "6月底前", ""],
        [3, "品牌示范", "培育党建品牌", "民政局", "", "长期", "抓紧推进"],
    ]
    write_workbook(tmp_path / "2022年任务.xlsx", rows)
    report = _import(tmp_path / "2022年任务.xlsx")
    sheet = report.sheets[0]
    assert sheet.created == 2 and report.rejected == 1
    assert str(sheet.errors[0]).startswith("第 4 行“阶段目标”列：无法识别的阶段目标“抓紧推进”")
    task = Task.objects.get(code="1")
    assert [(m.due, m.due_text, m.text) for m in task.milestone_items.all()] == [
        (D(2022, 6, 30), "6月底前", "完成调研"),
        (D(2022, 9, 30), "9月底前", "建成"),
    ]
    assert not Task.objects.get(code="2").milestone_items.exists()
    again = _import(tmp_path / "2022年任务.xlsx")
    assert again.sheets[0].unchanged == 2 and Milestone.objects.count() == 2


def test_the_office_edits_milestones_in_the_task_form(city, office, client):
    make_period("2022-05")
    task = make_task("1", title="打造党建示范点", deadline=D(2022, 12, 31))
    client.force_login(office)
    url = reverse("dispatch:task_edit", args=[task.pk])
    data = {
        "code": "1",
        "category": "brand",
        "title": "打造党建示范点",
        "requirement": "",
        "lead": unit("交通运输局").pk,
        "start": "",
        "deadline": "年底前",
        "milestones": "6月底前完成调研\n9月底前建成",
    }
    client.post(url, data)
    assert [m.text for m in task.milestone_items.all()] == ["完成调研", "建成"]
    form = client.get(url).content.decode()
    assert "6月底前完成调研\n9月底前建成" in form
    refused = client.post(url, data | {"milestones": "6月底前完成调研\n抓紧建成"}).content.decode()
    assert "无法识别的阶段目标“抓紧建成”" in refused
    assert Milestone.objects.count() == 2
    client.post(url, data | {"milestones": ""})
    assert not Milestone.objects.exists()
    early = client.post(url, data | {"deadline": "2021年6月30日"}).content.decode()
    assert "早于开始时间" in early


@pytest.fixture
def demo_point(city):
    make_period("2022-07")
    task = make_task("1", title="打造党建示范点", units=("民政局",), deadline=D(2022, 12, 31))
    Milestone.objects.create(task=task, due=D(2022, 6, 30), due_text="6月底前", text="完成调研")
    Milestone.objects.create(task=task, due=D(2022, 9, 30), due_text="9月底前", text="建成")
    return task


@time_machine.travel("2022-07-10 10:00 +0800", tick=False)
def test_a_missed_milestone_shows_for_the_office_and_the_lead_unit(demo_point, office, client):
    july = make_period("2022-07")
    status = period_status(july, D(2022, 7, 10))
    states = [(s.milestone.text, s.state) for s in period_milestones(status)[demo_point.pk]]
    assert states == [("完成调研", "missed"), ("建成", "pending")]
    # …not the day itself: the milestone's date is still in time.
    on_the_day = period_milestones(period_status(make_period("2022-06"), D(2022, 6, 30)))
    assert on_the_day[demo_point.pk][0].state == "pending"

    client.force_login(office)
    board = client.get(reverse("dispatch:board") + "?period=2022-07").content.decode()
    assert "milestone-missed" in board and "完成调研 · 未按期" in board
    assert "未按期完成的阶段目标" in board
    detail = client.get(reverse("dispatch:task_detail", args=[demo_point.pk])).content.decode()
    assert "完成调研" in detail and "未按期完成" in detail
    chase = client.get(reverse("dispatch:chase") + "?period=2022-07").content.decode()
    assert "missed-milestones" in chase and "完成调研" in chase

    client.force_login(make_user("jt", role="member_unit", member_unit="交通运输局"))  # the lead unit
    assert "完成调研" in client.get(reverse("dispatch:chase") + "?period=2022-07").content.decode()
    mine = client.get(reverse("dispatch:mine") + "?period=2022-07").content.decode()
    assert "1 个阶段目标已过时间仍未完成" in mine

    client.force_login(make_user("mz", role="member_unit", member_unit="民政局"))  # responsible only
    assert (
        "missed-milestones" not in client.get(reverse("dispatch:chase") + "?period=2022-07").content.decode()
    )
    assert "阶段目标已过时间" not in client.get(reverse("dispatch:mine") + "?period=2022-07").content.decode()

    client.force_login(make_user("sf", role="member_unit", member_unit="司法局"))  # an outsider
    assert "完成调研" not in client.get(reverse("dispatch:chase") + "?period=2022-07").content.decode()
    assert client.get(reverse("dispatch:task_detail", args=[demo_point.pk])).status_code == 404


@time_machine.travel("2022-07-10 10:00 +0800", tick=False)
def test_a_done_task_has_no_missed_milestone(demo_point, office, client):
    july = make_period("2022-07")
    submit(demo_point, "交通运输局", july, when="2022-07-05", status="done", percent=100)
    half = period_milestones(period_status(july, D(2022, 7, 10)))
    assert half[demo_point.pk][0].state == "missed"  # one unit done is not the task done
    submit(demo_point, "民政局", july, when="2022-07-06", status="done", percent=100)
    done = period_milestones(period_status(july, D(2022, 7, 10)))
    assert [s.state for s in done[demo_point.pk]] == ["done", "done"]


def test_milestones_saved_as_text_before_are_parsed_by_the_migration(city):
    from importlib import import_module

    task = make_task("1", deadline=None)
    Task.objects.filter(pk=task.pk).update(milestones="6月底前完成调研；9月底前建成")
    make_task("2", deadline=None)
    Task.objects.filter(code="2").update(milestones="抓紧推进")
    migration = import_module("liangxin.dispatch.migrations.0002_milestones")
    migration.parse_existing(apps, None)
    assert [m.text for m in Milestone.objects.filter(task=task)] == ["完成调研", "建成"]
    assert not Milestone.objects.filter(task__code="2").exists()  # kept as text, shown as written
