"""A BulletinData from the JSON of `liangxin coverage --json` and `liangxin dispatch_status --json`."""

import datetime
from decimal import Decimal

import pytest

from liangxin.documents import sources
from liangxin.documents.bulletin import tasks_paragraph


def county(code, name, in_scope, single, joint, work, should_build=0):
    return {
        "code": code,
        "name": name,
        "in_scope": in_scope,
        "single": single,
        "joint": joint,
        "work": work,
        "none": in_scope - single - joint - work,
        "uncovered": in_scope - single - joint - work,
        "should_build": should_build,
        "org_rate": 0.0,  # deliberately wrong: the bulletin recomputes rates from the counts
    }


def coverage_json(jizhou=(800, 450, 200, 50), qingyuan=(400, 200, 100, 40)):
    rows = [county("360802", "吉州区", *jizhou, 11), county("360803", "青原区", *qingyuan, 7)]
    total = {
        k: sum(r[k] for r in rows)
        for k in ("in_scope", "single", "joint", "work", "none", "uncovered", "should_build")
    }
    return {
        "as_of": "2022-05-31",
        "scope": "all",
        "rows": rows,
        "total": {"code": "360800", "name": "吉安市", **total},
    }


def unit(name, light, report="submitted", progress=50, on_time=True):
    return {"unit": name, "light": light, "report": report, "progress": progress, "on_time": on_time}


def dispatch_json(expected=16, submitted=14, on_time=1, period="2022-05", as_of="2022-05-31"):
    return {
        "period": period,
        "as_of": as_of,
        "totals": {
            "expected": expected,
            "submitted": submitted,
            "on_time": on_time,
            "done": 2,
            "green": 9,
            "yellow": 3,
            "red": 2,
        },
        "tasks": [
            {
                "code": "1",
                "title": "书记轮训",
                "lead": "市委组织部",
                "units": [
                    unit("市委组织部", "done", "accepted", 100),
                    unit("吉州区委组织部", "done", progress=100),
                ],
            },
            {
                "code": "2",
                "title": "应建尽建",
                "lead": "市场监管局",
                "units": [
                    unit("市场监管局", "green", progress=60),
                    unit("青原区委组织部", "yellow", "missing", None, False),
                ],
            },
            {
                "code": "3",
                "title": "联合支部排查",
                "lead": "民政局",
                "units": [
                    unit("民政局", "red", "draft", 20, False),
                    unit("吉州区委组织部", "yellow", progress=30),
                ],
            },
        ],
        "units": [
            {
                "unit": name,
                "expected": e,
                "submitted": s,
                "on_time": o,
                "rate": None,
                "on_time_rate": None,
                "score": score,
                "rank": rank,
            }
            for rank, (name, e, s, o, score) in enumerate(
                [
                    ("市场监管局", 2, 2, 2, 100.0),
                    ("吉州区委组织部", 2, 2, 2, 95.5),
                    ("市委组织部", 1, 1, 1, 90.0),
                    ("民政局", 1, 0, 0, 40.0),
                    ("青原区委组织部", 1, 0, 0, 35.0),
                ],
                start=1,
            )
        ],
    }


def make(**kwargs):
    fields = {
        "coverage": coverage_json(),
        "dispatch": dispatch_json(),
        "issuer": "中共吉安市委党建工作领导小组办公室",
        "issue_date": datetime.date(2022, 6, 6),
    }
    return sources.bulletin_from_figures(**{**fields, **kwargs})


def test_it_takes_the_period_and_date_from_the_dispatch_figures():
    data = make()
    assert (data.year, data.month, data.as_of) == (2022, 5, datetime.date(2022, 5, 31))
    assert data.title == "关于2022年5月全市基层党建重点任务推进情况的通报"


def test_it_recomputes_rates_from_counts_and_rounds_half_up_once():
    data = make(dispatch=dispatch_json(expected=16, on_time=1))
    # 1 / 16 = 6.25%: half up gives 6.3% (a float formatted with .1f would say 6.2%)
    assert data.overall.on_time_rate == Decimal("0.0625")
    city = data.coverage_total
    assert city.name == "全市"
    assert city.in_scope == 1200
    assert city.org_rate == Decimal(950) / Decimal(1200)
    assert [row.name for row in data.coverage] == ["吉州区", "青原区"]
    assert data.coverage[0].should_build == 11


