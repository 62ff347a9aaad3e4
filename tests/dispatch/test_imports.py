import datetime

import pytest

from liangxin.core.importing import ImportContext, run_import
from liangxin.core.tabular import ValueProblem
from liangxin.dispatch.models import Period, Report, Task
from liangxin.dispatch.plans import parse_deadline
from liangxin.dispatch.status import period_status
from liangxin.dispatch.units import UnitNames
from tests.dispatch.factories import write_workbook
from tests.factories import make_user

D = datetime.date

TASK_TABLE = [
    ["2022年全市“两新”组织党建工作重点任务清单"],
    ["序号", "任务类别", "重点任务", "具体要求", "牵头单位", "责任单位", "完成时限"],
    ["一、政治统领"],
    [1, None, "理论宣讲进园区进楼宇", "分级开展宣讲", "工商联", "市场监管局", "长期"],
    ["二、破解“三重”"],
    [2, None, "成立物流行业党委", "市交通局要成立物流行业党委", "市交通局", "邮政管理局", "4月底前"],
    ["三、品牌示范"],
    [3, None, "明确“两新”组织党建品牌", "各成员单位6月底前报送", "市场监管局", "民政局、司法局", "6月底前"],
    [4, "巩固“两个覆盖”", "摸清“两新”组织底数", "", "民政局", "", "2022年12月31日"],
]

MAY_REPORTS = [
    ["任务编号", "填报单位", "进展状态", "完成进度", "本月进展", "报送时间", "审核状态"],
    [1, "工商联", "正常推进", 50, "宣讲 12 场", "2022-05-20", "已通过"],
    [1, "市场监管局", "正常推进", 40, "宣讲 3 场", "2022-05-26", "待审核"],
    [2, "交通运输局", "正常推进", 80, "筹备组已成立", "2022-05-10", "待审核"],
    [2, "邮政管理局", "已完成", 100, "配合完成", "2022-05-25", "已通过"],
    [3, "市场监管局", "正常推进", 53, "梳理品牌 4 个", "2022-05-15", "待审核"],
    [3, "民政局", "正常推进", 70, "梳理品牌 6 个", "2022-05-18", "待审核"],
    [3, "司法局", "正常推进", 70, "梳理品牌 2 个", "2022-05-12", "退回"],
    [4, "民政局", "正常推进", 50, "完成 5 个县区", "2022-05-24", "待审核"],
]


def _import(path, actor=None, **options):
    return run_import(path, ImportContext(actor=actor, filename=path.name, source="command", options=options))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6月底前", D(2022, 6, 30)),
        ("6月底", D(2022, 6, 30)),
        ("2月底前", D(2022, 2, 28)),
        ("12月底", D(2022, 12, 31)),
        ("2022年6月30日", D(2022, 6, 30)),
        ("6月30日前", D(2022, 6, 30)),
        ("2022-09-15", D(2022, 9, 15)),
        ("年底前", D(2022, 12, 31)),
        ("长期", None),
        ("持续推进", None),
        ("", None),
    ],
)
def test_it_understands_the_deadline_phrases_against_the_plan_year(text, expected):
    assert parse_deadline(text, year=2022) == expected


def test_it_explains_a_deadline_it_cannot_read():
    with pytest.raises(ValueProblem, match="无法识别的完成时限“尽快”"):
        parse_deadline("尽快", year=2022)


def test_it_matches_short_unit_names_and_collective_phrases(city):
    names = UnitNames()
    assert names.one("市交通局").name == "交通运输局"
    assert names.one("市邮政局").name == "邮政管理局"
    assert names.one("市场监管局").name == "市场监管局"
    counties = names.many("各县（市、区）委组织部")
    assert len(counties) == 13 and all(u.kind == "county_org" for u in counties)
    assert len(names.many("各成员单位")) == 12
    assert [u.name for u in names.many("市交通局、邮政管理局；民政局")] == [
        "交通运输局",
        "邮政管理局",
        "民政局",
    ]
    with pytest.raises(ValueError, match="未找到成员单位“市发改委”"):
        names.many("民政局、市发改委")


def test_it_imports_an_office_task_table_with_category_rows_and_short_names(city, tmp_path):
    path = write_workbook(tmp_path / "2022年重点任务.xlsx", TASK_TABLE)
    report = _import(tmp_path / "2022年重点任务.xlsx")
    assert report.rejected == 0, [str(e) for s in report.sheets for e in s.errors]
    assert report.sheets[0].created == 4
    task = Task.objects.get(code="2")
    assert task.category == "three" and task.lead.name == "交通运输局"
    assert task.deadline == D(2022, 4, 30)
    assert Task.objects.get(code="1").deadline is None
    assert {a.unit.name for a in Task.objects.get(code="3").assignments.all()} == {
        "司法局",
        "民政局",
        "市场监管局",
    }
    again = _import(tmp_path / "2022年重点任务.xlsx")
    assert again.sheets[0].unchanged == 4
    assert path


def test_it_rejects_an_unknown_unit_naming_it(city, tmp_path):
    rows = [TASK_TABLE[1], [1, "政治统领", "宣讲", "", "市发改委", "", "长期"]]
    write_workbook(tmp_path / "tasks.xlsx", rows)
    report = _import(tmp_path / "tasks.xlsx", period="2022-05")
    assert report.rejected == 1
    assert "未找到成员单位“市发改委”" in str(report.sheets[0].errors[0])


