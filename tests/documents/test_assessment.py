"""年度考核 from the year's monthly scores, tasks done on time and coverage gained in each unit's
field — a case computed by hand; equal scores share a rank."""

import datetime
import io
import json

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.coverage.factories import make_party_org
from tests.dispatch.factories import make_period, make_task, submit
from tests.registry.factories import make_org

D = datetime.date


@pytest.fixture
def year(city):
    april, may = make_period("2022-04"), make_period("2022-05")
    express = make_task("1", units=("邮政管理局",), deadline=D(2022, 5, 31))
    social = make_task("2", lead="民政局", units=("司法局",), deadline=None)
    submit(express, "交通运输局", april, when="2022-04-10")  # on time, not done: 70.0
    # 邮政管理局 reports nothing in April: 0.0
    submit(
        express, "交通运输局", may, when="2022-05-10", status="done", percent=100
    )  # done by the deadline: 100.0
    submit(express, "邮政管理局", may, when="2022-05-28")  # late: 50% credit of 70 → 35.0
    for month, when in ((april, "2022-04-10"), (may, "2022-05-10")):
        submit(social, "民政局", month, when=when)  # 70.0 both months
        submit(social, "司法局", month, when=when)  # the same: a tie
    # 交通运输局's field (道路运输业, division 54): 1 of 4 covered at the end of 2021, 2 of 4 now
    orgs = [make_org(f"吉安市道路运输{i}号公司", industry_id="54", industry_section="G") for i in range(4)]
    make_party_org("吉安市道路运输1号公司党支部", orgs[0], founded_on=D(2020, 1, 1))
    make_party_org("吉安市道路运输2号公司党支部", orgs[1], founded_on=D(2022, 3, 1))
    return may


def assessment_json(*args):
    out = io.StringIO()
    call_command("assessment", "--year=2022", "--as-of=2022-05-31", "--json", *args, stdout=out)
    return {u["unit"]: u for u in json.loads(out.getvalue())["units"]}


def test_the_scores_and_ranks_equal_the_hand_computed_case(year, settings):
    settings.LIANGXIN_ASSESSMENT_WEIGHTS = (60, 25, 15, 0)  # the ledgers: test_assessment_ledger.py
    units = assessment_json()
    jt = units["交通运输局"]
    assert (jt["monthly_avg"], jt["tasks_due"], jt["tasks_done_on_time"]) == (85.0, 1, 1)
    assert (jt["org_rate_start"], jt["org_rate_end"], jt["coverage_gain"]) == (0.25, 0.5, 25.0)
    assert jt["score"] == 91.0  # (60×85 + 25×100 + 15×100) ÷ 100
    yz = units["邮政管理局"]
    assert (yz["monthly_avg"], yz["tasks_due"], yz["tasks_done_on_time"]) == (17.5, 1, 0)
    assert yz["coverage_gain"] is None and yz["score"] == 12.4  # (60×17.5 + 25×0) ÷ 85
    assert (
        units["民政局"]["score"] == units["司法局"]["score"] == 70.0
    )  # no task due, no field: 月度平均分 only
    assert {name: u["rank"] for name, u in units.items()} == {
        "交通运输局": 1,
        "民政局": 2,
        "司法局": 2,
        "邮政管理局": 4,
    }


def test_the_weights_are_configurable(year, settings):
    settings.LIANGXIN_ASSESSMENT_WEIGHTS = (100, 0, 0, 0)
    units = assessment_json()
    assert units["交通运输局"]["score"] == 85.0 and units["邮政管理局"]["score"] == 17.5


def test_the_workbook_has_the_ranked_table_and_the_method(year, tmp_path, settings):
    settings.LIANGXIN_ASSESSMENT_WEIGHTS = (60, 25, 15, 0)
    call_command(
        "assessment",
        "--year=2022",
        "--as-of=2022-05-31",
        f"--xlsx={tmp_path / '考核.xlsx'}",
        stdout=io.StringIO(),
    )
    book = openpyxl.load_workbook(tmp_path / "考核.xlsx")
    rows = list(book["2022年度考核"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[-1]) for r in rows] == [
        (1, "交通运输局", 91),
        (2, "民政局", 70),
        (2, "司法局", 70),
        (4, "邮政管理局", 12.4),
    ]
    assert rows[0][6:10] == (100, 25, 50, 25)  # 按期完成率, 年初/现在的组织覆盖率, 提高
    assert "得分相同名次并列" in book["考核办法"]["A2"].value


def test_a_year_without_a_plan_is_refused_clearly(city):
    with pytest.raises(CommandError, match="2030年没有已确认的重点任务清单"):
        call_command("assessment", "--year=2030", stdout=io.StringIO())


def test_the_command_draws_a_bar_of_months_and_units_in_a_terminal_and_none_under_json(year):
    from tests.terminal import full_bar, in_a_terminal

    # two months, then the four units reporting in the plan
    text = in_a_terminal("assessment", "--year=2022", "--as-of=2022-05-31")
    assert "已处理 0 / 6 步（0%）" in text
    assert full_bar(text).startswith(f"[{'#' * 30}] 已完成 6 步（100%）")
    assert "\n2022年度考核（截至 2022-05-31）" in text.replace("\r\n", "\n")
    quiet = in_a_terminal("assessment", "--year=2022", "--as-of=2022-05-31", "--json")
    assert "[" not in quiet.split("{")[0] and len(json.loads(quiet)["units"]) == 4
    into_a_file = io.StringIO()
    call_command("assessment", "--year=2022", "--as-of=2022-05-31", stdout=into_a_file)
    assert "步" not in into_a_file.getvalue()