def test_it_compares_with_last_month_when_there_is_one():
    data = make(
        previous_coverage=coverage_json(jizhou=(800, 440, 200, 50)),
        previous_dispatch=dispatch_json(expected=10, submitted=8, on_time=5, period="2022-04"),
    )
    # 吉州区 org rate 650/800 = 81.3% now, 640/800 = 80.0% before
    assert data.coverage[0].org_rate_change == Decimal("1.3")
    assert data.coverage[1].org_rate_change == Decimal("0.0")
    # 14/16 = 87.5% now, 8/10 = 80.0% before; 6.3% now, 50.0% before
    assert data.overall.report_rate_change == Decimal("7.5")
    assert data.overall.on_time_rate_change == Decimal("-43.7")


def test_it_makes_no_comparison_in_the_first_month():
    data = make()
    assert data.overall.report_rate_change is None
    assert data.coverage_total.org_rate_change is None


def test_a_county_new_this_month_has_no_comparison():
    previous = coverage_json()
    previous["rows"] = previous["rows"][:1]
    data = make(previous_coverage=previous)
    assert data.coverage[0].org_rate_change == Decimal("0.0")
    assert data.coverage[1].org_rate_change is None


def test_it_gives_each_task_one_light_and_a_one_line_summary():
    data = make()
    assert [(t.code, t.light_label) for t in data.tasks] == [("1", "已完成"), ("2", "滞后"), ("3", "逾期")]
    assert data.tasks[1].progress == "2个单位：正常1个，滞后1个；本月未报送1个；平均进度60%"
    assert data.tasks[2].progress == "2个单位：滞后1个，逾期1个；本月未报送1个；平均进度25%"
    assert tasks_paragraph(data).startswith("3项重点任务中，已完成1项，正常推进0项，滞后1项，逾期1项")


@pytest.mark.parametrize(
    ("lights", "expected"),
    [
        (["done", "done"], "done"),
        (["done", "green"], "green"),
        (["green", "yellow", "done"], "yellow"),
        (["yellow", "red"], "red"),
        ([], "green"),
    ],
)
def test_a_task_is_done_when_every_unit_is_else_it_shows_its_worst_unit(lights, expected):
    assert sources.task_light(lights) == expected


def test_it_lists_overdue_and_lagging_tasks_with_their_units_and_the_late_units():
    data = make()
    assert [(p.code, p.units) for p in data.overdue] == [("3", ["民政局"])]
    assert [(p.code, p.units) for p in data.lagging] == [("2", ["青原区委组织部"]), ("3", ["吉州区委组织部"])]
    assert data.late_units == ["民政局", "青原区委组织部"]


def test_it_ranks_the_top_and_bottom_five_without_anyone_on_both_lists():
    data = make()
    assert [e.unit for e in data.red_list] == [
        "市场监管局",
        "吉州区委组织部",
        "市委组织部",
        "民政局",
        "青原区委组织部",
    ]
    assert data.black_list == []  # five units: all on the 红榜
    many = dispatch_json()
    many["units"] += [
        {**many["units"][-1], "unit": f"单位{i}", "rank": 5 + i, "score": 30.0 - i} for i in range(1, 4)
    ]
    data = make(dispatch=many)
    assert [e.unit for e in data.black_list] == ["单位3", "单位2", "单位1"]
    assert data.black_list[0].rank == 8


def test_it_fills_the_grid_with_report_states_as_a_reader_names_them():
    grid = make().grid
    assert len(grid) == 6
    assert (grid[3].unit, grid[3].light_label, grid[3].report, grid[3].progress) == (
        "青原区委组织部",
        "滞后",
        "未报送",
        None,
    )
    assert grid[4].report == "未报送（草稿）"


def test_it_names_what_is_missing_from_the_figures():
    broken = dispatch_json()
    del broken["totals"]["on_time"]
    with pytest.raises(sources.FiguresProblem, match="调度状态合计缺少“on_time”项"):
        make(dispatch=broken)
    coverage = coverage_json()
    del coverage["rows"][1]["should_build"]
    with pytest.raises(sources.FiguresProblem, match="覆盖统计“青原区”缺少“should_build”项"):
        make(coverage=coverage)
    with pytest.raises(sources.FiguresProblem, match="调度期“2022-5x”或截至日期格式不对"):
        make(dispatch=dispatch_json(period="2022-5x"))


def test_it_names_a_narrower_coverage_scope():
    coverage = coverage_json()
    coverage["scope"] = "tag:快递"
    assert make(coverage=coverage).coverage_scope == "快递"