def test_it_asks_for_the_year_when_nothing_gives_it(city, tmp_path):
    write_workbook(tmp_path / "tasks.xlsx", TASK_TABLE[1:])  # no title row, no year in the name
    report = _import(tmp_path / "tasks.xlsx")
    assert "无法确定任务所属年度" in str(report.sheets[0].errors[0])
    assert not Task.objects.exists()


def test_only_the_office_imports_the_task_table(city, tmp_path):
    unit_user = make_user("jt", role="member_unit", member_unit="交通运输局")
    write_workbook(tmp_path / "2022.xlsx", TASK_TABLE)
    report = _import(tmp_path / "2022.xlsx", actor=unit_user)
    assert report.sheets[0].created == 0
    assert "只有工委办公室" in str(report.sheets[0].errors[0])


def test_the_task_table_then_the_may_workbook_give_the_lights_rates_and_ranks_by_hand(city, tmp_path):
    write_workbook(tmp_path / "2022年重点任务.xlsx", TASK_TABLE)
    _import(tmp_path / "2022年重点任务.xlsx")
    write_workbook(tmp_path / "may.xlsx", MAY_REPORTS)
    report = _import(tmp_path / "may.xlsx", period="2022-05")
    assert report.rejected == 0, [str(e) for s in report.sheets for e in s.errors]
    assert report.sheets[0].created == 8

    status = period_status(Period.objects.get(month=D(2022, 5, 1)), D(2022, 5, 31)).as_json()
    # 8 pairs; 司法局 was returned (not submitted); 市场监管局 on task 1 reported on the 26th (late).
    assert status["totals"] == {
        "expected": 8,
        "submitted": 7,
        "on_time": 6,
        "done": 1,
        "green": 4,
        "yellow": 2,
        "red": 1,
        "earlier_done": 0,
    }
    lights = {(t["code"], u["unit"]): u["light"] for t in status["tasks"] for u in t["units"]}
    assert lights[("2", "交通运输局")] == "red"  # past 4月底 and not done
    assert lights[("2", "邮政管理局")] == "done"
    assert lights[("3", "市场监管局")] == "yellow"  # 53% against 83.3% of the time: 30.3 points behind
    assert lights[("3", "民政局")] == "green"  # 70%: 13.3 behind
    assert lights[("3", "司法局")] == "yellow"  # returned, so no report after the due day
    assert lights[("1", "市场监管局")] == "green"  # 长期: no progress rule
    units = {u["unit"]: u for u in status["units"]}
    # one of two on time, the other late (half credit): (1 + 0.5) / 2 × 70 = 52.5
    assert units["市场监管局"]["on_time_rate"] == 0.5 and units["市场监管局"]["score"] == 52.5
    assert units["司法局"]["rate"] == 0.0 and units["司法局"]["rank"] == 6
    assert [units[n]["rank"] for n in ("工商联", "交通运输局", "邮政管理局", "民政局", "市场监管局")] == [
        1,
        1,
        1,
        1,
        5,
    ]
    # Importing the same workbook again changes nothing.
    assert _import(tmp_path / "may.xlsx", period="2022-05").sheets[0].unchanged == 8


def test_a_unit_uploads_its_own_reports_and_not_another_units(city, tmp_path):
    write_workbook(tmp_path / "2022.xlsx", TASK_TABLE)
    _import(tmp_path / "2022.xlsx")
    user = make_user("jt", role="member_unit", member_unit="交通运输局")
    rows = [
        ["调度期", "任务编号", "重点任务", "填报单位", "进展状态", "完成进度", "本月进展"],
        ["2022-05", 2, "成立物流行业党委", "市交通局", "正常推进", "90%", "已报批"],  # its own, as written
        ["2022-05", 2, "成立物流行业党委", "邮政管理局", "正常推进", "90%", "代报"],
    ]
    write_workbook(tmp_path / "mine.xlsx", rows)
    report = _import(tmp_path / "mine.xlsx", actor=user)
    assert report.sheets[0].created == 1
    assert "只能导入本单位（交通运输局）的报告" in str(report.sheets[0].errors[0])
    assert Report.objects.get().state == "submitted"


def test_a_report_row_for_an_unknown_task_is_rejected_with_the_code(city, tmp_path):
    write_workbook(tmp_path / "2022.xlsx", TASK_TABLE)
    _import(tmp_path / "2022.xlsx")
    write_workbook(
        tmp_path / "r.xlsx", [MAY_REPORTS[0], [9, "工商联", "正常推进", 50, "", "2022-05-20", "待审核"]]
    )
    report = _import(tmp_path / "r.xlsx", period="2022-05")
    assert "没有序号为“9”的任务" in str(report.sheets[0].errors[0])


def test_it_reads_the_year_from_a_column_and_deadlines_written_as_dates(city, tmp_path):
    rows = [
        ["年度", "序号", "任务类别", "重点任务", "牵头单位", "完成时限"],
        ["2023年", "1", "品牌示范", "示范点建设", "民政局", D(2023, 9, 30)],
        ["二〇二三", "2", "品牌示范", "品牌培育", "民政局", "长期"],
    ]
    write_workbook(tmp_path / "tasks.xlsx", rows)
    report = _import(tmp_path / "tasks.xlsx")
    assert report.sheets[0].created == 1
    assert Task.objects.get(code="1").deadline == D(2023, 9, 30)
    assert "年度“二〇二三”应为四位年份" in str(report.sheets[0].errors[0])
